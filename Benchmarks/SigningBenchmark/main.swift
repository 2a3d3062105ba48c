// Signed electronic results (issue #20), measured:
//   1. ES256 signatures and checks per second (`ResultSigning`, one thread);
//   2. `LocalResultSigner.sign` per second on a SQLite store (the key looked up, read once);
//   3. the cost of signing at approval: approvals through `SQLiteStore.apply`, alternated
//      between rounds that sign (and store the signature row) and rounds that do not.
//
//     swift build -c release --product SigningBenchmark
//     .build/release/SigningBenchmark [approvals per round] [rounds]
//
// Run from the repository root (it reads Config/ and Seeds/); it works in a fresh database in
// the temporary directory and deletes it afterwards.
import Crypto
import Foundation
import MotCuaAPI
import MotCuaConfig
import MotCuaCore
import MotCuaServer
import MotCuaStore

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let perRound = arguments.first ?? 1_000
let rounds = arguments.dropFirst().first ?? 3

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

// 1. Signing and checking.
let key = P256.Signing.PrivateKey()
let agency = "000.15.01.H42"
let digest = String(repeating: "ab", count: 32)
let keys = [PublishedSigningKey(
    keyID: ResultSigning.keyID(of: key.publicKey), agencyID: agency, algorithm: "ES256", publicKey: key.publicKey.pemRepresentation,
    createdAt: Date(timeIntervalSince1970: 0), retiredAt: nil)]
var signatures: [ResultSignature] = []
var started = ContinuousClock.now
for index in 0..<5_000 {
    signatures.append(try ResultSigning.sign(sha256: digest, dossierCode: "\(agency)-260302-\(index)", agencyID: agency, at: Date(), key: key))
}
let signRate = 5_000 / seconds(ContinuousClock.now - started)
started = ContinuousClock.now
let valid = signatures.filter { ResultSigning.check($0, keys: keys) == nil }.count
let checkRate = 5_000 / seconds(ContinuousClock.now - started)
print(String(format: "ES256: %.0f signatures/s, %.0f checks/s (%d of 5,000 valid), one thread", signRate, checkRate, valid))

// 2. and 3. Through the store.
let calendars = try ConfigLoader.loadCalendars(from: URL(fileURLWithPath: "Config"))
let catalogue = try SeedLoader.loadCatalogue(from: URL(fileURLWithPath: "Seeds"))
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("motcua-signing-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }
let store = try SQLiteStore(path: directory.appendingPathComponent("motcua.sqlite").path)
_ = try await store.saveCatalogue(tree: catalogue.tree, procedures: catalogue.procedures)
let signer = LocalResultSigner(directory: directory.appendingPathComponent("keys"), store: store)
_ = try await signer.sign(sha256: digest, dossierCode: "warm-up", agencyID: agency, at: Date())
started = ContinuousClock.now
for index in 0..<2_000 {
    _ = try await signer.sign(sha256: digest, dossierCode: "\(agency)-260302-\(index)", agencyID: agency, at: Date())
}
print(String(format: "LocalResultSigner on SQLite: %.0f signatures/s (the agency's key looked up in the store each time)",
             2_000 / seconds(ContinuousClock.now - started)))

guard let procedure = catalogue.procedures.first(where: { $0.code == "1.001193" }),
      let departments = catalogue.tree.agencies[agency]?.departments, let department = departments.first?.id
else { fatalError("Seeds/ lacks 1.001193 or the agency's departments") }
let desk = Actor(id: "desk", name: "Nguyễn Thị Hoa", role: .desk, agencyID: agency)
let leader = Actor(id: "leader", name: "Trần Văn Lâm", role: .leader, agencyID: agency)
let intake = Intake(
    procedure: procedure,
    applicant: Applicant(name: "Nguyễn Văn An", idNumber: "001203004005", phone: "0912345678", address: "Phường Sông Trí, Hà Tĩnh"),
    documents: procedure.documents.map { ProvidedDocument(name: $0.name, originals: $0.originals, copies: $0.copies) },
    returnMethod: .electronic)
/// `count` dossiers in processing, filed on `day` (a code is per agency and day).
func processing(_ count: Int, day: LocalDate) async throws -> [String] {
    let now = WorkCalendar.parse("\(day.iso)T09:00:00+07:00")!
    var codes: [String] = []
    for _ in 0..<count {
        let context = DecisionContext(actor: desk, now: now, calendar: calendars.standard, departments: departments)
        let id = UUID().uuidString
        let (filed, _) = try await store.fileDossier(agencyID: agency, day: day) { code in try Lifecycle.file(intake, code: code, id: id, context: context) }
        _ = try await store.apply(code: filed.code) { try Lifecycle.decide(.transfer(departmentID: department), dossier: $0, context: context) }
        codes.append(filed.code)
    }
    return codes
}

print("approvals with an electronic result, \(perRound) a round, alternated:")
var day = LocalDate(year: 2026, month: 3, day: 2)!
for round in 1...rounds {
    for signing in [true, false] {
        day = day.adding(days: 1)
        let codes = try await processing(perRound, day: day)
        let context = DecisionContext(actor: leader, now: WorkCalendar.parse("\(day.iso)T10:00:00+07:00")!, calendar: calendars.standard)
        started = ContinuousClock.now
        for (index, code) in codes.enumerated() {
            let file = StoredFile(
                sha256: String(format: "%064x", index + round * 1_000_000), name: "kq.pdf", contentType: "application/pdf", size: 1000, document: "Kết quả")
            let signature = signing ? try await signer.sign(sha256: file.sha256, dossierCode: code, agencyID: agency, at: context.now) : nil
            _ = try await store.apply(code: code) {
                try Lifecycle.decide(.approve(note: nil, resultFile: file, signature: signature), dossier: $0, context: context)
            }
        }
        let elapsed = seconds(ContinuousClock.now - started)
        print(String(format: "  round %d, %@: %.0f approvals/s (%.2f ms each)", round, signing ? "signed  " : "unsigned",
                     Double(perRound) / elapsed, elapsed * 1000 / Double(perRound)))
    }
}

// Stored-row encoding benchmark: what the intake path spends in `JSONWriter` before it reaches
// the single writer (the dossier's projection and its two events).
//
//     swift build -c release --product JSONBenchmark && .build/release/JSONBenchmark
//
// Run from the repository root (it reads Config/ and Seeds/). No target of its own: it guards
// the encoder's cost, recorded in docs/benchmarks.md.
import Foundation
import MotCuaConfig
import MotCuaCore

let calendars = try ConfigLoader.loadCalendars(from: URL(fileURLWithPath: "Config"))
let catalogue = try SeedLoader.loadCatalogue(from: URL(fileURLWithPath: "Seeds"))
guard let procedure = catalogue.procedures.first(where: { $0.code == "1.001193" }) else {
    fatalError("Seeds/ has no procedure 1.001193 (the benchmark's birth registration)")
}
// The same dossier as Benchmarks/intake: a complete desk intake of 1.001193.
let intake = Intake(
    procedure: procedure,
    applicant: Applicant(name: "Nguyễn Văn An", idNumber: "001203004005", phone: "0912345678", address: "Phường Sông Trí, Hà Tĩnh"),
    documents: procedure.documents.map { ProvidedDocument(name: $0.name, originals: $0.originals, copies: $0.copies) },
    returnMethod: .desk)
let actor = Actor(id: "50ae693e-ea12-4d90-8c8c-6bbf1e57d642", name: "Nguyễn Thị Hoa", role: .desk, agencyID: "000.15.01.H42")
let context = DecisionContext(actor: actor, now: Date(timeIntervalSince1970: 1_795_455_447.78), calendar: calendars.standard)
let events = try Lifecycle.file(
    intake, code: "motcua-code-0123456789ABCDEF0123456789ABCDEF0123", id: "01a2099a-4c06-715c-9031-626ba676b505", context: context)
guard let dossier = Lifecycle.replay(events) else { fatalError("the intake's events do not replay") }

let writer = JSONWriter(dateFormat: .secondsSince1970)
let sizes = try [writer.encode(dossier).count] + events.map { try writer.encode($0).count }
let intakes = 20_000
var checksum = 0
let clock = ContinuousClock()
var best = Duration.seconds(1_000)
for _ in 0..<5 {
    let started = clock.now
    for _ in 0..<intakes {
        checksum &+= try writer.encode(dossier).count
        for event in events { checksum &+= try writer.encode(event).count }
    }
    best = min(best, (clock.now - started) / intakes)
}
let micros = Double(best.components.attoseconds) / 1e12 + Double(best.components.seconds) * 1e6
print("rows of one intake (dossier \(sizes[0]) B, events \(sizes.dropFirst().map(String.init).joined(separator: " + ")) B):",
      String(format: "%.1f µs (best of 5 rounds of %d)", micros, intakes), checksum > 0 ? "" : "!")

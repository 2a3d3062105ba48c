// Store-level intake benchmark: `SQLiteStore.fileDossier` without HTTP, so that the writer's
// share of an intake (encoding, code allocation, the rows, the commit) can be measured and
// profiled on its own.
//
//     swift build -c release --product StoreIntakeBenchmark
//     .build/release/StoreIntakeBenchmark [intakes] [concurrent callers] [commit delay µs]
//
// Run from the repository root (it reads Config/ and Seeds/); it files into a fresh database
// in the temporary directory and deletes it afterwards.
import Foundation
import MotCuaConfig
import MotCuaCore
import MotCuaStore

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let total = arguments.first ?? 9_000
let callers = arguments.dropFirst().first ?? 32
let delayMicros = arguments.dropFirst(2).first ?? 1_000
guard total <= 9_999 else { fatalError("one agency numbers at most 9,999 dossiers a day") }

let calendars = try ConfigLoader.loadCalendars(from: URL(fileURLWithPath: "Config"))
let catalogue = try SeedLoader.loadCatalogue(from: URL(fileURLWithPath: "Seeds"))
guard let procedure = catalogue.procedures.first(where: { $0.code == "1.001193" }) else {
    fatalError("Seeds/ has no procedure 1.001193")
}
let intake = Intake(
    procedure: procedure,
    applicant: Applicant(name: "Nguyễn Văn An", idNumber: "001203004005", phone: "0912345678", address: "Phường Sông Trí, Hà Tĩnh"),
    documents: procedure.documents.map { ProvidedDocument(name: $0.name, originals: $0.originals, copies: $0.copies) },
    returnMethod: .desk)
let actor = Actor(id: "50ae693e-ea12-4d90-8c8c-6bbf1e57d642", name: "Nguyễn Thị Hoa", role: .desk, agencyID: "000.15.01.H42")
let calendar = calendars.standard

let path = FileManager.default.temporaryDirectory.appendingPathComponent("motcua-store-intake-\(UUID().uuidString).sqlite").path
defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
let store = try SQLiteStore(path: path, commitDelay: Double(delayMicros) / 1_000_000)

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    func take() -> Int? { lock.withLock { next < total ? { next += 1; return next }() : nil } }
}
let counter = Counter()
let clock = ContinuousClock()
let started = clock.now
try await withThrowingTaskGroup(of: [Duration].self) { group in
    for _ in 0..<callers {
        group.addTask {
            var latencies: [Duration] = []
            while counter.take() != nil {
                let begun = clock.now
                let context = DecisionContext(actor: actor, now: Date(), calendar: calendar)
                let id = TimeOrderedID.make(at: context.now)
                _ = try await store.fileDossier(agencyID: actor.agencyID, day: WorkCalendar.localDate(of: context.now), idempotencyKey: nil) { code in
                    try Lifecycle.file(intake, code: code, id: id, context: context)
                }
                latencies.append(clock.now - begun)
            }
            return latencies
        }
    }
    var all: [Duration] = []
    for try await latencies in group { all += latencies }
    let elapsed = clock.now - started
    all.sort()
    func ms(_ d: Duration) -> String { String(format: "%.2f ms", Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1e3) }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print("\(all.count) intakes, \(callers) callers, commit delay \(delayMicros) µs: \(Int(Double(all.count) / seconds))/s,",
          "p50 \(ms(all[all.count / 2])), p99 \(ms(all[all.count * 99 / 100]))")
}

// The intake path below HTTP, in two parts, on the benchmark's dossier (a complete desk intake
// of 1.001193, as in Benchmarks/intake):
//   1. encoding its stored rows with `JSONWriter` (the dossier and its two events), one thread;
//   2. `SQLiteStore.fileDossier` from concurrent callers: encoding, code allocation, the rows and
//      the durable commit, so that the writer's share can be measured and profiled on its own.
//
//     swift build -c release --product StoreIntakeBenchmark
//     .build/release/StoreIntakeBenchmark [intakes] [concurrent callers] [commit delay µs]
//
// Run from the repository root (it reads Config/ and Seeds/); it files into a fresh database
// in the temporary directory and deletes it afterwards.
import Foundation
import MotCuaConfig
import MotCuaCore
import MotCuaJSON
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

// 1. Encoding the rows.
let context = DecisionContext(actor: actor, now: Date(timeIntervalSince1970: 1_795_455_447.78), calendar: calendar)
let events = try Lifecycle.file(
    intake, code: "motcua-code-0123456789ABCDEF0123456789ABCDEF0123", id: "01a2099a-4c06-715c-9031-626ba676b505", context: context)
guard let dossier = Lifecycle.replay(events) else { fatalError("the intake's events do not replay") }
let writer = JSONWriter(dateFormat: .secondsSince1970)
let sizes = try [writer.encode(dossier).count] + events.map { try writer.encode($0).count }
var checksum = 0
var best = Duration.seconds(1_000)
for _ in 0..<5 {
    let started = ContinuousClock.now
    for _ in 0..<20_000 {
        checksum &+= try writer.encode(dossier).count
        for event in events { checksum &+= try writer.encode(event).count }
    }
    best = min(best, (ContinuousClock.now - started) / 20_000)
}
print("rows of one intake (dossier \(sizes[0]) B, events \(sizes.dropFirst().map(String.init).joined(separator: " + ")) B):",
      String(format: "%.1f µs to encode (best of 5 rounds of 20,000)", Double(best.components.attoseconds) / 1e12), checksum > 0 ? "" : "!")

// 2. Filing through the store.

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

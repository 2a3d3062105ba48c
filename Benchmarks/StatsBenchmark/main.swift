import Foundation
import MotCuaCore
import MotCuaDemo
import MotCuaPostgres
import MotCuaStore

// Report speed over a large table of statistics facts.
//
//   swift build -c release --product StatsBenchmark
//   .build/release/StatsBenchmark /tmp/stats.sqlite 10000000
//   .build/release/StatsBenchmark postgres://user:password@127.0.0.1:5432/stats 10000000
//
// Generates the facts once (kept in the file for later runs): N dossiers over 2022–2026 in 12
// agencies × 60 procedures (`StatFact.sample`: channels, outcomes, pauses, fees, post). Then times the reports: a year, a month, a year for one agency.

/// Prints a line at once (the output is often a pipe).
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

let arguments = CommandLine.arguments
let path = arguments.count > 1 ? arguments[1] : "/tmp/motcua-stats.sqlite"
let wanted = arguments.count > 2 ? Int(arguments[2]) ?? 10_000_000 : 10_000_000
let store: any DossierStore = path.hasPrefix("postgres://")
    ? try await PostgresStore.connect(url: path, requestTimeout: .seconds(3600)) : try SQLiteStore(path: path)
let agencies = (1...12).map { String(format: "000.%02d.01.H99", $0) }
let procedures = (1...60).map { String(format: "9.%06d", $0) }
let start = Int64(WorkCalendar.instant(LocalDate(year: 2022, month: 1, day: 1)!).timeIntervalSince1970)
let end = Int64(WorkCalendar.instant(LocalDate(year: 2027, month: 1, day: 1)!).timeIntervalSince1970)

func count() async throws -> Int {
    try await store.statTallies(from: 0, to: .max / 2, agencies: nil).reduce(0) { $0 + $1.tally.counts.fresh }
}

var existing = try await count()
if existing < wanted {
    say("generating \(wanted - existing) facts…")
    var rng = SeededGenerator(seed: UInt64(existing) &+ 7)
    let batch = 200_000
    let clock = ContinuousClock.now
    while existing < wanted {
        let n = min(batch, wanted - existing)
        var facts: [StatFact] = []
        facts.reserveCapacity(n)
        for i in 0..<n {
            facts.append(StatFact.sample(
                existing + i, from: start, days: Int((end - start) / 86_400), agencies: agencies, procedures: procedures, now: end, using: &rng))
        }
        try await store.recordFacts(facts)
        existing += n
        let rate = Double(existing) / max(0.001, Double((ContinuousClock.now - clock).components.seconds))
        say("  \(existing)/\(wanted) (\(Int(rate))/s)")
    }
}

func time(_ label: String, from: LocalDate, to: LocalDate, agencies: Set<String>? = nil) async throws {
    let period = try ReportPeriod(from: from, to: to)
    var samples: [Double] = []
    var rows = 0
    for _ in 0..<5 {
        let began = ContinuousClock.now
        let tallies = try await store.statTallies(from: period.bounds.from, to: period.bounds.to, agencies: agencies)
        samples.append(Double((ContinuousClock.now - began).components.attoseconds) / 1e15 + Double((ContinuousClock.now - began).components.seconds) * 1000)
        let total = tallies.reduce(Tally()) { $0 + $1.tally }
        precondition(total.isConsistent, "identities broken")
        rows = total.received.total
    }
    samples.sort()
    say(String(format: "%@: %d dossiers handled, median %.0f ms (min %.0f, max %.0f)", label, rows, samples[2], samples[0], samples[4]))
}

say("facts in the table: \(existing)")
try await time("year 2025, all agencies", from: LocalDate(year: 2025, month: 1, day: 1)!, to: LocalDate(year: 2025, month: 12, day: 31)!)
try await time("month 2025-06, all agencies", from: LocalDate(year: 2025, month: 6, day: 1)!, to: LocalDate(year: 2025, month: 6, day: 30)!)
try await time("year 2025, one agency", from: LocalDate(year: 2025, month: 1, day: 1)!, to: LocalDate(year: 2025, month: 12, day: 31)!,
               agencies: [agencies[0]])

import Foundation
import MotCuaDemo
import Testing
@testable import MotCuaCore
@testable import MotCuaStore

/// The store's report (day counters plus the dossiers open at the period's ends) against the
/// per-dossier rules in Core, on random dossiers and on a dossier moved through its lifecycle.
@Suite("Statistics in the store")
struct StatisticsStoreTests {
    static func seconds(_ date: LocalDate) -> Int64 { Int64(WorkCalendar.instant(date).timeIntervalSince1970) }

    @Test("For random dossiers and periods, the store's tallies equal the per-dossier rules, group by group", arguments: Backend.all)
    func matchesReference(backend: Backend) async throws {
        let store = try await backend.makeStore()
        var rng = SeededGenerator(seed: 42)
        let start = Self.seconds(LocalDate(year: 2026, month: 1, day: 1)!)
        let facts = (0..<3_000).map {
            StatFact.sample($0, from: start, days: 200, agencies: ["A", "B"], procedures: ["P", "Q"], using: &rng)
        }
        try await store.recordFacts(Array(facts[..<1_500]))
        try await store.recordFacts(Array(facts[1_500...]))
        var periods: [(LocalDate, LocalDate)] = [
            (LocalDate(year: 2026, month: 3, day: 1)!, LocalDate(year: 2026, month: 3, day: 31)!),
            (LocalDate(year: 2026, month: 1, day: 1)!, LocalDate(year: 2026, month: 12, day: 31)!),
            (LocalDate(year: 2025, month: 12, day: 1)!, LocalDate(year: 2025, month: 12, day: 31)!),
        ]
        for _ in 0..<12 {
            let from = LocalDate(year: 2026, month: 1, day: 1)!.adding(days: Int.random(in: 0...230, using: &rng))
            periods.append((from, from.adding(days: Int.random(in: 0...60, using: &rng))))
        }
        #expect(facts.filter { $0.receivingAgencyID != nil }.count > 50, "some are filed anywhere in the province")
        for (from, to) in periods {
            let period = try ReportPeriod(from: from, to: to)
            let (a, b) = period.bounds
            let stored = try await store.statTallies(from: a, to: b, agencies: nil)
            for agency in ["A", "B"] {
                for procedure in ["P", "Q"] {
                    // The group's own dossiers, and those its desk took in for other agencies.
                    let own = facts.filter { $0.agencyID == agency && $0.procedureCode == procedure }
                        .reduce(Tally()) { $0 + Tally.of($1, from: a, to: b) }
                    let expected = facts.filter { $0.procedureCode == procedure }
                        .compactMap { Tally.ofReceivingDesk($0, from: a, to: b) }.filter { $0.agencyID == agency }
                        .reduce(own) { $0 + $1.tally }
                    let got = stored.first { $0.agencyID == agency && $0.procedureCode == procedure }?.tally ?? Tally()
                    #expect(got == expected, "\(from)–\(to) \(agency)/\(procedure)")
                    #expect(got.isConsistent)
                }
            }
            // Each dossier filed across the boundary counts once on each side.
            let total = stored.reduce(Tally()) { $0 + $1.tally }
            #expect(total.counts.receivedElsewhere == total.counts.receivedForOthers)
            let onlyA = try await store.statTallies(from: a, to: b, agencies: ["A"])
            #expect(onlyA.allSatisfy { $0.agencyID == "A" })
        }
    }

    @Test("A rewritten fact moves its counts: open in one month, resolved and returned in the next")
    func rewrite() async throws {
        let store = try SQLiteStore(path: temporaryDatabase())
        let june = Self.seconds(LocalDate(year: 2026, month: 6, day: 1)!), july = Self.seconds(LocalDate(year: 2026, month: 7, day: 1)!)
        let august = Self.seconds(LocalDate(year: 2026, month: 8, day: 1)!)
        var fact = StatFact(dossierID: "d", agencyID: "A", procedureCode: "P", channel: .desk, level: 0, receivedAt: june + 86_400 * 3, dueAt: june + 86_400 * 40)
        try await store.pool.write { [fact] db in try SQLiteStore.writeFact(fact, replacing: nil, db: db) }
        var old = fact
        fact.resolvedAt = july + 86_400 * 2
        fact.resolution = .early
        fact.returnedAt = july + 86_400 * 3
        fact.returnedByPost = true
        try await store.pool.write { [fact, old] db in try SQLiteStore.writeFact(fact, replacing: old, db: db) }
        old = fact
        let juneTally = try await store.statTallies(from: june, to: july, agencies: nil).first?.tally
        #expect(juneTally?.received.desk == 1 && juneTally?.pending.withinTerm == 1 && juneTally?.resolved.total == 0)
        let julyTally = try await store.statTallies(from: july, to: august, agencies: nil).first?.tally
        #expect(julyTally?.received.carriedOver == 1 && julyTally?.resolved.early == 1 && julyTally?.counts.returnedByPost == 1)
        #expect(julyTally?.counts.fresh == 0)
    }
}

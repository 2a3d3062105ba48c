import Foundation
import GRDB
import MotCuaCore

// Statistics read two narrow tables, both written in the same transaction as the dossier:
//
// - `stat_days`: one row per (agency, procedure, local day) with counters of what happened that
//   day: dossiers first received (by channel, level, fee, online payment), results made ready or
//   dossiers closed (by outcome, with working time, digitisation and ratings), results handed
//   back (by post or not). A change to a dossier moves its contributions between days (the old
//   fact is subtracted, the new one added).
// - `dossier_stats`: one row per received dossier (its `StatFact`), clustered by (agency,
//   procedure, received_at), to judge the dossiers open at the period's two ends: carried over
//   or back from supplementation at the start; waiting for supplementation, within term or
//   overdue at the end. Those are read from the 14 days of intake before each end, plus, further
//   back, the dossiers that took longer than 14 days (a partial index, bounded by the group's
//   longest span) and those still open (another partial index).
//
// A report sums the day rows of the period and reads the rows open at its ends: its cost
// follows the days and the dossiers of the period, not the table. Nothing is sorted.

extension SQLiteStore {
    static let statisticsMigration = """
        CREATE TABLE dossier_stats (
          agency_id TEXT NOT NULL,
          procedure_code TEXT NOT NULL,
          received_at INTEGER NOT NULL,
          dossier_id TEXT NOT NULL,
          channel INTEGER NOT NULL,
          level INTEGER NOT NULL,
          resolved_at INTEGER,
          resolution INTEGER,
          due_at INTEGER,
          supp_from INTEGER,
          supp_until INTEGER,
          fee_from INTEGER,
          fee_until INTEGER,
          returned_at INTEGER,
          returned_by_post INTEGER NOT NULL,
          has_fee INTEGER NOT NULL,
          paid_online INTEGER NOT NULL,
          digitised INTEGER NOT NULL,
          rating INTEGER,
          working_seconds INTEGER,
          PRIMARY KEY (agency_id, procedure_code, received_at, dossier_id)
        ) WITHOUT ROWID;
        \(StatRows.partialIndexes)
        CREATE TABLE stat_groups (
          agency_id TEXT NOT NULL,
          procedure_code TEXT NOT NULL,
          first_day INTEGER NOT NULL,
          span INTEGER NOT NULL,
          PRIMARY KEY (agency_id, procedure_code)
        ) WITHOUT ROWID;
        CREATE TABLE stat_days (
          agency_id TEXT NOT NULL,
          procedure_code TEXT NOT NULL,
          day INTEGER NOT NULL,
          fresh INTEGER NOT NULL DEFAULT 0,
          online INTEGER NOT NULL DEFAULT 0,
          desk INTEGER NOT NULL DEFAULT 0,
          postal INTEGER NOT NULL DEFAULT 0,
          level3 INTEGER NOT NULL DEFAULT 0,
          level4 INTEGER NOT NULL DEFAULT 0,
          with_fee INTEGER NOT NULL DEFAULT 0,
          paid_online INTEGER NOT NULL DEFAULT 0,
          early INTEGER NOT NULL DEFAULT 0,
          on_time INTEGER NOT NULL DEFAULT 0,
          late INTEGER NOT NULL DEFAULT 0,
          closed INTEGER NOT NULL DEFAULT 0,
          working_seconds INTEGER NOT NULL DEFAULT 0,
          digitised INTEGER NOT NULL DEFAULT 0,
          rated INTEGER NOT NULL DEFAULT 0,
          poorly_rated INTEGER NOT NULL DEFAULT 0,
          returned INTEGER NOT NULL DEFAULT 0,
          returned_by_post INTEGER NOT NULL DEFAULT 0,
          PRIMARY KEY (agency_id, procedure_code, day)
        ) WITHOUT ROWID;
        """

    /// Writes (or rewrites) the fact of a dossier and moves its day counters; nothing before it
    /// is received, and nothing when the fact did not change.
    static func syncStats(_ d: Dossier, previous: Dossier?, db: Database) throws {
        guard let fact = StatFact(d) else { return }
        let old = previous.flatMap(StatFact.init)
        if old == fact { return }
        try writeFact(fact, replacing: old, db: db)
    }

    static func writeFact(_ f: StatFact, replacing old: StatFact?, db: Database) throws {
        try insertFactRow(f, db: db)
        for (at, values) in StatRows.deltas(f, replacing: old) { try addDay(agency: at.agency, procedure: f.procedureCode, day: at.day, values, db: db) }
        try noteGroup(agency: f.agencyID, procedure: f.procedureCode, firstDay: StatRows.localDay(f.receivedAt), span: f.span, db: db)
        if let desk = f.receivingAgencyID {
            try noteGroup(agency: desk, procedure: f.procedureCode, firstDay: StatRows.localDay(f.receivedAt), span: 0, db: db)
        }
    }

    static func insertFactRow(_ f: StatFact, db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO dossier_stats(agency_id, procedure_code, received_at, dossier_id, channel, level, resolved_at,
              resolution, due_at, supp_from, supp_until, fee_from, fee_until, returned_at, returned_by_post, has_fee, paid_online,
              digitised, rating, working_seconds)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                f.agencyID, f.procedureCode, f.receivedAt, f.dossierID, StatRows.channelCode(f.channel), f.level, f.resolvedAt,
                f.resolution?.rawValue, f.dueAt, f.supplementationFrom, f.supplementationUntil, f.feeFrom, f.feeUntil, f.returnedAt,
                f.returnedByPost, f.hasFee, f.paidOnline, f.digitised, f.rating, f.workingSeconds])
    }

    static let addDaySQL = """
        INSERT INTO stat_days(agency_id, procedure_code, day, \(StatRows.dayColumns.joined(separator: ", ")))
        VALUES (?, ?, ?, \(StatRows.dayColumns.map { _ in "?" }.joined(separator: ", ")))
        ON CONFLICT DO UPDATE SET \(StatRows.dayColumns.map { "\($0) = \($0) + excluded.\($0)" }.joined(separator: ", "))
        """

    static func addDay(agency: String, procedure: String, day: Int64, _ values: [Int64], db: Database) throws {
        guard values.contains(where: { $0 != 0 }) else { return }
        try db.cachedStatement(sql: addDaySQL).execute(arguments: StatementArguments([agency, procedure, day] + values))
    }

    static func noteGroup(agency: String, procedure: String, firstDay: Int64, span: Int64, db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO stat_groups(agency_id, procedure_code, first_day, span) VALUES (?, ?, ?, ?)
            ON CONFLICT DO UPDATE SET first_day = min(first_day, excluded.first_day), span = max(span, excluded.span)
            WHERE excluded.first_day < first_day OR excluded.span > span
            """).execute(arguments: [agency, procedure, firstDay, span])
    }

    /// Bulk load of new facts (benchmarks and generated data), in one transaction per call; the
    /// day counters are summed in memory first.
    public func recordFacts(_ facts: [StatFact]) async throws {
        let (days, groups) = StatRows.sums(facts)
        try await batcher.write { [days, groups] db in
            // A bulk load touches pages all over the clustered table: keep them in memory
            // rather than spilling them to the WAL again and again.
            try db.execute(sql: "PRAGMA cache_size = -524288")
            defer { try? db.execute(sql: "PRAGMA cache_size = -2000") }
            for f in facts { try Self.insertFactRow(f, db: db) }
            for (key, values) in days { try Self.addDay(agency: key.agency, procedure: key.procedure, day: key.day, values, db: db) }
            for (group, firstDay, span) in groups {
                try Self.noteGroup(agency: group.agency, procedure: group.procedure, firstDay: firstDay, span: span, db: db)
            }
        }
    }


    /// The rows open at `:t` (received before it, not resolved before it) that can count in the
    /// period: recent ones from the table; older ones from the long-lived index, the open index,
    /// and, of those waiting for a supplementation that never came, only those whose wait began
    /// in the period or later (one waiting since before it was counted resolved then, and counts
    /// nowhere now). `columns` is spliced in.
    static func openAt(_ t: String, columns: String) -> String {
        """
        SELECT \(columns) FROM dossier_stats
        WHERE agency_id = :agency AND procedure_code = :procedure AND received_at >= \(t) - \(StatRows.shortLife) AND received_at < \(t)
          AND coalesce(resolved_at, :inf) >= \(t)
        UNION ALL
        SELECT \(columns) FROM dossier_stats INDEXED BY dossier_stats_long
        WHERE agency_id = :agency AND procedure_code = :procedure AND \(StatRows.longPredicate)
          AND received_at >= \(t) - :span AND received_at < \(t) - \(StatRows.shortLife) AND resolved_at >= \(t)
        UNION ALL
        SELECT \(columns) FROM dossier_stats INDEXED BY dossier_stats_open
        WHERE agency_id = :agency AND procedure_code = :procedure AND \(StatRows.openPredicate)
          AND received_at < \(t) - \(StatRows.shortLife)
        UNION ALL
        SELECT \(columns) FROM dossier_stats INDEXED BY dossier_stats_waiting
        WHERE agency_id = :agency AND procedure_code = :procedure AND \(StatRows.waitingPredicate)
          AND supp_from >= :a AND received_at < \(t) - \(StatRows.shortLife)
        """
    }

    /// The rows open at the period's start: carried over (not waiting for supplementation), or
    /// back from a supplementation that spanned the start, by channel.
    static let startSQL = """
        SELECT sum(NOT waiting), sum(waiting AND back AND channel = 1), sum(waiting AND back AND channel = 0),
               sum(waiting AND back AND channel = 2)
        FROM (\(openAt(":a", columns: """
            channel, coalesce(supp_from < :a AND coalesce(supp_until, :inf) >= :a, 0) AS waiting, coalesce(supp_until < :b, 0) AS back
            """)))
        """

    /// The rows open at the period's end: waiting for supplementation since inside the period
    /// (resolved on time), or pending: within term (or waiting for the fee), overdue.
    static let endSQL = """
        SELECT sum(waiting AND NOT before), sum(NOT waiting AND NOT overdue), sum(NOT waiting AND overdue)
        FROM (\(openAt(":b", columns: """
            coalesce(supp_from < :b AND coalesce(supp_until, :inf) >= :b, 0) AS waiting, coalesce(supp_from < :a, 0) AS before,
            coalesce(due_at < :b AND NOT coalesce(fee_from < :b AND coalesce(fee_until, :inf) >= :b, 0), 0) AS overdue
            """)))
        """

    static let daysSQL = """
        SELECT \(StatRows.dayColumns.map { "sum(\($0))" }.joined(separator: ", ")) FROM stat_days
        WHERE agency_id = ? AND procedure_code = ? AND day >= ? AND day < ?
        """

    /// The tallies of every (agency, procedure) group over [from, to) (seconds since 1970, at
    /// local midnights), for the given agencies (all when nil). Groups with nothing in the
    /// period are left out. Matches `Tally.of(_:from:to:)` summed over the facts, for facts that
    /// keep the lifecycle's order (a pause ends no later than the resolution).
    public func stepTallies(from: Double, to: Double, agencies: Set<String>?, byOfficer: Bool) async throws -> [StepTally] {
        let key = byOfficer ? "officer_id" : "coalesce(department_id, '')"
        let list = agencies.map { $0.sorted() }
        var sql = "SELECT \(key), max(officer_name), step, count(*), sum(late) FROM step_facts WHERE ended_at >= ? AND ended_at < ?"
        if let list { sql += " AND agency_id IN (\(list.map { _ in "?" }.joined(separator: ", ")))" }
        sql += " GROUP BY 1, 3 ORDER BY 1, 3"
        let arguments = StatementArguments([from.databaseValue, to.databaseValue] + (list ?? []).map(\.databaseValue))
        let statement = sql
        return try await pool.read { db in
            try Row.fetchAll(db, sql: statement, arguments: arguments).compactMap { row in
                ProcessingStep(rawValue: row[2]).map {
                    StepTally(key: row[0], name: byOfficer ? row[1] : nil, step: $0, total: row[3], late: row[4])
                }
            }
        }
    }

    public func statTallies(from a: Int64, to b: Int64, agencies: Set<String>?) async throws -> [GroupTally] {
        try await pool.read { db in
            let firstDay = StatRows.localDay(a), endDay = StatRows.endDay(b)
            let groups = try Row.fetchAll(
                db, sql: "SELECT agency_id, procedure_code, span FROM stat_groups WHERE first_day < ?", arguments: [endDay])
            let days = try db.cachedStatement(sql: Self.daysSQL)
            let start = try db.cachedStatement(sql: Self.startSQL)
            let end = try db.cachedStatement(sql: Self.endSQL)
            var result: [GroupTally] = []
            for group in groups {
                let agency: String = group[0], procedure: String = group[1], span: Int64 = group[2]
                if let agencies, !agencies.contains(agency) { continue }
                func numbers(_ statement: Statement, _ count: Int) throws -> [Int] {
                    guard let row = try Row.fetchOne(statement) else { return Array(repeating: 0, count: count) }
                    return (0..<count).map { Int((row[$0] as Int64?) ?? 0) }
                }
                try days.setArguments([agency, procedure, firstDay, endDay])
                let d = try numbers(days, StatRows.dayColumns.count)
                let named: [String: (any DatabaseValueConvertible)?] = [
                    "a": a, "b": b, "span": span, "inf": Int64.max, "agency": agency, "procedure": procedure,
                ]
                try start.setArguments(StatementArguments(named))
                let s = try numbers(start, 4)
                try end.setArguments(StatementArguments(named))
                let e = try numbers(end, 3)
                let t = StatRows.tally(days: d, start: s, end: e)
                if t != Tally() { result.append(GroupTally(agencyID: agency, procedureCode: procedure, tally: t)) }
            }
            return result
        }
    }
}


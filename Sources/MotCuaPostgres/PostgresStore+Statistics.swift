import Foundation
import MotCuaCore
import MotCuaStore
import PostgresNIO

// The statistics rows, laid out and read as in SQLite (`SQLiteStore+Statistics.swift` explains
// the layout): day counters summed over the period, plus the dossiers open at its two ends.
extension PostgresStore {
    static func syncStats(_ d: Dossier, previous: Dossier?, into pipeline: inout Pipeline) {
        guard let fact = StatFact(d) else { return }
        let old = previous.flatMap(StatFact.init)
        if old == fact { return }
        writeFact(fact, replacing: old, into: &pipeline)
    }

    static func writeFact(_ f: StatFact, replacing old: StatFact?, into pipeline: inout Pipeline) {
        insertFactRow(f, into: &pipeline)
        for (day, values) in StatRows.deltas(f, replacing: old).sorted(by: { $0.key < $1.key }) {
            addDay(agency: f.agencyID, procedure: f.procedureCode, day: day, values, into: &pipeline)
        }
        noteGroup(agency: f.agencyID, procedure: f.procedureCode, firstDay: StatRows.localDay(f.receivedAt), span: f.span, into: &pipeline)
    }

    static func insertFactRow(_ f: StatFact, into pipeline: inout Pipeline) {
        pipeline.add("""
            INSERT INTO dossier_stats(agency_id, procedure_code, received_at, dossier_id, channel, level, resolved_at, resolution,
              due_at, supp_from, supp_until, fee_from, fee_until, returned_at, returned_by_post, has_fee, paid_online, digitised,
              rating, working_seconds)
            VALUES (\(f.agencyID), \(f.procedureCode), \(f.receivedAt), \(f.dossierID), \(StatRows.channelCode(f.channel)), \(f.level),
              \(f.resolvedAt), \(f.resolution?.rawValue), \(f.dueAt), \(f.supplementationFrom), \(f.supplementationUntil), \(f.feeFrom),
              \(f.feeUntil), \(f.returnedAt), \(f.returnedByPost), \(f.hasFee), \(f.paidOnline), \(f.digitised), \(f.rating),
              \(f.workingSeconds))
            ON CONFLICT (agency_id, procedure_code, received_at, dossier_id) DO UPDATE SET channel = excluded.channel,
              level = excluded.level, resolved_at = excluded.resolved_at, resolution = excluded.resolution, due_at = excluded.due_at,
              supp_from = excluded.supp_from, supp_until = excluded.supp_until, fee_from = excluded.fee_from,
              fee_until = excluded.fee_until, returned_at = excluded.returned_at, returned_by_post = excluded.returned_by_post,
              has_fee = excluded.has_fee, paid_online = excluded.paid_online, digitised = excluded.digitised, rating = excluded.rating,
              working_seconds = excluded.working_seconds
            """)
    }

    static let addDaySQL = """
        INSERT INTO stat_days(agency_id, procedure_code, day, \(StatRows.dayColumns.joined(separator: ", ")))
        VALUES ($1, $2, $3, \(StatRows.dayColumns.indices.map { "$\($0 + 4)" }.joined(separator: ", ")))
        ON CONFLICT (agency_id, procedure_code, day) DO UPDATE SET
          \(StatRows.dayColumns.map { "\($0) = stat_days.\($0) + excluded.\($0)" }.joined(separator: ", "))
        """

    static func addDay(agency: String, procedure: String, day: Int64, _ values: [Int64], into pipeline: inout Pipeline) {
        guard values.contains(where: { $0 != 0 }) else { return }
        var binds = PostgresBindings()
        binds.append(agency)
        binds.append(procedure)
        binds.append(day)
        for value in values { binds.append(value) }
        pipeline.add(PostgresQuery(unsafeSQL: addDaySQL, binds: binds))
    }

    static func noteGroup(agency: String, procedure: String, firstDay: Int64, span: Int64, into pipeline: inout Pipeline) {
        pipeline.add("""
            INSERT INTO stat_groups(agency_id, procedure_code, first_day, span) VALUES (\(agency), \(procedure), \(firstDay), \(span))
            ON CONFLICT (agency_id, procedure_code) DO UPDATE
              SET first_day = least(stat_groups.first_day, excluded.first_day), span = greatest(stat_groups.span, excluded.span)
            WHERE excluded.first_day < stat_groups.first_day OR excluded.span > stat_groups.span
            """)
    }

    /// Bulk load (benchmarks, generated history): the facts go in as arrays, a few thousand rows
    /// a statement, and the day counters are summed in memory first.
    public func recordFacts(_ facts: [StatFact]) async throws {
        let (dayRows, groupRows) = StatRows.sums(facts)
        try await transaction(timeout: Self.bulkTimeout) { connection in
            for chunk in stride(from: 0, to: facts.count, by: 5_000) {
                try await connection.query(Self.factsQuery(facts[chunk..<min(chunk + 5_000, facts.count)]), logger: self.logger)
            }
            var pipeline = Pipeline()
            for (key, values) in dayRows {
                Self.addDay(agency: key.agency, procedure: key.procedure, day: key.day, values, into: &pipeline)
            }
            for (group, firstDay, span) in groupRows {
                Self.noteGroup(agency: group.agency, procedure: group.procedure, firstDay: firstDay, span: span, into: &pipeline)
            }
            try await pipeline.run(on: connection, logger: self.logger)
        }
    }

    /// Arrays cannot carry NULL here: an absent number travels as this and comes back NULL.
    static let none = Int64.min

    static func factsQuery(_ facts: ArraySlice<StatFact>) -> PostgresQuery {
        func numbers(_ value: (StatFact) -> Int64?) -> [Int64] { facts.map { value($0) ?? none } }
        var binds = PostgresBindings()
        binds.append(facts.map(\.agencyID))
        binds.append(facts.map(\.procedureCode))
        binds.append(facts.map(\.receivedAt))
        binds.append(facts.map(\.dossierID))
        binds.append(numbers { Int64(StatRows.channelCode($0.channel)) })
        binds.append(numbers { Int64($0.level) })
        binds.append(numbers(\.resolvedAt))
        binds.append(numbers { $0.resolution.map { Int64($0.rawValue) } })
        binds.append(numbers(\.dueAt))
        binds.append(numbers(\.supplementationFrom))
        binds.append(numbers(\.supplementationUntil))
        binds.append(numbers(\.feeFrom))
        binds.append(numbers(\.feeUntil))
        binds.append(numbers(\.returnedAt))
        binds.append(facts.map(\.returnedByPost))
        binds.append(facts.map(\.hasFee))
        binds.append(facts.map(\.paidOnline))
        binds.append(facts.map(\.digitised))
        binds.append(numbers { $0.rating.map(Int64.init) })
        binds.append(numbers(\.workingSeconds))
        let n = "\(none)"
        return PostgresQuery(unsafeSQL: """
            INSERT INTO dossier_stats(agency_id, procedure_code, received_at, dossier_id, channel, level, resolved_at, resolution,
              due_at, supp_from, supp_until, fee_from, fee_until, returned_at, returned_by_post, has_fee, paid_online, digitised,
              rating, working_seconds)
            SELECT a, p, r, d, c::integer, l::integer, nullif(rs, \(n)), nullif(rn, \(n))::integer, nullif(du, \(n)), nullif(sf, \(n)),
              nullif(su, \(n)), nullif(ff, \(n)), nullif(fu, \(n)), nullif(ra, \(n)), bp, hf, po, dg, nullif(rt, \(n))::integer, nullif(ws, \(n))
            FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[],
              $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], $15::boolean[], $16::boolean[],
              $17::boolean[], $18::boolean[], $19::bigint[], $20::bigint[])
              AS f(a, p, r, d, c, l, rs, rn, du, sf, su, ff, fu, ra, bp, hf, po, dg, rt, ws)
            """, binds: binds)
    }

    /// The rows open at `t` that can count in the period (see `SQLiteStore.openAt`); `$1` agency,
    /// `$2` procedure, `$3` the period's start, `$4` its end, `$5` the group's longest span,
    /// `$6` infinity.
    static func openAt(_ t: String, columns: String) -> String {
        let short = StatRows.shortLife
        return """
            SELECT \(columns) FROM dossier_stats
            WHERE agency_id = $1 AND procedure_code = $2 AND received_at >= \(t) - \(short) AND received_at < \(t)
              AND coalesce(resolved_at, $6) >= \(t)
            UNION ALL
            SELECT \(columns) FROM dossier_stats
            WHERE agency_id = $1 AND procedure_code = $2 AND resolved_at - received_at > \(short)
              AND received_at >= \(t) - $5 AND received_at < \(t) - \(short) AND resolved_at >= \(t)
            UNION ALL
            SELECT \(columns) FROM dossier_stats
            WHERE agency_id = $1 AND procedure_code = $2 AND resolved_at IS NULL
              AND (supp_from IS NULL OR supp_until IS NOT NULL) AND received_at < \(t) - \(short)
            UNION ALL
            SELECT \(columns) FROM dossier_stats
            WHERE agency_id = $1 AND procedure_code = $2 AND resolved_at IS NULL AND supp_from IS NOT NULL
              AND supp_until IS NULL AND supp_from >= $3 AND received_at < \(t) - \(short)
            """
    }

    static let startSQL = """
        SELECT count(*) FILTER (WHERE NOT waiting), count(*) FILTER (WHERE waiting AND back AND channel = 1),
               count(*) FILTER (WHERE waiting AND back AND channel = 0), count(*) FILTER (WHERE waiting AND back AND channel = 2)
        FROM (\(openAt("$3", columns: """
            channel, coalesce(supp_from < $3 AND coalesce(supp_until, $6) >= $3, false) AS waiting,
            coalesce(supp_until < $4, false) AS back
            """))) AS open_rows
        """

    static let endSQL = """
        SELECT count(*) FILTER (WHERE waiting AND NOT waited_before), count(*) FILTER (WHERE NOT waiting AND NOT overdue),
               count(*) FILTER (WHERE NOT waiting AND overdue)
        FROM (\(openAt("$4", columns: """
            coalesce(supp_from < $4 AND coalesce(supp_until, $6) >= $4, false) AS waiting,
            coalesce(supp_from < $3, false) AS waited_before,
            coalesce(due_at < $4 AND NOT coalesce(fee_from < $4 AND coalesce(fee_until, $6) >= $4, false), false) AS overdue
            """))) AS open_rows
        """

    static let daysSQL = """
        SELECT \(StatRows.dayColumns.map { "coalesce(sum(\($0)), 0)::bigint" }.joined(separator: ", ")) FROM stat_days
        WHERE agency_id = $1 AND procedure_code = $2 AND day >= $3 AND day < $4
        """

    public func statTallies(from a: Int64, to b: Int64, agencies: Set<String>?) async throws -> [GroupTally] {
        let firstDay = StatRows.localDay(a), endDay = StatRows.localDay(b)
        // One connection and one snapshot for the whole report.
        return try await transaction { connection in
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: self.logger)
            let groups = try await connection.query(
                "SELECT agency_id, procedure_code, span FROM stat_groups WHERE first_day < \(endDay) ORDER BY agency_id, procedure_code",
                logger: self.logger
            ).collect().map { try $0.decode((String, String, Int64).self) }
            func numbers(_ sql: String, _ values: [any PostgresDynamicTypeEncodable & Sendable]) async throws -> [Int] {
                var binds = PostgresBindings()
                for value in values { binds.append(value) }
                guard let row = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: self.logger).collect().first
                else { return [] }
                return try row.makeRandomAccess().map { try Int($0.decode(Int64.self)) }
            }
            var result: [GroupTally] = []
            for (agency, procedure, span) in groups {
                if let agencies, !agencies.contains(agency) { continue }
                let d = try await numbers(Self.daysSQL, [agency, procedure, firstDay, endDay])
                let named: [any PostgresDynamicTypeEncodable & Sendable] = [agency, procedure, a, b, span, Int64.max]
                let s = try await numbers(Self.startSQL, named)
                let e = try await numbers(Self.endSQL, named)
                let t = StatRows.tally(days: d, start: s, end: e)
                if t != Tally() { result.append(GroupTally(agencyID: agency, procedureCode: procedure, tally: t)) }
            }
            return result
        }
    }
}

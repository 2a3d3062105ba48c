import Foundation
import MotCuaCore
import MotCuaStore
import PostgresNIO

// The statistics rows, laid out and read as in SQLite (`SQLiteStore+Statistics.swift` explains
// the layout): day counters summed over the period, plus the dossiers open at its two ends.
extension PostgresStore {
    /// Bulk load (benchmarks, generated history): the facts go in as arrays, a few thousand rows
    /// a statement, and the day counters are summed in memory first. (Changes write the same
    /// rows through `ChangeBatch`, with the same statements.)
    public func recordFacts(_ facts: [StatFact]) async throws {
        let (dayRows, groupRows) = StatRows.sums(facts)
        try await transaction(timeout: Self.bulkTimeout) { connection in
            for chunk in stride(from: 0, to: facts.count, by: 5_000) {
                try await connection.query(Self.factsQuery(facts[chunk..<min(chunk + 5_000, facts.count)]), logger: self.logger)
            }
            for chunk in stride(from: 0, to: dayRows.count, by: 5_000) {
                try await connection.query(Self.daysQuery(dayRows[chunk..<min(chunk + 5_000, dayRows.count)]), logger: self.logger)
            }
            for chunk in stride(from: 0, to: groupRows.count, by: 5_000) {
                try await connection.query(Self.groupsQuery(groupRows[chunk..<min(chunk + 5_000, groupRows.count)]), logger: self.logger)
            }
        }
    }

    /// Day counters added as arrays, one statement for many rows (each key once: summed before).
    static func daysQuery(_ rows: ArraySlice<(StatRows.DayKey, [Int64])>) -> PostgresQuery {
        var binds = PostgresBindings()
        binds.append(rows.map(\.0.agency))
        binds.append(rows.map(\.0.procedure))
        binds.append(rows.map(\.0.day))
        for index in StatRows.dayColumns.indices { binds.append(rows.map { $0.1[index] }) }
        let columns = StatRows.dayColumns
        return PostgresQuery(unsafeSQL: """
            INSERT INTO stat_days(agency_id, procedure_code, day, \(columns.joined(separator: ", ")))
            SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], \(columns.indices.map { "$\($0 + 4)::bigint[]" }.joined(separator: ", ")))
            ON CONFLICT (agency_id, procedure_code, day) DO UPDATE SET
              \(columns.map { "\($0) = stat_days.\($0) + excluded.\($0)" }.joined(separator: ", "))
            """, binds: binds)
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
            ON CONFLICT (agency_id, procedure_code, received_at, dossier_id) DO UPDATE SET channel = excluded.channel,
              level = excluded.level, resolved_at = excluded.resolved_at, resolution = excluded.resolution, due_at = excluded.due_at,
              supp_from = excluded.supp_from, supp_until = excluded.supp_until, fee_from = excluded.fee_from,
              fee_until = excluded.fee_until, returned_at = excluded.returned_at, returned_by_post = excluded.returned_by_post,
              has_fee = excluded.has_fee, paid_online = excluded.paid_online, digitised = excluded.digitised, rating = excluded.rating,
              working_seconds = excluded.working_seconds
            """, binds: binds)
    }

    /// Where each (agency, procedure) group's rows begin and how long they may stay open: only
    /// ever widened (each key once: merged before).
    static func groupsQuery(_ rows: ArraySlice<(StatRows.GroupKey, firstDay: Int64, span: Int64)>) -> PostgresQuery {
        var binds = PostgresBindings()
        binds.append(rows.map(\.0.agency))
        binds.append(rows.map(\.0.procedure))
        binds.append(rows.map(\.firstDay))
        binds.append(rows.map(\.span))
        return PostgresQuery(unsafeSQL: """
            INSERT INTO stat_groups(agency_id, procedure_code, first_day, span)
            SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[])
            ON CONFLICT (agency_id, procedure_code) DO UPDATE
              SET first_day = least(stat_groups.first_day, excluded.first_day), span = greatest(stat_groups.span, excluded.span)
            WHERE excluded.first_day < stat_groups.first_day OR excluded.span > stat_groups.span
            """, binds: binds)
    }

    /// The rows of group `g` open at `t` that can count in the period (see `SQLiteStore.openAt`);
    /// `$1` the period's start, `$3` infinity.
    static func openAt(_ t: String, columns: String) -> String {
        let short = StatRows.shortLife
        let group = "agency_id = g.agency_id AND procedure_code = g.procedure_code"
        return """
            SELECT \(columns) FROM dossier_stats
            WHERE \(group) AND received_at >= \(t) - \(short) AND received_at < \(t) AND coalesce(resolved_at, $3) >= \(t)
            UNION ALL
            SELECT \(columns) FROM dossier_stats
            WHERE \(group) AND \(StatRows.longPredicate)
              AND received_at >= \(t) - g.span AND received_at < \(t) - \(short) AND resolved_at >= \(t)
            UNION ALL
            SELECT \(columns) FROM dossier_stats
            WHERE \(group) AND \(StatRows.openPredicate) AND received_at < \(t) - \(short)
            UNION ALL
            SELECT \(columns) FROM dossier_stats
            WHERE \(group) AND \(StatRows.waitingPredicate) AND supp_from >= $1 AND received_at < \(t) - \(short)
            """
    }

    /// Every group's report in one statement (one round trip, however many groups): for each
    /// (agency, procedure) group that began before the period's end, its summed day counters
    /// and its rows open at the two ends. `$1` start, `$2` end (seconds), `$3` infinity, `$4`,
    /// `$5` the first and the end day, `$6` the agencies (NULL: all).
    static let talliesSQL = """
        SELECT g.agency_id, g.procedure_code, \(StatRows.dayColumns.map { "coalesce(d.\($0), 0)::bigint" }.joined(separator: ", ")),
               s.carried, s.back_online, s.back_desk, s.back_postal, e.waiting, e.within_term, e.overdue
        FROM stat_groups g
        CROSS JOIN LATERAL (
          SELECT \(StatRows.dayColumns.map { "sum(\($0)) AS \($0)" }.joined(separator: ", ")) FROM stat_days
          WHERE agency_id = g.agency_id AND procedure_code = g.procedure_code AND day >= $4 AND day < $5
        ) d
        CROSS JOIN LATERAL (
          SELECT count(*) FILTER (WHERE NOT waiting) AS carried, count(*) FILTER (WHERE waiting AND back AND channel = 1) AS back_online,
                 count(*) FILTER (WHERE waiting AND back AND channel = 0) AS back_desk,
                 count(*) FILTER (WHERE waiting AND back AND channel = 2) AS back_postal
          FROM (\(openAt("$1", columns: """
            channel, coalesce(supp_from < $1 AND coalesce(supp_until, $3) >= $1, false) AS waiting, coalesce(supp_until < $2, false) AS back
            """))) AS open_rows
        ) s
        CROSS JOIN LATERAL (
          SELECT count(*) FILTER (WHERE waiting AND NOT waited_before) AS waiting,
                 count(*) FILTER (WHERE NOT waiting AND NOT overdue) AS within_term, count(*) FILTER (WHERE NOT waiting AND overdue) AS overdue
          FROM (\(openAt("$2", columns: """
            coalesce(supp_from < $2 AND coalesce(supp_until, $3) >= $2, false) AS waiting,
            coalesce(supp_from < $1, false) AS waited_before,
            coalesce(due_at < $2 AND NOT coalesce(fee_from < $2 AND coalesce(fee_until, $3) >= $2, false), false) AS overdue
            """))) AS open_rows
        ) e
        WHERE g.first_day < $5 AND ($6::text[] IS NULL OR g.agency_id = ANY($6::text[]))
        ORDER BY g.agency_id, g.procedure_code
        """

    public func stepTallies(from: Double, to: Double, agencies: Set<String>?, byOfficer: Bool) async throws -> [StepTally] {
        let key = byOfficer ? "officer_id" : "coalesce(department_id, '')"
        let all = agencies == nil
        let list = (agencies ?? []).sorted()
        return try await rows("""
            SELECT \(unescaped: key), max(officer_name), step, count(*)::bigint, sum(CASE WHEN late THEN 1 ELSE 0 END)::bigint FROM step_facts
            WHERE ended_at >= \(from) AND ended_at < \(to) AND (\(all) OR agency_id = ANY(\(list)))
            GROUP BY 1, 3 ORDER BY 1, 3
            """).compactMap { row in
            let (key, name, step, total, late) = try row.decode((String, String, String, Int64, Int64).self)
            return ProcessingStep(rawValue: step).map { StepTally(key: key, name: byOfficer ? name : nil, step: $0, total: Int(total), late: Int(late)) }
        }
    }

    public func statTallies(from a: Int64, to b: Int64, agencies: Set<String>?) async throws -> [GroupTally] {
        var binds = PostgresBindings()
        binds.append(a)
        binds.append(b)
        binds.append(Int64.max)
        binds.append(StatRows.localDay(a))
        binds.append(StatRows.endDay(b))
        binds.append(agencies.map { $0.sorted() })
        let columns = StatRows.dayColumns.count
        return try await rows(PostgresQuery(unsafeSQL: Self.talliesSQL, binds: binds)).compactMap { row in
            let cells = Array(row.makeRandomAccess())
            let agency = try cells[0].decode(String.self), procedure = try cells[1].decode(String.self)
            let numbers = try cells[2...].map { try Int($0.decode(Int64.self)) }
            let t = StatRows.tally(
                days: Array(numbers[..<columns]), start: Array(numbers[columns..<(columns + 4)]), end: Array(numbers[(columns + 4)...]))
            return t == Tally() ? nil : GroupTally(agencyID: agency, procedureCode: procedure, tally: t)
        }
    }
}

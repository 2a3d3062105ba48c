import Foundation
import MotCuaCore

// The statistics rows both backends write with each change (see `SQLiteStore+Statistics.swift`
// for the layout): which day counters a dossier's `StatFact` adds to.

/// One group's counts: what a report row is built from.
public struct GroupTally: Hashable, Sendable {
    public var agencyID: String
    public var procedureCode: String
    public var tally: Tally

    public init(agencyID: String, procedureCode: String, tally: Tally) {
        self.agencyID = agencyID
        self.procedureCode = procedureCode
        self.tally = tally
    }
}

package enum StatRows {
    /// Dossiers that took longer than this (14 days) from receipt to resolution are also in a
    /// partial index: the ends of a period read every dossier received in the 14 days before,
    /// and only these (and the still-open ones) further back.
    package static let shortLife: Int64 = 1_209_600

    /// The predicates of `dossier_stats`' partial indexes, which the reads of a period's ends
    /// repeat: a planner takes a partial index only for a WHERE that implies its predicate.
    package static let openPredicate = "resolved_at IS NULL AND (supp_from IS NULL OR supp_until IS NOT NULL)"
    package static let waitingPredicate = "resolved_at IS NULL AND supp_from IS NOT NULL AND supp_until IS NULL"
    package static let longPredicate = "resolved_at - received_at > \(shortLife)"

    /// The partial indexes, as both backends' statistics migrations made them (SQLite
    /// `v5-statistics`, PostgreSQL `v1-schema`): shipped, so this text never changes
    /// (`ShippedMigrationTests` pins it). A later index is a new migration.
    package static let partialIndexes = """
        CREATE INDEX dossier_stats_open ON dossier_stats(agency_id, procedure_code, received_at)
          WHERE \(openPredicate);
        CREATE INDEX dossier_stats_waiting ON dossier_stats(agency_id, procedure_code, supp_from)
          WHERE \(waitingPredicate);
        CREATE INDEX dossier_stats_long ON dossier_stats(agency_id, procedure_code, received_at)
          WHERE \(longPredicate);
        """

    /// The counters of `stat_days`, in column order.
    package static let dayColumns = [
        "fresh", "online", "desk", "postal", "level3", "level4", "with_fee", "paid_online", "early", "on_time", "late", "closed",
        "working_seconds", "digitised", "rated", "poorly_rated", "returned", "returned_by_post",
        "received_elsewhere", "received_for_others",
    ]

    package static func channelCode(_ channel: Channel) -> Int {
        switch channel {
        case .desk: 0
        case .online: 1
        case .postal: 2
        }
    }

    /// Local (Vietnam) day number of an instant.
    package static func localDay(_ seconds: Int64) -> Int64 {
        (seconds + WorkCalendar.utcOffset).floorDiv(86_400)
    }

    /// The first local day after a period ending at `seconds`: a report cut at now (a period not
    /// yet ended) counts today's rows, since none lies ahead of now.
    package static func endDay(_ seconds: Int64) -> Int64 {
        localDay(seconds - 1) + 1
    }

    /// A day of one agency's counters (of the fact's procedure).
    package struct AgencyDay: Hashable, Sendable {
        package var agency: String, day: Int64
    }

    /// What a fact adds to each day's counters: the competent agency's, and for a dossier filed
    /// anywhere in the province, its receiving desk's agency's count of dossiers taken in for others.
    package static func dayContributions(_ f: StatFact) -> [AgencyDay: [Int64]] {
        var days: [AgencyDay: [Int64]] = [:]
        func add(_ day: Int64, _ column: String, _ value: Int64 = 1, agency: String? = nil) {
            guard value != 0, let index = dayColumns.firstIndex(of: column) else { return }
            days[AgencyDay(agency: agency ?? f.agencyID, day: day), default: Array(repeating: 0, count: dayColumns.count)][index] += value
        }
        let received = localDay(f.receivedAt)
        add(received, "fresh")
        if let desk = f.receivingAgencyID {
            add(received, "received_elsewhere")
            add(received, "received_for_others", agency: desk)
        }
        add(received, ["desk", "online", "postal"][channelCode(f.channel)])
        if f.level == 3 { add(received, "level3") }
        if f.level == 4 { add(received, "level4") }
        if f.hasFee { add(received, "with_fee") }
        if f.hasFee && f.paidOnline { add(received, "paid_online") }
        if let resolvedAt = f.resolvedAt {
            let day = localDay(resolvedAt)
            let resolution = f.resolution ?? .onTime
            add(day, ["early", "on_time", "late", "closed"][resolution.rawValue])
            if resolution != .closed {
                add(day, "working_seconds", f.workingSeconds ?? 0)
                if f.digitised { add(day, "digitised") }
                if let rating = f.rating {
                    add(day, "rated")
                    if rating <= 2 { add(day, "poorly_rated") }
                }
            }
        }
        if let returnedAt = f.returnedAt {
            add(localDay(returnedAt), "returned")
            if f.returnedByPost { add(localDay(returnedAt), "returned_by_post") }
        }
        return days
    }


    package struct DayKey: Hashable, Sendable {
        package var agency: String, procedure: String, day: Int64
    }

    package struct GroupKey: Hashable, Sendable {
        package var agency: String, procedure: String
    }

    /// Day counters and group bounds summed in memory over many facts (a bulk load, or a batch of
    /// changes), each key once: an upsert may touch a row only once per statement. Read in key
    /// order, so that two writers take their row locks in the same order and never deadlock.
    package struct Sums: Sendable {
        private var days: [DayKey: [Int64]] = [:]
        private var groups: [GroupKey: (firstDay: Int64, span: Int64)] = [:]

        package init() {}

        /// Adds what writing `f` in place of `old` (nil: a new row) changes.
        package mutating func add(_ f: StatFact, replacing old: StatFact? = nil) {
            for (at, values) in deltas(f, replacing: old) {
                let key = DayKey(agency: at.agency, procedure: f.procedureCode, day: at.day)
                var row = days[key] ?? Array(repeating: 0, count: dayColumns.count)
                for index in values.indices { row[index] += values[index] }
                days[key] = row
            }
            let group = GroupKey(agency: f.agencyID, procedure: f.procedureCode)
            let first = localDay(f.receivedAt)
            let known = groups[group] ?? (first, f.span)
            groups[group] = (min(known.firstDay, first), max(known.span, f.span))
            if let desk = f.receivingAgencyID {
                // The receiving desk's group has day counters only: no span of its own.
                let other = GroupKey(agency: desk, procedure: f.procedureCode)
                groups[other] = (min(groups[other]?.firstDay ?? first, first), groups[other]?.span ?? 0)
            }
        }

        /// The day rows whose counters change, in key order.
        package var dayRows: [(DayKey, [Int64])] {
            days.filter { $0.value.contains { $0 != 0 } }
                .sorted { ($0.key.agency, $0.key.procedure, $0.key.day) < ($1.key.agency, $1.key.procedure, $1.key.day) }
                .map { ($0.key, $0.value) }
        }

        package var groupRows: [(GroupKey, firstDay: Int64, span: Int64)] {
            groups.sorted { ($0.key.agency, $0.key.procedure) < ($1.key.agency, $1.key.procedure) }
                .map { ($0.key, $0.value.firstDay, $0.value.span) }
        }
    }

    /// A bulk load's day counters and group bounds (see `Sums`).
    package static func sums(_ facts: [StatFact]) -> (days: [(DayKey, [Int64])], groups: [(GroupKey, firstDay: Int64, span: Int64)]) {
        var sums = Sums()
        for f in facts { sums.add(f) }
        return (sums.dayRows, sums.groupRows)
    }

    /// What rewriting `old` as `f` adds to each day's counters (negative where it moves away).
    package static func deltas(_ f: StatFact, replacing old: StatFact?) -> [AgencyDay: [Int64]] {
        var deltas = dayContributions(f)
        if let old {
            for (at, values) in dayContributions(old) {
                var row = deltas[at] ?? Array(repeating: 0, count: dayColumns.count)
                for index in values.indices { row[index] -= values[index] }
                deltas[at] = row
            }
        }
        return deltas
    }

    /// A group's tally from the period's summed day counters (`days`, in `dayColumns` order),
    /// the rows open at its start (carried over; back from supplementation online, desk, postal)
    /// and at its end (waiting for supplementation since inside it; within term; overdue).
    package static func tally(days d: [Int], start s: [Int], end e: [Int]) -> Tally {
        var t = Tally()
        t.received.carriedOver = s[0]
        t.received.online = d[1] + s[1]
        t.received.desk = d[2] + s[2]
        t.received.postal = d[3] + s[3]
        t.received.total = t.received.carriedOver + t.received.online + t.received.desk + t.received.postal
        t.resolved.early = d[8]
        t.resolved.onTime = d[9] + d[11] + e[0]
        t.resolved.late = d[10]
        t.resolved.total = t.resolved.early + t.resolved.onTime + t.resolved.late
        t.pending.withinTerm = e[1]
        t.pending.overdue = e[2]
        t.pending.total = e[1] + e[2]
        t.counts.fresh = d[0]; t.counts.level3 = d[4]; t.counts.level4 = d[5]; t.counts.postal = d[3]
        t.counts.withFee = d[6]; t.counts.paidOnline = d[7]
        t.counts.finished = d[8] + d[9] + d[10]; t.counts.workingSeconds = Int64(d[12]); t.counts.digitised = d[13]
        t.counts.rated = d[14]; t.counts.poorlyRated = d[15]; t.counts.returned = d[16]; t.counts.returnedByPost = d[17]
        t.counts.receivedElsewhere = d[18]; t.counts.receivedForOthers = d[19]
        return t
    }
}

extension Int64 {
    /// Division rounding towards minus infinity (days before 1970 too).
    func floorDiv(_ divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }
}

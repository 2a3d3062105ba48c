import Foundation

/// The service-centre report's counts for one group of dossiers over one period, and the
/// numerators the national indicators need.
///
/// The rules (domain.md, "Statistics"), for a period [from, to):
/// - **carried over**: received before `from`, not resolved before it, and not waiting for
///   supplementation at `from` (a dossier waiting at a period's end was counted resolved then);
/// - **received in the period** (online, desk, postal by channel): received in [from, to), or
///   back from a supplementation wait that spanned `from`;
/// - **resolved**: result ready (early, on time, late as recorded) or refused, withdrawn or
///   stopped (on time) before `to`; or still waiting for supplementation at `to` (on time);
/// - **pending** at `to`: the rest, judged at `to`: overdue when its due time has passed,
///   within term otherwise or while the clock is stopped for the fee.
///
/// So, always: received.total = online + desk + postal + carriedOver = resolved.total +
/// pending.total; resolved.total = early + onTime + late; pending.total = withinTerm + overdue.
public struct Tally: Hashable, Sendable, Codable {
    public struct Received: Hashable, Sendable, Codable {
        public var total = 0, online = 0, desk = 0, postal = 0, carriedOver = 0
    }

    public struct Resolved: Hashable, Sendable, Codable {
        public var total = 0, early = 0, onTime = 0, late = 0
    }

    public struct Pending: Hashable, Sendable, Codable {
        public var total = 0, withinTerm = 0, overdue = 0
    }

    /// Numerators and denominators of the indicators.
    public struct Counts: Hashable, Sendable, Codable {
        /// Dossiers first received in the period, and of those: level 3, level 4, by post, with a
        /// fee, paid online.
        public var fresh = 0, level3 = 0, level4 = 0, postal = 0, withFee = 0, paidOnline = 0
        /// Results handed back in the period, and of those by post.
        public var returned = 0, returnedByPost = 0
        /// Results made ready in the period, their working seconds, and those fully digitised.
        public var finished = 0, workingSeconds: Int64 = 0, digitised = 0
        /// Results of the period that the applicant rated, and rated poorly (1 or 2 of 5).
        public var rated = 0, poorlyRated = 0
        /// Filed anywhere in the province, first received in the period: of the group's own
        /// dossiers, those another agency's desk took in (received elsewhere); and the dossiers
        /// the group's desk took in for other agencies, which count there (received for others).
        public var receivedElsewhere = 0, receivedForOthers = 0
    }

    public var received = Received()
    public var resolved = Resolved()
    public var pending = Pending()
    public var counts = Counts()

    public init() {}

    public static func + (lhs: Tally, rhs: Tally) -> Tally {
        var t = lhs
        t.add(rhs)
        return t
    }

    public mutating func add(_ o: Tally) {
        received.total += o.received.total; received.online += o.received.online; received.desk += o.received.desk
        received.postal += o.received.postal; received.carriedOver += o.received.carriedOver
        resolved.total += o.resolved.total; resolved.early += o.resolved.early; resolved.onTime += o.resolved.onTime
        resolved.late += o.resolved.late
        pending.total += o.pending.total; pending.withinTerm += o.pending.withinTerm; pending.overdue += o.pending.overdue
        counts.fresh += o.counts.fresh; counts.level3 += o.counts.level3; counts.level4 += o.counts.level4
        counts.postal += o.counts.postal; counts.withFee += o.counts.withFee; counts.paidOnline += o.counts.paidOnline
        counts.returned += o.counts.returned; counts.returnedByPost += o.counts.returnedByPost
        counts.finished += o.counts.finished; counts.workingSeconds += o.counts.workingSeconds; counts.digitised += o.counts.digitised
        counts.rated += o.counts.rated; counts.poorlyRated += o.counts.poorlyRated
        counts.receivedElsewhere += o.counts.receivedElsewhere; counts.receivedForOthers += o.counts.receivedForOthers
    }

    /// Whether the report's four identities hold.
    public var isConsistent: Bool {
        received.total == received.online + received.desk + received.postal + received.carriedOver
            && received.total == resolved.total + pending.total
            && resolved.total == resolved.early + resolved.onTime + resolved.late
            && pending.total == pending.withinTerm + pending.overdue
    }

    /// One dossier's contribution to the period [from, to) (seconds since 1970). This is the
    /// reference the SQL aggregation in the store is tested against.
    public static func of(_ f: StatFact, from a: Int64, to b: Int64) -> Tally {
        var t = Tally()
        func waiting(at instant: Int64) -> Bool {
            guard let s = f.supplementationFrom, s < instant else { return false }
            return (f.supplementationUntil ?? .max) >= instant && (f.resolvedAt ?? .max) >= instant
        }
        func waitingForFee(at instant: Int64) -> Bool {
            guard let s = f.feeFrom, s < instant else { return false }
            return (f.feeUntil ?? .max) >= instant
        }
        let openAtStart = f.receivedAt < a && (f.resolvedAt ?? .max) >= a
        let carried = openAtStart && !waiting(at: a)
        let fresh = f.receivedAt >= a && f.receivedAt < b
        let resumed = openAtStart && waiting(at: a) && (f.supplementationUntil.map { $0 < b } ?? false)
        if let returned = f.returnedAt, returned >= a, returned < b {
            t.counts.returned = 1
            t.counts.returnedByPost = f.returnedByPost ? 1 : 0
        }
        guard carried || fresh || resumed else { return t }

        t.received.total = 1
        if carried {
            t.received.carriedOver = 1
        } else {
            switch f.channel {
            case .online: t.received.online = 1
            case .desk: t.received.desk = 1
            case .postal: t.received.postal = 1
            }
        }
        if fresh {
            t.counts.fresh = 1
            t.counts.level3 = f.level == 3 ? 1 : 0
            t.counts.level4 = f.level == 4 ? 1 : 0
            t.counts.postal = f.channel == .postal ? 1 : 0
            t.counts.withFee = f.hasFee ? 1 : 0
            t.counts.paidOnline = f.hasFee && f.paidOnline ? 1 : 0
            t.counts.receivedElsewhere = f.receivingAgencyID == nil ? 0 : 1
        }
        if let resolvedAt = f.resolvedAt, resolvedAt < b {
            t.resolved.total = 1
            switch f.resolution ?? .onTime {
            case .early: t.resolved.early = 1
            case .onTime, .closed: t.resolved.onTime = 1
            case .late: t.resolved.late = 1
            }
            if let resolution = f.resolution, resolution != .closed {
                t.counts.finished = 1
                t.counts.workingSeconds = f.workingSeconds ?? 0
                t.counts.digitised = f.digitised ? 1 : 0
                if let rating = f.rating {
                    t.counts.rated = 1
                    t.counts.poorlyRated = rating <= 2 ? 1 : 0
                }
            }
        } else if waiting(at: b) {
            t.resolved.total = 1
            t.resolved.onTime = 1
        } else {
            t.pending.total = 1
            if !waitingForFee(at: b), let due = f.dueAt, due < b {
                t.pending.overdue = 1
            } else {
                t.pending.withinTerm = 1
            }
        }
        return t
    }
}

extension Tally {
    /// What a dossier filed anywhere in the province adds to its receiving desk's agency over
    /// [from, to): one received for others when first received in the period; nil for a dossier
    /// its competent agency took in itself.
    public static func ofReceivingDesk(_ f: StatFact, from a: Int64, to b: Int64) -> (agencyID: String, tally: Tally)? {
        guard let desk = f.receivingAgencyID else { return nil }
        var t = Tally()
        if f.receivedAt >= a && f.receivedAt < b { t.counts.receivedForOthers = 1 }
        return (desk, t)
    }
}

/// A reporting period: local dates (Vietnam time), the end included.
public struct ReportPeriod: Hashable, Sendable, Codable {
    public var from: LocalDate
    public var to: LocalDate

    public init(from: LocalDate, to: LocalDate) throws(StatisticsError) {
        guard from <= to else { throw .badPeriod("Ngày bắt đầu \(from) sau ngày kết thúc \(to).") }
        self.from = from
        self.to = to
    }

    /// A named period: `2026` (year), `2026-H1` (six months), `2026-Q2` (quarter), `2026-06` (month).
    public init(named name: String) throws(StatisticsError) {
        let parts = name.uppercased().split(separator: "-")
        guard let first = parts.first, first.count == 4, let year = Int(first), (1900...2100).contains(year) else {
            throw .badPeriod("Kỳ báo cáo '\(name)' không hợp lệ; dùng 2026, 2026-H1, 2026-Q2 hoặc 2026-06.")
        }
        func months(_ from: Int, _ count: Int) throws(StatisticsError) -> ReportPeriod {
            let start = LocalDate(year: year, month: from, day: 1)!
            let next = from + count > 12 ? LocalDate(year: year + 1, month: 1, day: 1)! : LocalDate(year: year, month: from + count, day: 1)!
            return try ReportPeriod(from: start, to: next.adding(days: -1))
        }
        switch parts.count == 2 ? String(parts[1]) : nil {
        case nil where parts.count == 1: self = try months(1, 12)
        case "H1": self = try months(1, 6)
        case "H2": self = try months(7, 6)
        case let part? where part.hasPrefix("Q") && part.count == 2 && ("1"..."4").contains(part.dropFirst()):
            self = try months((Int(part.dropFirst())! - 1) * 3 + 1, 3)
        case let part? where part.count == 2 && Int(part).map({ (1...12).contains($0) }) == true:
            self = try months(Int(part)!, 1)
        default:
            throw .badPeriod("Kỳ báo cáo '\(name)' không hợp lệ; dùng 2026, 2026-H1, 2026-Q2 hoặc 2026-06.")
        }
    }

    /// [from 00:00, day after `to` 00:00) in Vietnam time, as seconds since 1970.
    public var bounds: (from: Int64, to: Int64) {
        (Self.midnight(from), Self.midnight(to.adding(days: 1)))
    }

    public var days: Int { to.julianDay - from.julianDay + 1 }

    static func midnight(_ date: LocalDate) -> Int64 {
        Int64(WorkCalendar.instant(date).timeIntervalSince1970)
    }
}

public enum StatisticsError: Error, Sendable, Equatable {
    case badPeriod(String)
    case badDirective(file: String, reason: String)

    public var message: String {
        switch self {
        case let .badPeriod(reason): reason
        case let .badDirective(file, reason): "Tệp chỉ thị \(file): \(reason)"
        }
    }
}

/// How the report's rows are grouped.
public enum ReportGrouping: String, Sendable, Codable, CaseIterable {
    case agency, field, procedure
}

/// One row of the report: its group's key and name, and its counts.
public struct ReportRow: Hashable, Sendable, Codable {
    public var key: String
    public var name: String
    public var tally: Tally

    public init(key: String, name: String, tally: Tally) {
        self.key = key
        self.name = name
        self.tally = tally
    }
}

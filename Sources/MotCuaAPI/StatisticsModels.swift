import Foundation
import MotCuaCore

// The service-centre report (`GET /api/v1/reports`), the national indicators
// (`GET /api/v1/indicators`) and the directive targets (`GET /api/v1/targets`).

/// An agency, a directive: its id and name.
public struct NamedReference: Codable, Sendable, Equatable {
    public var id: String
    public var name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

public struct ReportPeriodView: Codable, Sendable, Equatable {
    public var from: String
    public var to: String
    /// When the dossiers still pending were judged (on time or overdue): the period's end, or
    /// now for a period that has not ended yet (a future end would count as overdue dossiers
    /// that are still within their term today).
    public var judgedAt: Date

    public init(from: String, to: String, judgedAt: Date) {
        self.from = from
        self.to = to
        self.judgedAt = judgedAt
    }
}

public struct ReportRowView: Codable, Sendable, Equatable {
    public var key: String
    public var name: String
    public var received: Tally.Received
    public var resolved: Tally.Resolved
    public var pending: Tally.Pending
    /// Filed anywhere in the province, first received in the period (phi địa giới hành chính).
    public var acrossBoundaries: AcrossBoundaries

    /// The "received across boundaries" columns: of the row's own dossiers, those another
    /// agency's desk took in; and those the row's desk took in for other agencies (counted
    /// there, not in this row's received).
    public struct AcrossBoundaries: Codable, Sendable, Equatable {
        public var receivedElsewhere: Int
        public var receivedForOthers: Int

        public init(receivedElsewhere: Int, receivedForOthers: Int) {
            self.receivedElsewhere = receivedElsewhere
            self.receivedForOthers = receivedForOthers
        }
    }

    public init(key: String, name: String, tally: Tally) {
        self.key = key
        self.name = name
        received = tally.received
        resolved = tally.resolved
        pending = tally.pending
        acrossBoundaries = AcrossBoundaries(
            receivedElsewhere: tally.counts.receivedElsewhere, receivedForOthers: tally.counts.receivedForOthers)
    }
}

public struct ReportView: Codable, Sendable {
    public var period: ReportPeriodView
    public var agency: NamedReference?
    public var by: String
    public var rows: [ReportRowView]
    public var total: ReportRowView

    public init(period: ReportPeriodView, agency: NamedReference? = nil, by: String, rows: [ReportRowView], total: ReportRowView) {
        self.period = period
        self.agency = agency
        self.by = by
        self.rows = rows
        self.total = total
    }
}

public struct IndicatorView: Codable, Sendable {
    public var indicator: String
    public var name: String
    public var unit: String
    public var value: Double?
    public var numerator: Double
    public var denominator: Double

    public init(indicator: String, name: String, unit: String, value: Double? = nil, numerator: Double, denominator: Double) {
        self.indicator = indicator
        self.name = name
        self.unit = unit
        self.value = value
        self.numerator = numerator
        self.denominator = denominator
    }
}

/// `GET /api/v1/indicators`.
public struct IndicatorList: Codable, Sendable {
    public var period: ReportPeriodView
    public var agency: NamedReference?
    public var items: [IndicatorView]

    public init(period: ReportPeriodView, agency: NamedReference? = nil, items: [IndicatorView]) {
        self.period = period
        self.agency = agency
        self.items = items
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(period, forKey: .period)
        // `null` for the whole province, as before (a synthesized encoder would leave it out).
        try container.encode(agency, forKey: .agency)
        try container.encode(items, forKey: .items)
    }

    enum CodingKeys: String, CodingKey { case period, agency, items }
}

public struct TargetView: Codable, Sendable {
    public var indicator: String
    public var name: String
    public var unit: String
    public var comparator: String
    public var threshold: Double
    public var deadline: String
    public var text: String
    public var value: Double?
    public var gap: Double?
    /// met, notMet or noData.
    public var status: String

    public init(
        indicator: String, name: String, unit: String, comparator: String, threshold: Double, deadline: String, text: String,
        value: Double? = nil, gap: Double? = nil, status: String
    ) {
        self.indicator = indicator
        self.name = name
        self.unit = unit
        self.comparator = comparator
        self.threshold = threshold
        self.deadline = deadline
        self.text = text
        self.value = value
        self.gap = gap
        self.status = status
    }
}

/// One directive's targets for one agency over one period.
public struct TargetEvaluationView: Codable, Sendable {
    public var directive: NamedReference
    public var issuedBy: String
    public var agency: NamedReference
    public var period: ReportPeriodView
    public var targets: [TargetView]

    public init(directive: NamedReference, issuedBy: String, agency: NamedReference, period: ReportPeriodView, targets: [TargetView]) {
        self.directive = directive
        self.issuedBy = issuedBy
        self.agency = agency
        self.period = period
        self.targets = targets
    }
}

/// `GET /api/v1/targets`.
public struct TargetEvaluationList: Codable, Sendable {
    public var items: [TargetEvaluationView]

    public init(items: [TargetEvaluationView]) {
        self.items = items
    }
}

/// `GET /api/v1/reports/steps`: the steps that ended in the period, by department or by
/// officer, and how many of them late (issue #20, per-step deadlines).
public struct StepReportView: Codable, Sendable {
    public struct Count: Codable, Sendable, Equatable {
        public var step: ProcessingStep
        public var total: Int
        public var late: Int

        public init(step: ProcessingStep, total: Int, late: Int) {
            self.step = step
            self.total = total
            self.late = late
        }
    }

    public struct Row: Codable, Sendable, Equatable {
        /// The department's or the officer's identifier; "" for the desk's steps (by department).
        public var key: String
        public var name: String
        public var total: Int
        public var late: Int
        public var steps: [Count]

        public init(key: String, name: String, total: Int, late: Int, steps: [Count]) {
            self.key = key
            self.name = name
            self.total = total
            self.late = late
            self.steps = steps
        }
    }

    public var period: ReportPeriodView
    public var agency: NamedReference?
    public var by: String
    public var rows: [Row]

    public init(period: ReportPeriodView, agency: NamedReference?, by: String, rows: [Row]) {
        self.period = period
        self.agency = agency
        self.by = by
        self.rows = rows
    }
}

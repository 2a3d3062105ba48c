import Foundation

/// The steps a dossier's term is divided among (issue #20; practice, domain.md "Per-step
/// deadlines"): the desk, the department's processing, the leader's approval and the return.
/// Each starts with a hand-off on the control sheet, which carries the step's due time; the
/// split never moves the dossier's legal due time (each step's due is at most the dossier's).
public enum ProcessingStep: String, Codable, Sendable, CaseIterable {
    case desk, processing, approval, `return`

    public var vietnameseName: String {
        switch self {
        case .desk: "Tiếp nhận, chuyển hồ sơ"
        case .processing: "Thẩm định, xử lý"
        case .approval: "Phê duyệt, hoàn thiện kết quả"
        case .return: "Trả kết quả"
        }
    }

    /// The step a dossier in `status` is in; nil outside them (before receipt, paused, closed).
    public init?(status: DossierStatus) {
        switch status {
        case .received: self = .desk
        case .processing: self = .processing
        case .approved: self = .approval
        case .resultReady: self = .return
        default: return nil
        }
    }
}

/// How a procedure's term is shared among the steps (shares of the term, summing to 1).
public struct StepSplit: Hashable, Sendable, Codable {
    public var desk: Double
    public var processing: Double
    public var approval: Double
    public var `return`: Double

    public init(desk: Double, processing: Double, approval: Double, return: Double) {
        self.desk = desk
        self.processing = processing
        self.approval = approval
        self.return = `return`
    }

    /// 10% desk, 60% processing, 20% approval, 10% return (practice, illustrative).
    public static let standard = StepSplit(desk: 0.1, processing: 0.6, approval: 0.2, return: 0.1)

    public var isValid: Bool {
        [desk, processing, approval, `return`].allSatisfy { $0 >= 0 } && abs(desk + processing + approval + `return` - 1) < 1e-9
    }

    /// The share of the term that has to be used up by the end of `step`.
    public func cumulative(through step: ProcessingStep) -> Double {
        switch step {
        case .desk: desk
        case .processing: desk + processing
        case .approval: desk + processing + approval
        case .return: 1
        }
    }
}

extension Lifecycle {
    /// The due time of `step` for a dossier as it stands: its cumulative share of the term from
    /// receipt, in working time net of the pauses so far (calendar-day terms: the same share of
    /// the time from receipt to the due time). Never after the dossier's due time.
    public static func stepDue(_ step: ProcessingStep, of d: Dossier, split: StepSplit, calendar: WorkCalendar) -> Date? {
        guard let received = d.receivedAt, let due = d.dueAt else { return nil }
        let share = split.cumulative(through: step)
        guard share < 1 else { return due }
        let computed: Date?
        switch d.term {
        case let .workingDays(n):
            computed = try? calendar.due(from: received, workingSeconds: Int64((Double(Int64(n) * calendar.workingDaySeconds) * share).rounded()), pauses: d.pauses)
        case let .workingHours(n):
            computed = try? calendar.due(from: received, workingSeconds: Int64((Double(n * 3600) * share).rounded()), pauses: d.pauses)
        case .calendarDays:
            computed = received.addingTimeInterval(due.timeIntervalSince(received) * share)
        }
        return min(computed ?? due, due)
    }

    /// Stamps each hand-off that starts a step (or resumes one after a pause) with the step and
    /// its due time, computed on the dossier as that event leaves it.
    static func stampSteps(_ events: [DossierEvent], on dossier: Dossier, context: DecisionContext) -> [DossierEvent] {
        let stamping: Set<DossierEvent.Kind> = [.received, .transferred, .approved, .resultReady, .supplementationReceived, .feePaid, .receivedFromAgency]
        var d = dossier
        return events.map { event in
            var event = event
            d = evolve(d, event)
            if stamping.contains(event.kind), let step = ProcessingStep(status: d.status), !d.isPaused {
                event.step = step
                event.stepDueAt = stepDue(step, of: d, split: context.stepSplit(d.procedureCode), calendar: context.calendar)
            }
            return event
        }
    }

    /// For each event that ended a step: that step's outcome against its due time (early when
    /// it ended on an earlier local day, on time up to the due time, late after), keyed by the
    /// ending event's sequence. A step ends when the next one starts, or with the return.
    public static func stepOutcomes(_ events: [DossierEvent]) -> [Int: StepOutcome] {
        var outcomes: [Int: StepOutcome] = [:]
        var current: (step: ProcessingStep, due: Date)?
        for event in events {
            let ends = event.kind == .returned || (event.step != nil && event.step != current?.step)
            if ends, let (step, due) = current {
                let finished = event.at
                let outcome: Outcome = finished > due ? .late
                    : WorkCalendar.localDate(of: finished) < WorkCalendar.localDate(of: due) ? .early : .onTime
                outcomes[event.sequence] = StepOutcome(step: step, dueAt: due, outcome: outcome)
                current = nil
            }
            if let step = event.step, let due = event.stepDueAt { current = (step, due) }
            if event.kind == .returned || [.withdrawn, .refused, .stopped].contains(event.kind) { current = nil }
        }
        return outcomes
    }
}

/// How a step ended against its due time.
public struct StepOutcome: Hashable, Sendable, Codable {
    public var step: ProcessingStep
    public var dueAt: Date
    public var outcome: Outcome

    public init(step: ProcessingStep, dueAt: Date, outcome: Outcome) {
        self.step = step
        self.dueAt = dueAt
        self.outcome = outcome
    }
}

import Foundation

/// The thresholds the overdue watch looks for, in the order a dossier crosses them.
public enum AlertKind: String, Codable, Sendable, CaseIterable {
    /// Little time left: the near-due window has opened.
    case nearDue
    /// The appointment is today (from local midnight of its day).
    case dueToday
    /// The appointment has passed.
    case overdue
    /// The current step's due time has passed while the dossier is still within its term.
    case stepOverdue

    public var vietnameseName: String {
        switch self {
        case .nearDue: "Sắp đến hạn"
        case .dueToday: "Đến hạn hôm nay"
        case .overdue: "Quá hạn"
        case .stepOverdue: "Quá hạn bước xử lý (hồ sơ còn trong hạn)"
        }
    }
}

/// When a dossier counts as near due: when at most `workingSeconds` of working time, or at most
/// `share` of its term, is left (whichever window is longer). Defaults: 1 working day or 20%.
public struct NearDuePolicy: Sendable, Hashable, Codable {
    public var workingSeconds: Int64
    public var share: Double

    public init(workingSeconds: Int64 = 8 * 3600, share: Double = 0.2) {
        self.workingSeconds = workingSeconds
        self.share = share
    }

    public static let standard = NearDuePolicy()

    /// The instant the near-due window opens for a term of `termSeconds` working seconds
    /// ending at `due`.
    public func opens(before due: Date, termSeconds: Int64, calendar: WorkCalendar) throws(CalendarError) -> Date {
        let window = max(workingSeconds, Int64((Double(termSeconds) * share).rounded(.up)))
        return try calendar.instant(workingSeconds: window, before: due)
    }
}

/// What the watch needs of a dossier: the appointment it is judged on and where its near-due
/// window opens; nil when the clock does not run (not yet received, paused, finished).
public struct WatchPlan: Sendable, Hashable {
    public var due: Date
    public var nearDue: Date
    /// The current step's due time, when it comes before the appointment.
    public var stepDue: Date?

    public init(due: Date, nearDue: Date, stepDue: Date? = nil) {
        self.due = due
        self.nearDue = nearDue
        self.stepDue = stepDue.flatMap { $0 < due ? $0 : nil }
    }

    /// The instant each threshold is crossed, in order.
    public var thresholds: [(kind: AlertKind, at: Date)] {
        [(.nearDue, min(nearDue, due)), (.dueToday, min(WatchPlan.startOfLocalDay(due), due)), (.overdue, due.addingTimeInterval(1))]
            + (stepDue.map { [(.stepOverdue, $0.addingTimeInterval(1))] } ?? [])
    }

    /// The appointment a crossing of `kind` is recorded against: the step's due for a step's.
    public func due(of kind: AlertKind) -> Date {
        kind == .stepOverdue ? (stepDue ?? due) : due
    }

    /// Local (UTC+7) midnight of the day holding `instant`.
    public static func startOfLocalDay(_ instant: Date) -> Date {
        let local = Int64(instant.timeIntervalSince1970.rounded(.down)) + 7 * 3600
        let midnight = local - ((local % 86_400) + 86_400) % 86_400
        return Date(timeIntervalSince1970: Double(midnight - 7 * 3600))
    }
}

extension Dossier {
    /// Statuses in which the clock runs towards the appointment (received, in processing, approved
    /// but not yet ready). A pause (supplementation in processing, waiting for the fee) stops it.
    public var isWatched: Bool {
        [.received, .processing, .approved].contains(status) && !isPaused && appointmentAt != nil
    }

    /// The watch plan, or nil when nothing should be flagged.
    public var watchPlan: WatchPlan? {
        guard isWatched, let due = appointmentAt else { return nil }
        return WatchPlan(due: due, nearDue: nearDueAt ?? due, stepDue: stepDueAt)
    }
}

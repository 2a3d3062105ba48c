import Foundation
import MotCuaCore

// The queues, the leader's digest and a dossier's alerts, as the officer API answers them.

public struct QueueItem: Codable, Sendable {
    public var code: String
    public var status: DossierStatus
    public var nationalStatus: CodeName
    public var applicantName: String
    public var procedure: DossierView.ProcedureRef
    public var receivedAt: Date?
    public var dueAt: Date?
    /// Working seconds left until the appointment (negative once overdue); frozen while paused.
    public var remainingWorkingSeconds: Int64?
    /// The same in words: "còn 1 ngày 2 giờ", "quá hạn 3 giờ".
    public var remaining: String?
    /// green, amber (near due), red (overdue) or paused: how a client colours the row.
    public var level: String
    public var handler: DossierView.Handler?
    /// What the dossier is to the officer's agency: `competent` (it answers for it), `receiving`
    /// (its desk took it in for the competent agency: filed anywhere in the province) or
    /// `partner` (handed to it in an inter-agency hand-off).
    public var agencyRole: String

    public init(
        code: String, status: DossierStatus, nationalStatus: CodeName, applicantName: String, procedure: DossierView.ProcedureRef, receivedAt: Date? = nil, dueAt: Date? = nil, remainingWorkingSeconds: Int64? = nil, remaining: String? = nil, level: String, handler: DossierView.Handler? = nil,
        agencyRole: String = "competent"
    ) {
        self.agencyRole = agencyRole
        self.code = code
        self.status = status
        self.nationalStatus = nationalStatus
        self.applicantName = applicantName
        self.procedure = procedure
        self.receivedAt = receivedAt
        self.dueAt = dueAt
        self.remainingWorkingSeconds = remainingWorkingSeconds
        self.remaining = remaining
        self.level = level
        self.handler = handler
    }
}

public struct QueuePage: Codable, Sendable {
    public var queue: String
    public var title: String
    public var total: Int
    /// False when `total` is the bound the count stopped at (10,000): "at least".
    public var totalIsExact: Bool
    public var limit: Int
    public var offset: Int
    public var items: [QueueItem]

    public init(queue: String, title: String, total: Int, totalIsExact: Bool, limit: Int, offset: Int, items: [QueueItem]) {
        self.queue = queue
        self.title = title
        self.total = total
        self.totalIsExact = totalIsExact
        self.limit = limit
        self.offset = offset
        self.items = items
    }
}

public struct QueueCount: Codable, Sendable {
    public var queue: String
    public var title: String
    public var total: Int
    public var totalIsExact: Bool

    public init(queue: String, title: String, total: Int, totalIsExact: Bool) {
        self.queue = queue
        self.title = title
        self.total = total
        self.totalIsExact = totalIsExact
    }
}

public struct QueueCounts: Codable, Sendable {
    public var items: [QueueCount]

    public init(items: [QueueCount]) {
        self.items = items
    }
}

public struct Digest: Codable, Sendable {
    public var agencyID: String
    public var agency: String
    public var at: Date
    public var total: Int
    public var totalIsExact: Bool
    public var limit: Int
    public var offset: Int
    public var items: [DigestEntry]

    public init(
        agencyID: String, agency: String, at: Date, total: Int, totalIsExact: Bool, limit: Int, offset: Int, items: [DigestEntry]
    ) {
        self.agencyID = agencyID
        self.agency = agency
        self.at = at
        self.total = total
        self.totalIsExact = totalIsExact
        self.limit = limit
        self.offset = offset
        self.items = items
    }
}

public struct AlertView: Codable, Sendable {
    public var kind: String
    public var title: String
    public var due: Date
    public var at: Date

    public init(kind: String, title: String, due: Date, at: Date) {
        self.kind = kind
        self.title = title
        self.due = due
        self.at = at
    }
}

public struct AlertList: Codable, Sendable {
    public var code: String
    public var items: [AlertView]

    public init(code: String, items: [AlertView]) {
        self.code = code
        self.items = items
    }
}

public struct DigestEntry: Codable, Sendable {
    public var code: String
    public var procedure: DossierView.ProcedureRef
    public var applicantName: String
    public var dueAt: Date
    public var overdueWorkingSeconds: Int64
    public var overdue: String
    public var handler: DossierView.Handler?
    public var departmentID: String?
    public var apologized: Bool

    public init(
        code: String, procedure: DossierView.ProcedureRef, applicantName: String, dueAt: Date, overdueWorkingSeconds: Int64, overdue: String, handler: DossierView.Handler? = nil, departmentID: String? = nil, apologized: Bool
    ) {
        self.code = code
        self.procedure = procedure
        self.applicantName = applicantName
        self.dueAt = dueAt
        self.overdueWorkingSeconds = overdueWorkingSeconds
        self.overdue = overdue
        self.handler = handler
        self.departmentID = departmentID
        self.apologized = apologized
    }
}

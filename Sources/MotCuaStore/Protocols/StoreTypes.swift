import Foundation
import MotCuaCore

/// An `Idempotency-Key` as sent by a client, within the client's own namespace.
public struct IdempotencyKey: Sendable, Hashable {
    /// Whose keys these are: the portal's key id, or `public` for citizens.
    public var scope: String
    public var key: String

    public init(scope: String, key: String) {
        self.scope = scope
        self.key = key
    }
}

/// A response kept for replay.
public struct StoredResponse: Sendable, Equatable {
    public var fingerprint: String
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    public init(fingerprint: String, status: Int, headers: [String: String], body: Data) {
        self.fingerprint = fingerprint
        self.status = status
        self.headers = headers
        self.body = body
    }
}

public enum IdempotencyState: Sendable, Equatable {
    /// The key is ours now: run the request.
    case claimed
    /// Another request with the key is running, or died before finishing; `dossierCode` is set
    /// when it had already filed its dossier.
    case inProgress(fingerprint: String, since: Date, dossierCode: String?)
    case completed(StoredResponse)
}

public struct CatalogueCounts: Sendable, Equatable {
    public var agencies: Int
    public var procedures: Int

    public init(agencies: Int, procedures: Int) {
        self.agencies = agencies
        self.procedures = procedures
    }
}

public struct StoreCounts: Sendable, Equatable {
    public var dossiers: Int
    public var events: Int
    public var officers: Int
    public var sessions: Int

    public init(dossiers: Int, events: Int, officers: Int, sessions: Int) {
        self.dossiers = dossiers
        self.events = events
        self.officers = officers
        self.sessions = sessions
    }
}

/// An officer account: who acts (`actor`, as every event and audit line names them), how they log
/// in, and whether they still may. `officer.role`, `officer.agencyID` and the rest read the actor.
@dynamicMemberLookup
public struct Officer: Sendable, Hashable {
    public var actor: Actor
    public var username: String
    /// bcrypt hash.
    public var passwordHash: String
    public var active: Bool

    public init(
        id: String, username: String, name: String, role: Role, agencyID: String, departmentID: String?,
        passwordHash: String, active: Bool = true
    ) {
        actor = Actor(id: id, name: name, role: role, agencyID: agencyID, departmentID: departmentID)
        self.username = username
        self.passwordHash = passwordHash
        self.active = active
    }

    public subscript<Value>(dynamicMember keyPath: KeyPath<Actor, Value>) -> Value {
        actor[keyPath: keyPath]
    }
}

/// Search criteria; every field is optional and they combine with AND.
public struct DossierQuery: Sendable, Equatable {
    /// Only dossiers this agency may see (required for officers).
    public var visibleToAgency: String?
    public var code: String?
    /// Folded (no diacritics, lower case) substring of the applicant's name.
    public var name: String?
    public var idNumber: String?
    public var phone: String?
    public var statuses: [DossierStatus]
    public var procedureCode: String?
    public var submittedFrom: Date?
    public var submittedTo: Date?
    /// The receiving agency (statistics and the Open311 jurisdiction), unlike `visibleToAgency`.
    public var agencyID: String?
    /// Any of these procedures / codes.
    public var procedureCodes: [String] = []
    public var codes: [String] = []
    public var limit: Int
    public var offset: Int
    /// Keyset paging: only dossiers after this one in the search's order (`ordersByCode`).
    public var after: DossierCursor?
    /// The total is counted exactly up to this many matches; past it the page says "at least".
    public var totalBound: Int = DossierQuery.defaultTotalBound
    /// Names with at most this many matches in the database are read from the name index (see
    /// `SearchPlan`); tests lower it to take the other path.
    package var rareNameMatches = 5_000

    /// Counting every match of a broad search over an agency's years of history would read all
    /// of them (a provincial centre: a million); 10,000 is far past any page an officer reads.
    public static let defaultTotalBound = 10_000

    /// A search by code lists by code, last first: a code is the receiving agency, the day and
    /// the day's number, so that order is the agency's receipt order, and a prefix (an agency's
    /// month: 25,000 dossiers at a provincial centre) pages from its code index instead of
    /// sorting every match by submission time (111 ms p95 at 10M; `docs/benchmarks.md`).
    public var ordersByCode: Bool { code != nil }

    public init(
        visibleToAgency: String?, code: String? = nil, name: String? = nil, idNumber: String? = nil, phone: String? = nil,
        statuses: [DossierStatus] = [], procedureCode: String? = nil, submittedFrom: Date? = nil, submittedTo: Date? = nil,
        limit: Int = 50, offset: Int = 0
    ) {
        self.visibleToAgency = visibleToAgency
        self.code = code
        self.name = name
        self.idNumber = idNumber
        self.phone = phone
        self.statuses = statuses
        self.procedureCode = procedureCode
        self.submittedFrom = submittedFrom
        self.submittedTo = submittedTo
        self.limit = limit
        self.offset = offset
    }
}

public struct DossierPage: Sendable {
    /// Matches counted: exact when `totalIsExact`, else the bound it stopped at.
    public var total: Int
    public var totalIsExact: Bool
    public var items: [Dossier]
    /// Where the next page starts (keyset), when there are more.
    public var next: DossierCursor?

    public init(total: Int, totalIsExact: Bool = true, items: [Dossier], next: DossierCursor? = nil) {
        self.total = total
        self.totalIsExact = totalIsExact
        self.items = items
        self.next = next
    }
}

/// A place in a search's order, after the last dossier seen: its submission time and id (lists
/// and names, newest first), or its code (searches by code, last code first). Its text form
/// (`token`) is opaque to clients.
public enum DossierCursor: Sendable, Equatable {
    case submitted(at: Double, id: String)
    case code(String)

    public init(after dossier: Dossier) {
        self = .submitted(at: dossier.submittedAt.timeIntervalSince1970, id: dossier.id)
    }

    /// Whether the cursor continues a search by code (`DossierQuery.ordersByCode`).
    public var isByCode: Bool {
        if case .code = self { return true }
        return false
    }

    /// Base64url of `seconds|id` or `code|CODE`.
    public var token: String {
        let text = switch self {
        case let .submitted(at, id): "\(at)|\(id)"
        case let .code(code): "code|\(code)"
        }
        return Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The cursor a token names; nil for anything else.
    public init?(token: String) {
        guard token.utf8.count <= 200 else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[1].isEmpty, parts[1].utf8.count <= 64,
              parts[1].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") })
        else { return nil }
        if parts[0] == "code" {
            self = .code(String(parts[1]))
        } else if let seconds = Double(parts[0]), seconds.isFinite, !parts[1].contains(".") {
            self = .submitted(at: seconds, id: String(parts[1]))
        } else {
            return nil
        }
    }
}

/// Errors of the store that callers act on.
public enum StoreError: Error, Equatable, Sendable {
    case notFound
    case duplicate(String)
    case dailyCodeLimit(agencyID: String)
    /// The stored data could not be read back (a bug or a corrupted row).
    case corrupt(String)
    /// The database cannot be reached now (a server gone away, a timeout): try again later.
    case unavailable(String)
    /// Another write changed the dossier between its read and its update.
    case conflict(String)
    /// The disk holding the data is full: nothing was written; it works again once space returns.
    case storageFull
}

/// A threshold crossed by a dossier, recorded once.
public struct DossierAlert: Sendable, Hashable {
    public var dossierID: String
    public var code: String
    public var agencyID: String
    public var kind: AlertKind
    /// The appointment the crossing was judged on.
    public var due: Date
    /// When the sweep saw it.
    public var at: Date

    public init(dossierID: String, code: String, agencyID: String, kind: AlertKind, due: Date, at: Date) {
        self.dossierID = dossierID
        self.code = code
        self.agencyID = agencyID
        self.kind = kind
        self.due = due
        self.at = at
    }
}

/// The officer queues.
public enum QueueKind: String, Sendable, CaseIterable {
    case mine, department, agency
    case nearDue = "near-due"
    case overdue, supplementation, ready, postal
    /// Sent to the agency by another (an inter-agency hand-off, or a dossier filed anywhere in
    /// the province handed to its competent agency), waiting for it to receive them.
    case incoming
    /// Filed anywhere in the province: open dossiers the agency's desk took in for others.
    case receivedForOthers = "received-for-others"

    public var vietnameseName: String {
        switch self {
        case .incoming: "Chờ nhận liên thông"
        case .receivedForOthers: "Tiếp nhận không phụ thuộc địa giới hành chính"
        case .mine: "Hồ sơ của tôi"
        case .department: "Hồ sơ của phòng"
        case .agency: "Hồ sơ của cơ quan"
        case .nearDue: "Sắp đến hạn"
        case .overdue: "Quá hạn"
        case .supplementation: "Chờ bổ sung"
        case .ready: "Có kết quả, chờ trả"
        case .postal: "Chờ bưu điện"
        }
    }
}

public struct QueueQuery: Sendable {
    public var kind: QueueKind
    public var agencyID: String
    public var officerID: String?
    public var departmentID: String?
    public var now: Date
    public var limit: Int
    public var offset: Int
    /// The total is counted exactly up to this many dossiers, as a search's is: a provincial
    /// centre's "result ready" queue holds every result never collected in ten years (150,000 in
    /// the 10M history), and counting them all on each request took 74 ms for the eight counts.
    public var totalBound: Int = DossierQuery.defaultTotalBound

    public init(kind: QueueKind, agencyID: String, officerID: String? = nil, departmentID: String? = nil, now: Date, limit: Int = 50, offset: Int = 0) {
        self.kind = kind
        self.agencyID = agencyID
        self.officerID = officerID
        self.departmentID = departmentID
        self.now = now
        self.limit = limit
        self.offset = offset
    }
}

/// The dossier events the applicant is told about.
public enum NotificationKind: String, Sendable, CaseIterable {
    case received, supplementationRequested, feeRequested, resultReady, apologized, returned
    /// Processing stopped: by a leader, or by the watch for a supplementation never made.
    case stopped

    public init?(_ kind: DossierEvent.Kind) {
        switch kind {
        case .received: self = .received
        case .supplementationRequested: self = .supplementationRequested
        case .feeRequested: self = .feeRequested
        case .resultReady: self = .resultReady
        case .apologized: self = .apologized
        case .returned: self = .returned
        case .stopped: self = .stopped
        default: return nil
        }
    }
}

/// A notification waiting in (or gone from) the outbox.
public struct OutboxItem: Sendable, Hashable {
    public enum Status: String, Sendable { case pending, delivered, dead }
    public var id: String
    public var dossierID: String
    public var code: String
    public var kind: NotificationKind
    /// The event (control-sheet row) that called for it.
    public var sequence: Int
    public var status: Status
    public var attempts: Int
    public var nextAt: Date?
    public var deliveredAt: Date?
    public var lastError: String?
    /// Since when transient failures have been retried: its creation, or a manual retry.
    public var retrySince: Date

    public init(
        id: String, dossierID: String, code: String, kind: NotificationKind, sequence: Int, status: Status, attempts: Int, nextAt: Date?,
        deliveredAt: Date?, lastError: String?, retrySince: Date = .distantPast
    ) {
        self.retrySince = retrySince
        self.id = id
        self.dossierID = dossierID
        self.code = code
        self.kind = kind
        self.sequence = sequence
        self.status = status
        self.attempts = attempts
        self.nextAt = nextAt
        self.deliveredAt = deliveredAt
        self.lastError = lastError
    }
}

/// A postal order in the outbox: pending until the post office accepts it and answers with a
/// waybill (sent), a dead letter after a 4xx or the last allowed attempt, or cancelled when the
/// dossier ended before it was sent.
public struct PostalOrderItem: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Codable, CaseIterable { case pending, sent, dead, cancelled }
    /// The order number, also the `Idempotency-Key` at the partner.
    public var id: String
    public var dossierID: String
    public var code: String
    /// The agency that placed it.
    public var agencyID: String
    public var direction: PostalDirection
    public var createdAt: Date
    public var status: Status
    public var attempts: Int
    public var nextAt: Date?
    public var sentAt: Date?
    public var waybill: String?
    public var lastError: String?
    /// Since when transient failures have been retried: its creation, or a manual retry.
    public var retrySince: Date

    public init(
        id: String, dossierID: String, code: String, agencyID: String, direction: PostalDirection, createdAt: Date, status: Status,
        attempts: Int, nextAt: Date?, sentAt: Date?, waybill: String?, lastError: String?, retrySince: Date? = nil
    ) {
        self.retrySince = retrySince ?? createdAt
        self.id = id
        self.dossierID = dossierID
        self.code = code
        self.agencyID = agencyID
        self.direction = direction
        self.createdAt = createdAt
        self.status = status
        self.attempts = attempts
        self.nextAt = nextAt
        self.sentAt = sentAt
        self.waybill = waybill
        self.lastError = lastError
    }
}

public enum DeliveryOutcome: Sendable {
    case delivered(at: Date)
    case retry(at: Date, error: String)
    case dead(error: String)
}

/// Failed logins under one key (`user:NAME` or `address:IP`), kept in the store so that every
/// instance counts them together.
public struct LoginFailures: Sendable, Equatable {
    /// Failures in the current window.
    public var count: Int
    /// The latest failure; the window restarts when the next comes later than the window.
    public var lastAt: Date
    /// Until when logins under this key are refused without checking a password.
    public var lockedUntil: Date?

    public init(count: Int, lastAt: Date, lockedUntil: Date?) {
        self.count = count
        self.lastAt = lastAt
        self.lockedUntil = lockedUntil
    }
}

/// What the audit trail records.
public enum AuditKind: String, Sendable, Codable, CaseIterable {
    case loginSucceeded = "login.succeeded"
    case loginFailed = "login.failed"
    /// Refused without checking the password: too many failures for the user or the address.
    case loginThrottled = "login.throttled"
    case logout
    /// A change made through the API by an officer with the admin role.
    case adminAction = "admin.action"
}

/// One entry of the audit trail: append-only, newest first when read.
public struct AuditEntry: Sendable, Equatable {
    /// Given by the store, increasing; 0 before the entry is stored.
    public var id: Int64
    public var at: Date
    public var kind: AuditKind
    /// The username given (at login) or the officer's.
    public var username: String?
    public var officerID: String?
    public var agencyID: String?
    /// The client's address.
    public var address: String?
    /// What happened, in a few words (the route and status of an admin action, why a login failed).
    public var detail: String

    public init(
        id: Int64 = 0, at: Date, kind: AuditKind, username: String?, officerID: String? = nil, agencyID: String? = nil,
        address: String?, detail: String
    ) {
        self.id = id
        self.at = at
        self.kind = kind
        self.username = username
        self.officerID = officerID
        self.agencyID = agencyID
        self.address = address
        self.detail = detail
    }
}

/// Which audit entries to read, newest first.
public struct AuditQuery: Sendable, Equatable {
    /// Entries older than this id (the previous page's last): keyset paging.
    public var before: Int64?
    public var limit: Int
    public var kinds: Set<AuditKind>
    public var username: String?

    public init(before: Int64? = nil, limit: Int = 50, kinds: Set<AuditKind> = [], username: String? = nil) {
        self.before = before
        self.limit = limit
        self.kinds = kinds
        self.username = username
    }
}

/// One outbox's backlog (see `OutboxStore.outboxSummaries`).
public struct OutboxSummary: Sendable, Equatable {
    /// `notifications` or `postal`.
    public var outbox: String
    public var pending: Int
    public var oldestPendingAt: Date?
    public var dead: Int
    /// Pending messages whose last attempt failed: waiting for a partner to come back.
    public var retrying: Int

    public init(outbox: String, pending: Int, oldestPendingAt: Date?, dead: Int, retrying: Int = 0) {
        self.retrying = retrying
        self.outbox = outbox
        self.pending = pending
        self.oldestPendingAt = oldestPendingAt
        self.dead = dead
    }
}

/// How far the rewrite of a database's dossiers into the slim layout has got.
public struct LayoutProgress: Sendable {
    public var done: Int
    public var total: Int

    public init(done: Int, total: Int) {
        self.done = done
        self.total = total
    }
}

/// A published public key of an agency, for checking its electronic results' signatures.
public struct SigningKeyRecord: Hashable, Sendable, Codable {
    public var keyID: String
    public var agencyID: String
    /// "ES256".
    public var algorithm: String
    /// The public key, PEM (SubjectPublicKeyInfo).
    public var publicKeyPEM: String
    public var createdAt: Date
    /// From when it signs no more (rotation); what it signed before stays verifiable.
    public var retiredAt: Date?

    public init(keyID: String, agencyID: String, algorithm: String, publicKeyPEM: String, createdAt: Date, retiredAt: Date? = nil) {
        self.keyID = keyID
        self.agencyID = agencyID
        self.algorithm = algorithm
        self.publicKeyPEM = publicKeyPEM
        self.createdAt = createdAt
        self.retiredAt = retiredAt
    }
}

/// A dossier waiting for supplementation, as the abandonment watch lists them.
public struct WaitingDossier: Hashable, Sendable {
    public var id: String
    public var code: String
    public var procedureCode: String
    public var currentAgencyID: String

    public init(id: String, code: String, procedureCode: String, currentAgencyID: String) {
        self.id = id
        self.code = code
        self.procedureCode = procedureCode
        self.currentAgencyID = currentAgencyID
    }
}

/// Steps of one kind that ended in a period, for one department or officer (`key`; "" for the
/// desk's steps, which no department holds), and how many of them late.
public struct StepTally: Hashable, Sendable {
    public var key: String
    /// The officer's name (by officer).
    public var name: String?
    public var step: ProcessingStep
    public var total: Int
    public var late: Int

    public init(key: String, name: String?, step: ProcessingStep, total: Int, late: Int) {
        self.key = key
        self.name = name
        self.step = step
        self.total = total
        self.late = late
    }
}

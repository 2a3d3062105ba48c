import Foundation
import MotCuaCore

/// Persistence of the whole product behind one protocol. The SQLite implementation
/// (`SQLiteStore`, GRDB) is the default; the protocol mentions no database type so that a
/// PostgreSQL implementation can follow.
///
/// Every write is one transaction: a dossier's events are appended, its projection row and its
/// access list updated, and its code allocated, together or not at all.
public protocol DossierStore: Sendable {
    // MARK: Catalogue
    /// Inserts or updates agencies, levels and procedures; returns how many rows changed.
    func saveCatalogue(tree: AgencyTree, procedures: [Procedure]) async throws -> CatalogueCounts
    func procedures() async throws -> [Procedure]
    func procedure(code: String) async throws -> Procedure?
    func agencies() async throws -> [Agency]
    func agencyLevels() async throws -> [AgencyLevel]

    // MARK: Officers and sessions
    func createOfficer(_ officer: Officer) async throws
    func officer(username: String) async throws -> Officer?
    func officer(id: String) async throws -> Officer?
    func officerCount() async throws -> Int
    /// Active and inactive officers of one agency, by name.
    func officers(agencyID: String) async throws -> [Officer]
    func setPassword(officerID: String, passwordHash: String) async throws
    func createSession(tokenHash: String, officerID: String, createdAt: Date, expiresAt: Date) async throws
    /// The officer behind a session that has not expired at `now`.
    func session(tokenHash: String, now: Date) async throws -> (Officer, expiresAt: Date)?
    func deleteSession(tokenHash: String) async throws

    // MARK: Dossiers
    /// Allocates the next code of `agencyID` for `day` and stores the events `make` produces for
    /// it (the first must be `created`), in one transaction. `make` is called once and may be
    /// called before the transaction with a stand-in code that the store replaces by the
    /// allocated one, so it must use the code only as the dossier's `code`. When `make` throws,
    /// nothing is stored and no code is used up.
    ///
    /// With `idempotencyKey`, the claimed key (see `claimIdempotencyKey`) is linked to the new
    /// dossier's code in the same transaction, so a retry after a crash finds the dossier.
    func fileDossier(
        agencyID: String, day: LocalDate, idempotencyKey: IdempotencyKey?,
        make: @escaping @Sendable (_ code: String) throws -> [DossierEvent]
    ) async throws -> (Dossier, [DossierEvent])
    /// Reads the dossier, asks `decide` for events and stores them with the new projection, in
    /// one transaction: no other write to the dossier can come between.
    func apply(
        code: String, decide: @escaping @Sendable (Dossier) throws -> [DossierEvent]
    ) async throws -> Dossier
    func dossier(code: String) async throws -> Dossier?
    /// The dossier's version (number of events), cheap enough to validate a cached rendering.
    func version(code: String) async throws -> Int?
    /// The control sheet, in order.
    func events(dossierID: String) async throws -> [DossierEvent]
    func search(_ query: DossierQuery) async throws -> DossierPage
    /// Moves the open dossiers held by `from` to `to` (an agency merger), recording a hand-off
    /// on each; returns how many moved.
    func inheritOpenDossiers(from: String, to: String, actor: Actor, at: Date) async throws -> Int
    func counts() async throws -> StoreCounts
    /// Whether the database answers (readiness).
    func ping() async throws

    // MARK: Overdue watch and queues
    /// Records every threshold crossed by `now` (once each, ever) for at most `limit` dossiers
    /// whose next threshold has passed; returns how many dossiers it looked at and the new
    /// crossings. Call again while it looked at `limit` dossiers.
    func sweepAlerts(now: Date, limit: Int) async throws -> (dossiers: Int, alerts: [DossierAlert])
    /// The crossings recorded for a dossier, in order.
    func alerts(dossierID: String) async throws -> [DossierAlert]
    /// One officer queue, soonest appointment first.
    func queue(_ query: QueueQuery) async throws -> DossierPage

    // MARK: Statistics
    /// The report's counts per (agency, procedure) over [from, to) (seconds since 1970, local
    /// midnights), for the given agencies (all when nil); groups with nothing are left out.
    func statTallies(from: Int64, to: Int64, agencies: Set<String>?) async throws -> [GroupTally]

    // MARK: Notification outbox
    /// Pending notifications whose next attempt is due.
    func dueNotifications(now: Date, limit: Int) async throws -> [OutboxItem]
    func notifications(dossierID: String) async throws -> [OutboxItem]
    func recordDelivery(_ id: String, outcome: DeliveryOutcome) async throws

    // MARK: Postal outbox
    /// Pending postal orders whose next attempt is due.
    func duePostalOrders(now: Date, limit: Int) async throws -> [PostalOrderItem]
    /// Orders placed by the given agencies (all when nil), newest first, of one status (any when nil).
    func postalOrders(agencies: Set<String>?, status: PostalOrderItem.Status?, limit: Int) async throws -> [PostalOrderItem]
    /// An order by its number or by the waybill the post office gave it.
    func postalOrder(id: String) async throws -> PostalOrderItem?
    func postalOrder(waybill: String) async throws -> PostalOrderItem?
    /// A failed attempt (retry later, or dead letter); `delivered` marks an order sent whose
    /// waybill is already recorded.
    func recordPostalAttempt(_ id: String, outcome: DeliveryOutcome) async throws
    /// Puts a dead letter back in the queue, due at `now`, with its attempts counted from zero;
    /// false when the order is not a dead letter.
    func retryPostalOrder(_ id: String, now: Date) async throws -> Bool

    // MARK: Files, idempotency, webhooks
    /// Whether any dossier refers to the blob (so it must not be deleted).
    func isFileReferenced(sha256: String) async throws -> Bool
    /// Claims `key` for a request with `fingerprint`, or tells what an earlier request with the
    /// same key became. Expired keys are forgotten first.
    func claimIdempotencyKey(_ key: IdempotencyKey, fingerprint: String, now: Date, expiresAt: Date) async throws -> IdempotencyState
    /// Stores the response to replay for the claimed key.
    func completeIdempotencyKey(_ key: IdempotencyKey, response: StoredResponse) async throws
    /// Forgets a claimed key whose request had no effect, so that a retry runs again. A key
    /// already linked to a filed dossier is kept.
    func releaseIdempotencyKey(_ key: IdempotencyKey) async throws
    /// Forgets keys that expired at `now`; returns how many.
    func purgeExpiredIdempotencyKeys(now: Date) async throws -> Int
    /// Records a webhook delivery id; false when it was seen before (a replay).
    func recordWebhook(source: String, id: String, at: Date) async throws -> Bool
    func webhookSeen(source: String, id: String) async throws -> Bool
    /// Forgets webhook receipts older than `before`; returns how many.
    func purgeWebhookReceipts(before: Date) async throws -> Int
}

extension DossierStore {
    public func fileDossier(
        agencyID: String, day: LocalDate, make: @escaping @Sendable (_ code: String) throws -> [DossierEvent]
    ) async throws -> (Dossier, [DossierEvent]) {
        try await fileDossier(agencyID: agencyID, day: day, idempotencyKey: nil, make: make)
    }
}

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
}

public struct StoreCounts: Sendable, Equatable {
    public var dossiers: Int
    public var events: Int
    public var officers: Int
    public var sessions: Int
}

/// An officer account.
public struct Officer: Sendable, Hashable, Codable {
    public var id: String
    public var username: String
    public var name: String
    public var role: Role
    public var agencyID: String
    public var departmentID: String?
    /// bcrypt hash.
    public var passwordHash: String
    public var active: Bool

    public init(
        id: String, username: String, name: String, role: Role, agencyID: String, departmentID: String?,
        passwordHash: String, active: Bool = true
    ) {
        self.id = id
        self.username = username
        self.name = name
        self.role = role
        self.agencyID = agencyID
        self.departmentID = departmentID
        self.passwordHash = passwordHash
        self.active = active
    }

    public var actor: Actor {
        Actor(id: id, name: name, role: role, agencyID: agencyID, departmentID: departmentID)
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
    public var total: Int
    public var items: [Dossier]
}

/// Errors of the store that callers act on.
public enum StoreError: Error, Equatable, Sendable {
    case notFound
    case duplicate(String)
    case dailyCodeLimit(agencyID: String)
    /// The stored data could not be read back (a bug or a corrupted row).
    case corrupt(String)
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
}

/// The officer queues.
public enum QueueKind: String, Sendable, CaseIterable {
    case mine, department, agency
    case nearDue = "near-due"
    case overdue, supplementation, ready, postal

    public var vietnameseName: String {
        switch self {
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

    public init?(_ kind: DossierEvent.Kind) {
        switch kind {
        case .received: self = .received
        case .supplementationRequested: self = .supplementationRequested
        case .feeRequested: self = .feeRequested
        case .resultReady: self = .resultReady
        case .apologized: self = .apologized
        case .returned: self = .returned
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

    public init(
        id: String, dossierID: String, code: String, agencyID: String, direction: PostalDirection, createdAt: Date, status: Status,
        attempts: Int, nextAt: Date?, sentAt: Date?, waybill: String?, lastError: String?
    ) {
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

import Foundation
import MotCuaCore

// The store, split by concern. Each door and background task depends on the narrowest protocol
// it needs; `DossierStore` is all of them, what a backend implements. Two backends do:
// `SQLiteStore` (GRDB; the embedded default: a commune, the demo, the tests) and `PostgresStore`
// (PostgresNIO, module `MotCuaPostgres`: a province, several instances on one database). No
// protocol mentions a database type.
//
// Every change to a dossier goes through one path: `fileDossier` (a new dossier) or `apply`
// (any later event, an agency merger's hand-off included). Each is one transaction that appends
// the events, rewrites the projection row, its access rows and its statistics rows, and writes
// the outbox messages the events call for (`StoreRows` computes all of them once, for both
// backends).

/// Agencies, their levels, and procedures.
public protocol CatalogueStore: Sendable {
    /// Inserts or updates agencies, levels and procedures; returns how many rows changed.
    func saveCatalogue(tree: AgencyTree, procedures: [Procedure]) async throws -> CatalogueCounts
    func procedures() async throws -> [Procedure]
    func procedure(code: String) async throws -> Procedure?
    func agencies() async throws -> [Agency]
    func agencyLevels() async throws -> [AgencyLevel]
}

/// Officer accounts and their sessions. Sessions live in the database so that every instance
/// honours a login or a logout at once.
public protocol OfficerStore: Sendable {
    /// Throws `StoreError.duplicate` when the username is taken.
    func createOfficer(_ officer: Officer) async throws
    func officer(username: String) async throws -> Officer?
    func officer(id: String) async throws -> Officer?
    func officerCount() async throws -> Int
    /// Active and inactive officers of one agency, by name.
    func officers(agencyID: String) async throws -> [Officer]
    /// Changes the password and ends every session of the officer.
    func setPassword(officerID: String, passwordHash: String) async throws
    func createSession(tokenHash: String, officerID: String, createdAt: Date, expiresAt: Date) async throws
    /// The officer behind a session that has not expired at `now`.
    func session(tokenHash: String, now: Date) async throws -> (Officer, expiresAt: Date)?
    func deleteSession(tokenHash: String) async throws
}

/// Dossiers: the one write path, and the reads of the projection and the control sheet.
public protocol DossierRepository: Sendable {
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
    /// one transaction: no other write to the dossier can come between (the row is locked, and
    /// the update is guarded by the version it was read at).
    func apply(
        code: String, decide: @escaping @Sendable (Dossier) throws -> [DossierEvent]
    ) async throws -> Dossier
    func dossier(code: String) async throws -> Dossier?
    /// The dossier's version (number of events), cheap enough to validate a cached rendering.
    func version(code: String) async throws -> Int?
    /// The control sheet, in order.
    func events(dossierID: String) async throws -> [DossierEvent]
    func search(_ query: DossierQuery) async throws -> DossierPage
    /// Codes of the dossiers still open whose current agency is `agencyID` (an agency merger
    /// hands each of them on through `apply`).
    func openDossierCodes(heldBy agencyID: String) async throws -> [String]
    /// Whether any dossier refers to the blob (so it must not be deleted).
    func isFileReferenced(sha256: String) async throws -> Bool
}

/// The overdue watch and the officer queues.
public protocol WatchStore: Sendable {
    /// Records every threshold crossed by `now` (once each, ever, whatever instance sweeps: a
    /// unique key decides) for at most `limit` dossiers whose next threshold has passed; returns
    /// how many dossiers it looked at and the new crossings. Call again while it looked at
    /// `limit` dossiers.
    func sweepAlerts(now: Date, limit: Int) async throws -> (dossiers: Int, alerts: [DossierAlert])
    /// The crossings recorded for a dossier, in order.
    func alerts(dossierID: String) async throws -> [DossierAlert]
    /// Dossiers waiting for supplementation, by id after `after` (nil: from the first), at most
    /// `limit`: for the watch that closes abandoned ones (a partial index holds just these).
    func awaitingSupplementation(after: String?, limit: Int) async throws -> [WaitingDossier]
    /// One officer queue, soonest appointment first.
    func queue(_ query: QueueQuery) async throws -> DossierPage
}

/// The statistics rows, written with each change and read by the reports.
public protocol StatisticsStore: Sendable {
    /// The report's counts per (agency, procedure) over [from, to) (seconds since 1970, local
    /// midnights), for the given agencies (all when nil); groups with nothing are left out.
    func statTallies(from: Int64, to: Int64, agencies: Set<String>?) async throws -> [GroupTally]
    /// Bulk load of new facts (benchmarks and generated history), one transaction per call.
    func recordFacts(_ facts: [StatFact]) async throws
    /// The steps that ended in [from, to) (seconds since 1970) in the given agencies (all when
    /// nil), counted by step and by department (`byOfficer` false) or by answerable officer.
    func stepTallies(from: Double, to: Double, agencies: Set<String>?, byOfficer: Bool) async throws -> [StepTally]
}

/// The outboxes: messages to partners, written in the same transaction as the event that calls
/// for them and sent later by a relay.
///
/// A relay *claims* due messages: the claim moves their next attempt `lease` ahead, so that no
/// other relay (of this instance or another) takes them meanwhile, and a relay that dies mid-send
/// leaves them to be taken again once the lease runs out. The outcome it records replaces the lease.
public protocol OutboxStore: Sendable {
    /// Pending notifications due at `now`, claimed for `lease`.
    func claimDueNotifications(now: Date, lease: TimeInterval, limit: Int) async throws -> [OutboxItem]
    func notifications(dossierID: String) async throws -> [OutboxItem]
    func recordDelivery(_ id: String, outcome: DeliveryOutcome) async throws

    /// Pending postal orders due at `now`, claimed for `lease`.
    func claimDuePostalOrders(now: Date, lease: TimeInterval, limit: Int) async throws -> [PostalOrderItem]
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

    /// Each outbox's backlog, for the metrics: pending messages, the oldest one's creation, dead letters.
    func outboxSummaries() async throws -> [OutboxSummary]
}

/// `Idempotency-Key`s of the public doors, shared by every instance.
public protocol IdempotencyStore: Sendable {
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
}

/// Ids of the webhook deliveries received, to refuse replays.
public protocol WebhookReceiptStore: Sendable {
    /// Records a webhook delivery id; false when it was seen before (a replay).
    func recordWebhook(source: String, id: String, at: Date) async throws -> Bool
    func webhookSeen(source: String, id: String) async throws -> Bool
    /// Forgets webhook receipts older than `before`; returns how many.
    func purgeWebhookReceipts(before: Date) async throws -> Int
}

/// Failed-login counters (shared by every instance) and the audit trail.
public protocol SecurityStore: Sendable {
    /// The failure records of `keys`; a key without failures is absent.
    func loginFailures(keys: [String]) async throws -> [String: LoginFailures]
    /// Records one more failure under each key: `next` computes the new record from the stored
    /// one (nil: none), under a lock, so that failures counted at once on several instances all
    /// count. Returns the new records.
    func recordLoginFailure(
        keys: [String], next: @escaping @Sendable (_ key: String, _ stored: LoginFailures?) -> LoginFailures
    ) async throws -> [String: LoginFailures]
    func clearLoginFailures(key: String) async throws
    /// Forgets records whose last failure and lock are both older than `before`; returns how many.
    func purgeLoginFailures(before: Date) async throws -> Int
    /// Appends to the audit trail; returns the entry's id.
    @discardableResult
    func appendAudit(_ entry: AuditEntry) async throws -> Int64
    /// Entries newest first.
    func auditEntries(_ query: AuditQuery) async throws -> [AuditEntry]
}

/// The agencies' published signing keys and the signatures of electronic results. A signature
/// is written with the approval that carries it (the write path derives the row from the event).
public protocol SignatureStore: Sendable {
    /// Publishes a public key; publishing the same key again changes nothing.
    func publishSigningKey(_ key: SigningKeyRecord) async throws
    /// Marks a key retired from `at`: it signs no more, and what it signed stays verifiable.
    func retireSigningKey(keyID: String, at: Date) async throws
    /// The published keys, of one agency or of all, oldest first.
    func signingKeys(agencyID: String?) async throws -> [SigningKeyRecord]
    /// The signatures recorded for result files whose SHA-256 (lower-case hex) starts with
    /// `digestPrefix` (the whole digest, or the verification code a result prints), oldest first.
    func resultSignatures(digestPrefix: String) async throws -> [ResultSignature]
}

/// Everything a backend provides.
public protocol DossierStore:
    CatalogueStore, OfficerStore, DossierRepository, WatchStore, StatisticsStore, OutboxStore, PortalStore, IdempotencyStore,
    WebhookReceiptStore, SecurityStore, SignatureStore
{
    func counts() async throws -> StoreCounts
    /// Whether the database answers (readiness).
    func ping() async throws
    /// Names of the migrations applied, in order.
    func appliedMigrations() async throws -> [String]
    /// Database calls running now, for the metrics (PostgreSQL: each holds at most one of the
    /// pool's connections); nil where the backend does not count them.
    var callsInFlight: Int? { get }
}

extension DossierStore {
    public var callsInFlight: Int? { nil }
}

extension DossierRepository {
    public func fileDossier(
        agencyID: String, day: LocalDate, make: @escaping @Sendable (_ code: String) throws -> [DossierEvent]
    ) async throws -> (Dossier, [DossierEvent]) {
        try await fileDossier(agencyID: agencyID, day: day, idempotencyKey: nil, make: make)
    }
}

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
    func fileDossier(
        agencyID: String, day: LocalDate, make: @escaping @Sendable (_ code: String) throws -> [DossierEvent]
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

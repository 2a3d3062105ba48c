import Foundation
import Logging
import MotCuaCore
import MotCuaStore
import NIOSSL
import PostgresNIO

/// The PostgreSQL implementation of `DossierStore` (PostgresNIO's connection pool): the
/// deployment of a province, where several `motcua serve` instances share one database.
///
/// Same guarantees as `SQLiteStore`: one transaction per change, the control sheet append-only
/// (refused by triggers), dossier codes from a counter row locked until commit, the projection
/// updated only at the version it was read at. What must be shared between instances lives in
/// the database: sessions, idempotency keys, webhook receipts, outbox claims (`FOR UPDATE SKIP
/// LOCKED` with a lease), alert crossings (a primary key).
public final class PostgresStore: DossierStore {
    let client: PostgresClient
    let runTask: Task<Void, Never>
    let logger: Logger
    /// The catalogue's procedure versions, which the dossiers' stored JSON refers to.
    let versions = ProcedureVersions()
    /// Where the store is, for logs and messages (no password).
    public let location: String

    /// Connects to `url` (`postgres://user:password@host:port/database[?sslmode=disable|prefer|require]`),
    /// checks that the server answers within `connectTimeout`, and runs the migrations under an
    /// advisory lock. Throws `PostgresStoreError` with a sentence that names the problem.
    public static func connect(
        url: String, poolSize: Int = 10, connectTimeout: Duration = .seconds(5), requestTimeout: Duration = defaultRequestTimeout,
        logger: Logger = Logger(label: "motcua.postgres"), progress: (@Sendable (LayoutProgress) -> Void)? = nil
    ) async throws -> PostgresStore {
        let settings = try PostgresURL(url)
        var configuration = PostgresClient.Configuration(
            host: settings.host, port: settings.port, username: settings.user, password: settings.password,
            database: settings.database, tls: settings.tls)
        configuration.options.maximumConnections = max(poolSize, 1)
        configuration.options.connectTimeout = connectTimeout
        // No JIT compilation: the statements here are short or, like the report, planned as
        // costly but answered in about a second, and LLVM spent ~0.8 s compiling the report's
        // expressions each time (a year over 10M dossiers: 2,446-2,562 ms with JIT, 1,652-1,883 ms
        // without, alternated in one run).
        configuration.options.additionalStartupParameters = [("jit", "off")]
        let store = PostgresStore(
            client: PostgresClient(configuration: configuration, backgroundLogger: logger), location: settings.redacted, logger: logger,
            requestTimeout: requestTimeout)
        do {
            // One connection of its own first: the pool retries a refused login quietly, this
            // says at once what is wrong (password, database, nothing listening).
            try await settings.check(timeout: connectTimeout, logger: logger)
            try await store.ping(timeout: connectTimeout + .seconds(1))
            try await PostgresMigrations.migrate(store)
            try await store.loadProcedureVersions()
            try await store.rewriteToSlimLayout(progress: progress)
        } catch {
            store.close()
            throw PostgresStoreError(error, location: settings.redacted)
        }
        return store
    }

    init(client: PostgresClient, location: String, logger: Logger, requestTimeout: Duration = defaultRequestTimeout, runs: Bool = true) {
        self.client = client
        self.requestTimeout = requestTimeout
        self.location = location
        self.logger = logger
        runTask = runs ? Task { await client.run() } : Task {}
        let deadlines = Deadlines()
        self.deadlines = deadlines
        deadlineWatch = Task { await deadlines.watch() }
    }

    /// Ends the pool's connections.
    public func close() {
        runTask.cancel()
        deadlineWatch.cancel()
    }

    deinit {
        runTask.cancel()
        deadlineWatch.cancel()
    }

    // MARK: Queries

    /// Rows of one query, collected.
    @discardableResult
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await timed { try await self.client.query(query, logger: self.logger).collect() }
    }

    /// Runs `body` in one transaction on one connection: committed when it returns, rolled back
    /// when it throws (its error is rethrown as it was, so a `DomainError` stays one). A
    /// connection whose rollback fails (a timeout cut it mid-way, the server went away) is
    /// closed rather than handed back to the pool inside a transaction.
    func transaction<T: Sendable>(
        timeout: Duration? = nil, _ body: @Sendable @escaping (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await timed(timeout ?? requestTimeout) {
            try await self.client.withConnection { connection in
                try await connection.query("BEGIN", logger: self.logger)
                do {
                    let value = try await body(connection)
                    try await connection.query("COMMIT", logger: self.logger)
                    return value
                } catch {
                    // Not cancelled with the request: the rollback must reach the server.
                    let logger = self.logger
                    let rolledBack = await Task { () -> Bool in
                        (try? await connection.query("ROLLBACK", logger: logger)) != nil
                    }.value
                    if !rolledBack { try? await connection.close() }
                    throw error
                }
            }
        }
    }

    /// How long a request waits for the database (a connection from the pool, then its
    /// statements) before it answers "unavailable": a server gone away turns into a 503 after
    /// at most this long, never a hang. Bulk work (catalogue, generated history) has its own.
    public static let defaultRequestTimeout: Duration = .seconds(15)
    let requestTimeout: Duration
    let intakeGroups = IntakeGroups()
    /// The calls in flight and their timeouts, all watched by `deadlineWatch`.
    let deadlines: Deadlines
    let deadlineWatch: Task<Void, Never>

    public var callsInFlight: Int? { deadlines.count }
    static let bulkTimeout: Duration = .seconds(3600)

    /// Runs `work`, answering `StoreError.unavailable` once `timeout` has passed (`deadlines`
    /// checks every 0.1 s) even if `work` does not return (a query on a connection the server
    /// dropped may not notice cancellation; a task group would wait for it): the request gets its
    /// 503, `work` is cancelled and left to end on its own. A transaction it held never commits after that (its connection is gone
    /// or it is rolled back), except one whose COMMIT was already on its way, the same as an
    /// answer lost in a crash.
    func timed<T: Sendable>(_ timeout: Duration? = nil, _ work: @Sendable @escaping () async throws -> T) async throws -> T {
        let timeout = timeout ?? requestTimeout
        let gate = Gate<T>()
        let deadline = deadlines.add(after: timeout) {
            gate.finish(.failure(StoreError.unavailable("PostgreSQL did not answer within \(timeout)")))
        }
        defer { deadlines.remove(deadline) }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                gate.arm(continuation)
                // Answered already (the request was cancelled before it began): the work never starts.
                guard !gate.isFinished else { return }
                let task = Task {
                    do {
                        gate.finish(.success(try await work()))
                    } catch let error as PSQLError {
                        gate.finish(.failure(Self.translate(error)))
                    } catch {
                        gate.finish(.failure(error))
                    }
                }
                gate.onTimeout { task.cancel() }
            }
        } onCancel: {
            gate.finish(.failure(CancellationError()))
        }
    }

    /// Server errors are the caller's to handle; a connection that failed or closed is the
    /// database being unavailable.
    static func translate(_ error: PSQLError) -> any Error {
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            // 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now, 08xxx connection.
            if state.hasPrefix("57P") || state.hasPrefix("08") { return StoreError.unavailable(error.serverInfo?[.message] ?? state) }
            return error
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed,
             .failedToAddSSLHandler, .sslUnsupported:
            return StoreError.unavailable("\(error.code)")
        default:
            return error
        }
    }

    func ping(timeout: Duration) async throws {
        _ = try await timed(timeout) { try await self.client.query("SELECT 1", logger: self.logger).collect().count }
    }

    public func ping() async throws {
        try await rows("SELECT 1")
    }

    public func counts() async throws -> StoreCounts {
        let row = try await rows("""
            SELECT (SELECT count(*) FROM dossiers), (SELECT count(*) FROM dossier_events), (SELECT count(*) FROM officers),
                   (SELECT count(*) FROM sessions)
            """)[0]
        let (d, e, o, s) = try row.decode((Int, Int, Int, Int).self)
        return StoreCounts(dossiers: d, events: e, officers: o, sessions: s)
    }

    public func appliedMigrations() async throws -> [String] {
        try await rows("SELECT name FROM motcua_migrations ORDER BY applied_order").map { try $0.decode(String.self) }
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        try StoreJSON.encode(value)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try StoreJSON.decode(type, text)
    }
}

/// A problem reaching or preparing the PostgreSQL database, in one sentence.
public struct PostgresStoreError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case badURL, unreachable, authentication, noDatabase, migration, other }
    public var kind: Kind
    public var description: String

    init(kind: Kind, description: String) {
        self.kind = kind
        self.description = description
    }

    init(_ error: any Error, location: String) {
        if let error = error as? PostgresStoreError {
            self = error
            return
        }
        if let error = error as? PSQLError {
            let state = error.serverInfo?[.sqlState] ?? ""
            let message = error.serverInfo?[.message] ?? "\(error.code)"
            switch state {
            case "28P01", "28000":
                self.init(kind: .authentication, description: "PostgreSQL at \(location) refused the user name or password: \(message)")
            case "3D000":
                self.init(kind: .noDatabase, description: "PostgreSQL at \(location) has no such database: \(message)")
            case "":
                self.init(kind: .unreachable, description: "PostgreSQL at \(location) cannot be reached (\(error.code))")
            default:
                self.init(kind: .other, description: "PostgreSQL at \(location) answered with an error: \(message) (SQLSTATE \(state))")
            }
            return
        }
        if case let StoreError.unavailable(reason) = error {
            self.init(kind: .unreachable, description: "PostgreSQL at \(location) cannot be reached: \(reason)")
            return
        }
        self.init(kind: .other, description: "PostgreSQL at \(location): \(error)")
    }
}

/// `postgres://user:password@host:port/database?sslmode=…`, read strictly.
struct PostgresURL {
    var host: String
    var port: Int
    var user: String
    var password: String?
    var database: String
    var tls: PostgresClient.Configuration.TLS
    var mode: String
    /// The URL without its password.
    var redacted: String

    init(_ text: String) throws {
        func bad(_ why: String) -> PostgresStoreError {
            PostgresStoreError(kind: .badURL, description: "The PostgreSQL URL is not valid: \(why) (expected postgres://user:password@host:port/database)")
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme else { throw bad("it cannot be read as a URL") }
        guard scheme == "postgres" || scheme == "postgresql" else { throw bad("the scheme is '\(scheme)', not postgres") }
        guard let host = components.host, !host.isEmpty else { throw bad("no host") }
        guard let user = components.user, !user.isEmpty else { throw bad("no user name") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty else { throw bad("no database name") }
        if let port = components.port, !(1...65535).contains(port) { throw bad("port \(port) is out of range") }
        self.host = host
        port = components.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database
        mode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer"
        switch mode {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        case let other: throw bad("sslmode '\(other)' is not disable, prefer or require")
        }
        redacted = "postgres://\(self.user)@\(host):\(port)/\(database)"
    }

    /// Opens one connection and closes it: throws the server's refusal or the network's error.
    func check(timeout: Duration, logger: Logger) async throws {
        let context = { try NIOSSLContext(configuration: .makeClientConfiguration()) }
        let tls: PostgresConnection.Configuration.TLS = switch mode {
        case "disable": .disable
        case "require", "verify-ca", "verify-full": .require(try context())
        default: .prefer(try context())
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        try await connection.close()
    }
}

/// Statements of one transaction sent one after another without waiting for each answer:
/// PostgreSQL runs them in order on the connection, so a change costs one round trip instead of
/// one per row (an intake writes ~10 rows). The first error stands; the statements after it fail
/// too (the transaction is aborted), and the caller rolls back.
struct Pipeline {
    private(set) var queries: [PostgresQuery] = []

    mutating func add(_ query: PostgresQuery) {
        queries.append(query)
    }

    func run(on connection: PostgresConnection, logger: Logger) async throws {
        let answers = queries.map { connection.query($0, logger: logger) }
        var first: (any Error)?
        for answer in answers {
            do {
                _ = try await answer.get()
            } catch {
                if first == nil { first = error }
            }
        }
        if let first { throw first }
    }
}

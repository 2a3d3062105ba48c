import Foundation
import Logging
import MotCuaStore
import PostgresNIO

/// Databases made and dropped on a server: fresh databases for tests and benchmarks, and
/// checks on a migration target.
public enum PostgresAdmin {
    /// Creates an empty database `name` through `adminURL` (a user allowed to create databases)
    /// and returns the URL of the new database (same user, host and options).
    public static func createDatabase(adminURL: String, name: String) async throws -> String {
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw PostgresStoreError(kind: .badURL, description: "'\(name)' is not a plain database name")
        }
        try await withAdmin(adminURL) { client, logger in
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        var components = URLComponents(string: adminURL)!
        components.path = "/" + name
        return components.string!
    }

    /// Drops database `name` (ending its connections first).
    public static func dropDatabase(adminURL: String, name: String) async throws {
        try await withAdmin(adminURL) { client, logger in
            try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
    }

    static func withAdmin(_ url: String, _ body: @escaping @Sendable (PostgresClient, Logger) async throws -> Void) async throws {
        let settings = try PostgresURL(url)
        var logger = Logger(label: "motcua.postgres.admin")
        logger.logLevel = .error
        let client = PostgresClient(
            configuration: .init(
                host: settings.host, port: settings.port, username: settings.user, password: settings.password,
                database: settings.database, tls: settings.tls),
            backgroundLogger: logger)
        let run = Task { await client.run() }
        defer { run.cancel() }
        // Never waits for ever: one minute, then the server counts as unreachable.
        let store = PostgresStore(client: client, location: settings.redacted, logger: logger, runs: false)
        let quiet = logger
        do {
            try await store.timed(.seconds(60)) { try await body(client, quiet) }
        } catch let error as PSQLError {
            throw PostgresStoreError(error, location: settings.redacted)
        } catch let error as StoreError {
            throw PostgresStoreError(error, location: settings.redacted)
        }
    }
}

extension PostgresStore {
    /// Runs statements as they are (tests and tools only: nothing from a request reaches here).
    public func execute(unsafeSQL sql: String) async throws {
        try await rows(PostgresQuery(unsafeSQL: sql))
    }
}

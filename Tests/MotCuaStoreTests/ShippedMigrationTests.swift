import Foundation
import GRDB
@testable import MotCuaPostgres
@testable import MotCuaStore
import Testing

/// A migration that has shipped is never edited: a database that took it must stay equal to one
/// made after. Each is pinned here, in order, by a digest: PostgreSQL's by its SQL; SQLite's (a
/// GRDB closure, some with Swift code) by the schema it leaves, cumulative, from `sqlite_master`.
/// A new migration is appended to its list with the digest the failure prints.
@Suite struct ShippedMigrationTests {
    static let postgres: [(String, String)] = [
        ("v1-schema", "73c519219d588d55"),
        ("v2-lz4-json", "ece160ed30f26573"),
        ("v3-login-failures-audit", "0bed2f9d28aaca5f"),
        ("v4-dead-letters", "6269ce7d12499361"),
        ("v5-report-covering-indexes", "9556d976fbbd3b0f"),
        ("v6-slim-layout", "995aae39a3b910db"),
        ("v7-near-due-covering", "aeee2c3bd86eeba1"),
        ("v8-outbox-retry-window", "c91a5b96e2a9b0f2"),
        ("v9-portal-outbox", "6d4bf35f721c8f63"),
        ("v10-result-signatures", "0351dd109e3e73d4"),
        ("v11-supplementation-waits", "d36deb67291d6d8b"),
        ("v12-step-watch", "b54614292fb987b6"),
        ("v13-step-facts", "ed35f6d424deeb5c"),
        ("v14-anywhere-in-province", "0874459bf8d9c64c"),
    ]

    static let sqlite: [(String, String)] = [
        ("v1-catalogue-officers-dossiers", "ca7790f203f45d0d"),
        ("v2-files-idempotency-webhooks", "db79f288a3672b2f"),
        ("v3-overdue-watch", "0dac8a12b3b2b44e"),
        ("v4-notification-outbox", "7b739039c0d9e888"),
        ("v5-statistics", "91ee95719632cc11"),
        ("v6-postal-outbox", "d49a84909e6efb01"),
        ("v7-webhook-receipts-by-age", "ca09308ba18e844e"),
        ("v8-login-failures-audit", "bdcb0d437325daaf"),
        ("v9-dead-letters", "d003f4e2d59180b1"),
        ("v10-slim-layout", "47e904de4ceddb7d"),
        ("v11-near-due-covering", "fcaba44e28b9602f"),
        ("v12-outbox-retry-window", "82dcb0c9961302bb"),
        ("v13-portal-outbox", "179f58309eb59cec"),
        ("v14-result-signatures", "7e9403bccf6397bd"),
        ("v15-supplementation-waits", "fe53035015220b74"),
        ("v16-step-watch", "501eab5c6b075336"),
        ("v17-step-facts", "ffa4d5f77d1eb5eb"),
        ("v18-anywhere-in-province", "b67c00a8affad379"),
    ]

    /// FNV-1a, 64 bits: enough to see a changed byte, and free of any dependency.
    static func digest(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    static func expectPinned(_ found: [(String, String)], _ pinned: [(String, String)], backend: String) {
        let report = found.map { "(\"\($0.0)\", \"\($0.1)\")," }.joined(separator: "\n")
        #expect(found.map(\.0) == pinned.map(\.0), "\(backend)'s migrations, in order, are not the pinned ones:\n\(report)")
        for ((name, digest), (_, pin)) in zip(found, pinned) {
            #expect(digest == pin, "\(backend)'s shipped migration \(name) was edited: add a new migration instead")
        }
    }

    @Test func postgresMigrationsAreAsShipped() {
        Self.expectPinned(PostgresMigrations.all.map { ($0.name, Self.digest($0.sql)) }, Self.postgres, backend: "PostgreSQL")
    }

    @Test func sqliteMigrationsLeaveTheSchemaAsShipped() throws {
        let migrator = SQLiteStore.migrator
        let queue = try DatabaseQueue()
        var found: [(String, String)] = []
        for name in migrator.migrations {
            try migrator.migrate(queue, upTo: name)
            let schema = try queue.read { db in
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT type || ' ' || name || ' ' || tbl_name || ' ' || coalesce(sql, '') FROM sqlite_master
                        WHERE name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations' ORDER BY type, name
                        """)
            }
            found.append((name, Self.digest(schema.joined(separator: "\n"))))
        }
        Self.expectPinned(found, Self.sqlite, backend: "SQLite")
    }

    /// The digest itself: one changed byte anywhere changes it.
    @Test func theDigestSeesOneByte() {
        let sql = "CREATE TABLE t (a integer);"
        #expect(Self.digest(sql) == Self.digest(sql))
        #expect(Self.digest(sql) != Self.digest("CREATE TABLE t (b integer);"))
        #expect(Self.digest(sql) != Self.digest(sql + " "))
        #expect(Self.digest("") == "cbf29ce484222325")
    }
}

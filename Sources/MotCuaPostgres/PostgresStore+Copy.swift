import Foundation
import MotCuaStore
import NIOCore
import PostgresNIO

/// What `motcua migrate-store` moved, and how it checked it.
public struct StoreCopyReport: Sendable {
    public struct Table: Sendable {
        public var name: String
        public var source: Int
        public var target: Int
    }
    public var tables: [Table]
    /// The control sheet's checksum on each side (`StoreCopy.checksumSeparator` explains it).
    public var sourceChecksum: String
    public var targetChecksum: String
    public var seconds: Double

    public var matches: Bool { tables.allSatisfy { $0.source == $0.target } && sourceChecksum == targetChecksum }
}

public enum StoreCopyError: Error, CustomStringConvertible, Sendable {
    /// The target already holds data: copying into it would mix two systems.
    case targetNotEmpty(tables: [String])
    /// What arrived differs from what was read; nothing was kept.
    case mismatch(StoreCopyReport)
    /// PostgreSQL refused a row of the source (a foreign key it breaks, a value out of range);
    /// nothing was kept. The server's own words, with its detail.
    case refused(String)

    public var description: String {
        switch self {
        case let .targetNotEmpty(tables): "the target database is not empty (\(tables.joined(separator: ", ")))"
        case .mismatch: "the copy does not match its source"
        case let .refused(message): "PostgreSQL refused the copy: \(message)"
        }
    }
}

extension PostgresStore {
    /// Copies everything `source` holds into this (empty) database in one transaction, with
    /// COPY: either all of it arrives, counted and checksummed against the source, or nothing
    /// does (a failure, a mismatch or a killed process leaves the target as it was: empty).
    /// `progress` hears (table, rows done, rows in the table).
    public func copy(
        from source: any CopySource, batchRows: Int = 20_000, progress: @escaping @Sendable (String, Int, Int) -> Void = { _, _, _ in }
    ) async throws -> StoreCopyReport {
        let started = ContinuousClock.now
        let expected = try source.rowCounts()
        do {
            return try await copyRows(from: source, expected: expected, batchRows: batchRows, started: started, progress: progress)
        } catch let error as PSQLError where error.code == .server {
            let info = error.serverInfo
            throw StoreCopyError.refused([info?[.message], info?[.detail]].compactMap { $0 }.joined(separator: ": "))
        }
    }

    private func copyRows(
        from source: any CopySource, expected: [String: Int], batchRows: Int, started: ContinuousClock.Instant,
        progress: @escaping @Sendable (String, Int, Int) -> Void
    ) async throws -> StoreCopyReport {
        try await transaction(timeout: Self.bulkTimeout) { connection in
            var nonEmpty: [String] = []
            for table in StoreCopy.tables {
                let any = try await connection.query(PostgresQuery(unsafeSQL: "SELECT 1 FROM \(table.name) LIMIT 1"), logger: self.logger).collect()
                if !any.isEmpty { nonEmpty.append(table.name) }
            }
            guard nonEmpty.isEmpty else { throw StoreCopyError.targetNotEmpty(tables: nonEmpty) }
            let rebuilds = try await Self.dropIndexesAndKeys(connection: connection, logger: self.logger)
            var checksum: UInt64 = 0
            for table in StoreCopy.tables {
                let total = expected[table.name] ?? 0
                progress(table.name, 0, total)
                guard total > 0 else { continue }
                var rows = 0
                try await connection.copyFrom(table: table.name, columns: table.columns, logger: self.logger) { writer in
                    var cursor: CopyCursor?
                    while let batch = try source.batch(table, after: cursor, limit: batchRows) {
                        try await writer.write(ByteBuffer(string: batch.text))
                        cursor = batch.cursor
                        rows += batch.rows
                        checksum &+= batch.checksum
                        progress(table.name, rows, total)
                    }
                }
            }
            progress(Self.indexesStep, 0, rebuilds.count)
            for (index, statement) in rebuilds.enumerated() {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
                progress(Self.indexesStep, index + 1, rebuilds.count)
            }
            // The audit trail keeps its ids; the next one follows the last copied.
            try await connection.query(
                "SELECT setval(pg_get_serial_sequence('audit_log', 'id'), coalesce(max(id), 0) + 1, false) FROM audit_log", logger: self.logger)
            var tables: [StoreCopyReport.Table] = []
            for table in StoreCopy.tables {
                let count = try await connection.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table.name)"), logger: self.logger)
                    .collect().first?.decode(Int.self) ?? 0
                tables.append(.init(name: table.name, source: expected[table.name] ?? 0, target: count))
            }
            let target = try await Self.eventChecksum(connection: connection, logger: self.logger)
            let elapsed = ContinuousClock.now - started
            let report = StoreCopyReport(
                tables: tables, sourceChecksum: String(checksum), targetChecksum: target,
                seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            guard report.matches else { throw StoreCopyError.mismatch(report) }
            return report
        }
    }

    /// What the progress names while the indexes and keys are built again.
    public static let indexesStep = "indexes and keys"

    /// Drops the copied tables' indexes and keys for the copy, and returns the statements that
    /// build them again, in order: primary and unique keys, the other indexes, then the foreign
    /// keys.
    ///
    /// Why: while COPY runs, PostgreSQL inserts every row into every index of its table, one
    /// descent of each B-tree a row and in random order for most secondary indexes (59% of
    /// COPY's time in a profile), and checks a foreign key with a query and a row lock on the
    /// parent a row. Built after the rows, an index is one sort and a foreign key one join.
    /// Alternated against the copy as it was, on generated histories without control sheets:
    /// 1.22× at 1M dossiers (28.9–31.5 s against 34.3–37.9 s), 1.62× at 10M (305–317 s against
    /// 489–517 s). On 20,000 demo dossiers, whose indexes fit in memory, it made no difference
    /// (`docs/benchmarks.md`).
    ///
    /// All of it happens in the copy's transaction: no one sees a table without its keys, and a
    /// row that breaks one (a duplicate, a dangling reference) fails the copy, which leaves the
    /// target empty with its indexes and keys as they were.
    static func dropIndexesAndKeys(connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let tables = StoreCopy.tables.map(\.name)
        let constraints = try await connection.query("""
            SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid), contype::text FROM pg_constraint
            WHERE connamespace = current_schema()::regnamespace
              AND (contype = 'f' OR (contype IN ('p', 'u') AND conrelid::regclass::text = ANY(\(tables))))
            ORDER BY contype = 'f' DESC, 1, 2
            """, logger: logger).collect().map { try $0.decode((String, String, String, String).self) }
        let indexes = try await connection.query("""
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
            WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(\(tables))
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))
            ORDER BY 1
            """, logger: logger).collect().map { try $0.decode((String, String).self) }
        // Foreign keys first: they lean on their parents' keys.
        for (table, name, _, _) in constraints {
            try await connection.query(PostgresQuery(unsafeSQL: "ALTER TABLE \(table) DROP CONSTRAINT \(name)"), logger: logger)
        }
        for (name, _) in indexes {
            try await connection.query(PostgresQuery(unsafeSQL: "DROP INDEX \(name)"), logger: logger)
        }
        let add = { (rows: [(String, String, String, String)]) in rows.map { "ALTER TABLE \($0.0) ADD CONSTRAINT \($0.1) \($0.2)" } }
        return add(constraints.filter { $0.3 != "f" }) + indexes.map(\.1) + add(constraints.filter { $0.3 == "f" })
    }

    /// After a copy: the planner's statistics and the visibility map of every copied table
    /// (`VACUUM (ANALYZE)`, which cannot run in the copy's transaction). Without them the first
    /// queries on a fresh copy are planned for empty tables and read the heap for every index
    /// entry, until autovacuum comes by: on the 10M history, the first page of a list took
    /// 256 ms warm until then (`docs/benchmarks.md`); the whole vacuum took 12 s there.
    public func vacuumCopiedTables(progress: @Sendable (String) -> Void = { _ in }) async throws {
        for table in StoreCopy.tables {
            progress(table.name)
            _ = try await timed(Self.bulkTimeout) {
                try await self.client.query(PostgresQuery(unsafeSQL: "VACUUM (ANALYZE) \(table.name)"), logger: self.logger).collect()
            }
        }
    }

    /// The control sheet's checksum, computed by the server (see `StoreCopy.checksumSeparator`).
    static func eventChecksum(connection: PostgresConnection, logger: Logger) async throws -> String {
        let row = try await connection.query("""
            SELECT ((coalesce(sum(('x' || substr(md5(dossier_id || chr(31) || sequence::text || chr(31) || data), 1, 16))::bit(64)::bigint), 0)
                     % 18446744073709551616 + 18446744073709551616) % 18446744073709551616)::text
            FROM dossier_events
            """, logger: logger).collect()
        return try row.first?.decode(String.self) ?? "0"
    }
}

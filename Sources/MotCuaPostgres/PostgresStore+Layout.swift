import Foundation
import MotCuaCore
import MotCuaStore
import PostgresNIO

// The dossiers' stored JSON and the procedure versions it refers to (`DossierCodec`), and the
// rewrite of rows written before `v6-slim-layout`.
extension PostgresStore {
    static let dossierColumns = DossierColumns.select()

    func loadProcedureVersions(code: String? = nil) async throws {
        let query: PostgresQuery = code.map { "SELECT version, data FROM procedure_versions WHERE code = \($0)" }
            ?? "SELECT version, data FROM procedure_versions"
        versions.add(try await rows(query).map {
            let (version, data) = try $0.decode((Int, String).self)
            return (version: version, procedure: try Self.decode(Procedure.self, data))
        })
    }

    /// A row of `dossierColumns`: its JSON, procedure version and columns.
    static func parts(_ row: PostgresRow) throws -> (data: String, version: Int?, columns: DossierColumns) {
        let r = row.makeRandomAccess()
        let columns = DossierColumns(
            id: try r[2].decode(String.self), code: try r[3].decode(String.self), agencyID: try r[4].decode(String.self),
            currentAgencyID: try r[5].decode(String.self), pendingAgencyID: try r[6].decode(String?.self),
            procedureCode: try r[7].decode(String.self), status: try r[8].decode(String.self), channel: try r[9].decode(String.self),
            returnMethod: try r[10].decode(String.self), submittedAt: try r[11].decode(Double.self), receivedAt: try r[12].decode(Double?.self),
            dueAt: try r[13].decode(Double?.self), updatedAt: try r[14].decode(Double.self), version: try r[15].decode(Int.self),
            handlerID: try r[16].decode(String?.self), departmentID: try r[17].decode(String?.self))
        return (try r[0].decode(String.self), try r[1].decode(Int?.self), columns)
    }

    /// The dossiers rows of `dossierColumns` hold, any procedure version not seen yet (another
    /// instance saved it) fetched first.
    func dossiers(from rows: [PostgresRow]) async throws -> [Dossier] {
        let parts = try rows.map(Self.parts)
        let keys = parts.compactMap { part in part.version.map { ProcedureVersions.Key(code: part.columns.procedureCode, version: $0) } }
        for key in versions.missing(keys) { try await loadProcedureVersions(code: key.code) }
        return try parts.map { try DossierCodec.decode($0.data, columns: $0.columns, version: $0.version, versions: versions) }
    }

    /// The same over one connection (inside a transaction).
    func dossier(from row: PostgresRow, connection: PostgresConnection) async throws -> Dossier {
        let (data, version, columns) = try Self.parts(row)
        if let version, !versions.missing([ProcedureVersions.Key(code: columns.procedureCode, version: version)]).isEmpty {
            versions.add(try await connection.query(
                "SELECT version, data FROM procedure_versions WHERE code = \(columns.procedureCode)", logger: logger
            ).collect().map {
                let (version, data) = try $0.decode((Int, String).self)
                return (version: version, procedure: try Self.decode(Procedure.self, data))
            })
        }
        return try DossierCodec.decode(data, columns: columns, version: version, versions: versions)
    }

    /// Rewrites the rows that `v6-slim-layout` found (whole JSON, `procedure_version` NULL) into
    /// the slim form, 2,000 a transaction in key order, reporting progress; a restart goes on
    /// with the rows still NULL. Nothing to do once `motcua_pending_rewrites` is empty.
    func rewriteToSlimLayout(progress: (@Sendable (LayoutProgress) -> Void)?) async throws {
        guard try await !rows("SELECT 1 FROM motcua_pending_rewrites WHERE name = 'slim-layout'").isEmpty else { return }
        let total = try await rows("SELECT count(*) FROM dossiers").first?.decode(Int.self) ?? 0
        var done = try await rows("SELECT count(*) FROM dossiers WHERE procedure_version IS NOT NULL").first?.decode(Int.self) ?? 0
        progress?(LayoutProgress(done: done, total: total))
        var last = ""
        while true {
            let after = last
            let batch = try await transaction(timeout: Self.bulkTimeout) { connection -> (Int, String?) in
                let found = try await connection.query("""
                    SELECT id, data FROM dossiers WHERE id > \(after) AND procedure_version IS NULL ORDER BY id LIMIT 2000 FOR UPDATE
                    """, logger: self.logger).collect()
                var ids: [String] = [], data: [String] = [], versions: [Int] = []
                for row in found {
                    let (id, json) = try row.decode((String, String).self)
                    let (slim, version) = try DossierCodec.encode(try Self.decode(Dossier.self, json), versions: self.versions)
                    ids.append(id); data.append(slim); versions.append(version)
                }
                if !ids.isEmpty {
                    try await connection.query("""
                        UPDATE dossiers d SET data = u.data, procedure_version = u.version
                        FROM unnest(\(ids)::text[], \(data)::text[], \(versions)::integer[]) AS u(id, data, version)
                        WHERE d.id = u.id
                        """, logger: self.logger)
                }
                return (ids.count, ids.last)
            }
            guard let next = batch.1 else { break }
            last = next
            done += batch.0
            progress?(LayoutProgress(done: done, total: total))
        }
        _ = try await rows("DELETE FROM motcua_pending_rewrites WHERE name = 'slim-layout'")
    }
}

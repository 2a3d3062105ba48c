import Foundation
import MotCuaCore
import MotCuaStore
import PostgresNIO

// The catalogue, officers and their sessions.
extension PostgresStore {
    public func saveCatalogue(tree: AgencyTree, procedures: [Procedure]) async throws -> CatalogueCounts {
        let levels = tree.levels
        let agencies = try tree.agencies.values.sorted { $0.id < $1.id }.map { ($0, try Self.json($0)) }
        let procedureRows = try procedures.map { ($0, try Self.json($0)) }
        let (counts, saved) = try await transaction(timeout: Self.bulkTimeout) { connection -> (CatalogueCounts, [(version: Int, procedure: Procedure)]) in
            for level in levels {
                try await connection.query("""
                    INSERT INTO agency_levels(code, name, rank) VALUES (\(level.code), \(level.name), \(level.rank))
                    ON CONFLICT (code) DO UPDATE SET name = excluded.name, rank = excluded.rank
                    """, logger: self.logger)
            }
            var existingAgencies: [String: String] = [:]
            for row in try await connection.query("SELECT id, data FROM agencies", logger: self.logger).collect() {
                let (id, data) = try row.decode((String, String).self)
                existingAgencies[id] = data
            }
            var changedAgencies = 0
            for (agency, data) in agencies {
                if let existing = existingAgencies[agency.id], try Self.decode(Agency.self, existing) == agency { continue }
                try await connection.query("""
                    INSERT INTO agencies(id, name, level, parent_id, valid_from, valid_to, successor_id, data)
                    VALUES (\(agency.id), \(agency.name), \(agency.level), \(agency.parentID), \(agency.validFrom.iso),
                      \(agency.validTo?.iso), \(agency.successorID), \(data))
                    ON CONFLICT (id) DO UPDATE SET name = excluded.name, level = excluded.level, parent_id = excluded.parent_id,
                      valid_from = excluded.valid_from, valid_to = excluded.valid_to, successor_id = excluded.successor_id, data = excluded.data
                    """, logger: self.logger)
                changedAgencies += 1
            }
            var existingProcedures: [String: String] = [:]
            for row in try await connection.query("SELECT code, data FROM procedures", logger: self.logger).collect() {
                let (code, data) = try row.decode((String, String).self)
                existingProcedures[code] = data
            }
            var saved: [(version: Int, procedure: Procedure)] = []
            for (procedure, data) in procedureRows {
                if let existing = existingProcedures[procedure.code], try Self.decode(Procedure.self, existing) == procedure { continue }
                // A changed procedure is a new version; the dossiers filed under the old one keep reading it.
                let version = try await connection.query("""
                    INSERT INTO procedure_versions(code, version, effective_from, data)
                    SELECT \(procedure.code), coalesce(max(version), 0) + 1, \(Date().timeIntervalSince1970), \(data)
                    FROM procedure_versions WHERE code = \(procedure.code)
                    RETURNING version
                    """, logger: self.logger).collect().first?.decode(Int.self) ?? 1
                try await connection.query("""
                    INSERT INTO procedures(code, name, name_folded, field, level, online_level, data, version)
                    VALUES (\(procedure.code), \(procedure.name), \(foldedSearchKey(procedure.name)), \(procedure.field),
                      \(procedure.level), \(procedure.onlineLevel), \(data), \(version))
                    ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_folded = excluded.name_folded, field = excluded.field,
                      level = excluded.level, online_level = excluded.online_level, data = excluded.data, version = excluded.version
                    """, logger: self.logger)
                saved.append((version, procedure))
            }
            return (CatalogueCounts(agencies: changedAgencies, procedures: saved.count), saved)
        }
        versions.add(saved)
        return counts
    }

    public func procedures() async throws -> [Procedure] {
        try await rows("SELECT data FROM procedures ORDER BY code").map { try Self.decode(Procedure.self, try $0.decode(String.self)) }
    }

    public func procedure(code: String) async throws -> Procedure? {
        try await rows("SELECT data FROM procedures WHERE code = \(code)").first.map { try Self.decode(Procedure.self, try $0.decode(String.self)) }
    }

    public func agencies() async throws -> [Agency] {
        try await rows("SELECT data FROM agencies ORDER BY id").map { try Self.decode(Agency.self, try $0.decode(String.self)) }
    }

    public func agencyLevels() async throws -> [AgencyLevel] {
        try await rows("SELECT code, name, rank FROM agency_levels ORDER BY rank").map {
            let (code, name, rank) = try $0.decode((String, String, Int).self)
            return AgencyLevel(code: code, name: name, rank: rank)
        }
    }

    // MARK: Officers and sessions

    static let officerColumns = "o.id, o.username, o.name, o.role, o.agency_id, o.department_id, o.password_hash, o.active"

    typealias OfficerColumns = (String, String, String, String, String, String?, String, Bool)

    static func officer(_ row: PostgresRow) throws -> Officer {
        try officer(row.decode(OfficerColumns.self))
    }

    static func officer(_ columns: OfficerColumns) throws -> Officer {
        let (id, username, name, role, agency, department, hash, active) = columns
        guard let role = Role(rawValue: role) else { throw StoreError.corrupt("officer role \(role)") }
        return Officer(id: id, username: username, name: name, role: role, agencyID: agency, departmentID: department, passwordHash: hash, active: active)
    }

    public func createOfficer(_ officer: Officer) async throws {
        let inserted = try await rows("""
            INSERT INTO officers(id, username, name, role, agency_id, department_id, password_hash, active, created_at)
            VALUES (\(officer.id), \(officer.username), \(officer.name), \(officer.role.rawValue), \(officer.agencyID),
              \(officer.departmentID), \(officer.passwordHash), \(officer.active), \(Date().timeIntervalSince1970))
            ON CONFLICT (username) DO NOTHING
            RETURNING 1
            """)
        guard !inserted.isEmpty else { throw StoreError.duplicate("username \(officer.username)") }
    }

    public func officer(username: String) async throws -> Officer? {
        try await rows("SELECT \(unescaped: Self.officerColumns) FROM officers o WHERE o.username = \(username)").first.map(Self.officer)
    }

    public func officer(id: String) async throws -> Officer? {
        try await rows("SELECT \(unescaped: Self.officerColumns) FROM officers o WHERE o.id = \(id)").first.map(Self.officer)
    }

    public func officerCount() async throws -> Int {
        try await rows("SELECT count(*) FROM officers")[0].decode(Int.self)
    }

    public func officers(agencyID: String) async throws -> [Officer] {
        try await rows("SELECT \(unescaped: Self.officerColumns) FROM officers o WHERE o.agency_id = \(agencyID) ORDER BY o.name").map(Self.officer)
    }

    public func setPassword(officerID: String, passwordHash: String) async throws {
        try await transaction { connection in
            let changed = try await connection.query(
                "UPDATE officers SET password_hash = \(passwordHash) WHERE id = \(officerID) RETURNING 1", logger: self.logger).collect()
            guard changed.count == 1 else { throw StoreError.notFound }
            try await connection.query("DELETE FROM sessions WHERE officer_id = \(officerID)", logger: self.logger)
        }
    }

    public func createSession(tokenHash: String, officerID: String, createdAt: Date, expiresAt: Date) async throws {
        let created = createdAt.timeIntervalSince1970
        try await transaction { connection in
            try await connection.query("DELETE FROM sessions WHERE expires_at < \(created)", logger: self.logger)
            try await connection.query("""
                INSERT INTO sessions(token_hash, officer_id, created_at, expires_at)
                VALUES (\(tokenHash), \(officerID), \(created), \(expiresAt.timeIntervalSince1970))
                """, logger: self.logger)
        }
    }

    public func session(tokenHash: String, now: Date) async throws -> (Officer, expiresAt: Date)? {
        guard let row = try await rows("""
            SELECT \(unescaped: Self.officerColumns), s.expires_at FROM sessions s JOIN officers o ON o.id = s.officer_id
            WHERE s.token_hash = \(tokenHash) AND s.expires_at > \(now.timeIntervalSince1970) AND o.active
            """).first
        else { return nil }
        let (id, username, name, role, agency, department, hash, active, expires) =
            try row.decode((String, String, String, String, String, String?, String, Bool, Double).self)
        let officer = try Self.officer((id, username, name, role, agency, department, hash, active))
        return (officer, Date(timeIntervalSince1970: expires))
    }

    public func deleteSession(tokenHash: String) async throws {
        try await rows("DELETE FROM sessions WHERE token_hash = \(tokenHash)")
    }
}

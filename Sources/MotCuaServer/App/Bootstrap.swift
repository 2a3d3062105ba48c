import Crypto
import Foundation
import Logging
import MotCuaConfig
import MotCuaCore
import MotCuaDemo
import MotCuaStore
import NIOCore

/// Start-up work of `motcua serve` and `motcua seed`: the catalogue, agency successions, the
/// first administrator, and the demo data of `--demo`.
public enum Bootstrap {
    public struct SeedReport: Sendable, Equatable {
        public var agenciesChanged: Int
        public var proceduresChanged: Int
        /// Open dossiers moved from merged or dissolved agencies to their successors.
        public var dossiersInherited: Int
    }

    /// Loads the catalogue into the store (idempotent: unchanged entries are left alone) and hands
    /// the open dossiers of agencies that no longer exist to their successors.
    public static func seed(store: any DossierStore, catalogue: Catalogue, now: Date) async throws -> SeedReport {
        let counts = try await store.saveCatalogue(tree: catalogue.tree, procedures: catalogue.procedures)
        let today = WorkCalendar.localDate(of: now)
        var inherited = 0
        for agency in catalogue.tree.agencies.values.sorted(by: { $0.id < $1.id }) where !agency.isActive(on: today) {
            let heir = catalogue.tree.heir(of: agency.id, on: today)
            guard heir != agency.id else { continue }
            let system = Actor(id: "system", name: "Hệ thống MotCua", role: .admin, agencyID: heir)
            for code in try await store.openDossierCodes(heldBy: agency.id) {
                // Decided like any other change, on the row as it is inside the transaction.
                let after = try await store.apply(code: code) { Lifecycle.inherit($0, from: agency.id, to: heir, actor: system, at: now) }
                if after.currentAgencyID == heir { inherited += 1 }
            }
        }
        return SeedReport(agenciesChanged: counts.agencies, proceduresChanged: counts.procedures, dossiersInherited: inherited)
    }

    /// Creates the first administrator when there is no officer at all, with a random password
    /// that is returned once (and never stored in clear).
    public static func ensureAdministrator(
        store: any DossierStore, catalogue: Catalogue, bcryptCost: Int, now: Date
    ) async throws -> (username: String, password: String)? {
        guard try await store.officerCount() == 0 else { return nil }
        let today = WorkCalendar.localDate(of: now)
        let root = catalogue.tree.agencies.values
            .filter { $0.parentID == nil && $0.isActive(on: today) }
            .sorted { $0.id < $1.id }.first ?? catalogue.tree.agencies.values.sorted { $0.id < $1.id }.first
        guard let agency = root else { return nil }
        let password = Auth.newPassword()
        let officer = Officer(
            id: UUID().uuidString.lowercased(), username: "admin", name: "Quản trị hệ thống", role: .admin,
            agencyID: agency.id, departmentID: nil, passwordHash: try await Auth.hashPassword(password, cost: bcryptCost))
        do {
            try await store.createOfficer(officer)
        } catch StoreError.duplicate {
            // Another instance starting on the same database created it first.
            return nil
        }
        return ("admin", password)
    }

    public struct DemoLogin: Sendable {
        public var username: String
        public var password: String
        public var role: Role
        public var agencyID: String
    }


    /// Demo officers for each role in a few agencies (fresh passwords at every start, returned to
    /// be printed) and, on an empty database, a few hundred dossiers in varied states.
    /// `count`: how many dossiers to add (nil: the file's number, only on an empty database);
    /// `profile` shapes them; `progress` hears (done, total).
    public static func demo(
        store: any DossierStore, blobs: BlobStore, catalogue: Catalogue, calendars: WorkCalendars, file: URL, bcryptCost: Int, now: Date,
        logger: Logger, count: Int? = nil, profile: DemoProfile = .standard, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async throws -> (logins: [DemoLogin], dossiers: Int) {
        let demo: DemoFile
        do {
            demo = try JSONDecoder().decode(DemoFile.self, from: Data(contentsOf: file))
        } catch {
            throw SeedError(file: "Seeds/\(file.lastPathComponent)", entry: "-", reason: "\(error)")
        }
        var logins: [DemoLogin] = []
        var officers: [Officer] = []
        for entry in demo.officers {
            guard catalogue.tree.agencies[entry.agency] != nil else {
                throw SeedError(file: "Seeds/\(file.lastPathComponent)", entry: entry.username, reason: "agency '\(entry.agency)' does not exist")
            }
            let password = Auth.newPassword()
            let hash = try await Auth.hashPassword(password, cost: bcryptCost)
            if var existing = try await store.officer(username: entry.username) {
                try await store.setPassword(officerID: existing.id, passwordHash: hash)
                existing.passwordHash = hash
                officers.append(existing)
            } else {
                let officer = Officer(
                    id: UUID().uuidString.lowercased(), username: entry.username, name: entry.name, role: entry.role,
                    agencyID: entry.agency, departmentID: entry.department, passwordHash: hash)
                try await store.createOfficer(officer)
                officers.append(officer)
            }
            logins.append(DemoLogin(username: entry.username, password: password, role: entry.role, agencyID: entry.agency))
        }
        let existing = try await store.counts().dossiers
        guard count != nil || existing == 0 else { return (logins, 0) }
        // The demo's files are one real PDF in the blob store: every file a demo dossier lists
        // can be downloaded.
        let sample = ByteBuffer(bytes: DemoDossiers.samplePDF)
        _ = try await blobs.put(sample, sha256: DemoDossiers.sampleSHA256)
        blobs.unpin([DemoDossiers.sampleSHA256])
        let generator = DemoDossiers(
            store: store, catalogue: catalogue, calendars: calendars, officers: officers, names: demo, now: now, profile: profile,
            seed: 2026 &+ UInt64(existing), progress: progress)
        let created = try await generator.run(count: count ?? demo.dossiers, logger: logger)
        return (logins, created)
    }
}

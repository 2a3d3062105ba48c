import Foundation
import Logging
import MotCuaConfig
import MotCuaCore
import MotCuaStore

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
            inherited += try await store.inheritOpenDossiers(from: agency.id, to: heir, actor: system, at: now)
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
        try await store.createOfficer(officer)
        return ("admin", password)
    }

    public struct DemoLogin: Sendable {
        public var username: String
        public var password: String
        public var role: Role
        public var agencyID: String
    }

    struct DemoFile: Decodable {
        var officers: [DemoOfficer]
        var familyNames: [String]
        var middleNames: [String]
        var givenNames: [String]
        var streets: [String]
        var dossiers: Int

        struct DemoOfficer: Decodable {
            var username: String
            var name: String
            var role: Role
            var agency: String
            var department: String?
        }
    }

    /// Demo officers for each role in a few agencies (fresh passwords at every start, returned to
    /// be printed) and, on an empty database, a few hundred dossiers in varied states.
    public static func demo(
        store: any DossierStore, catalogue: Catalogue, calendars: WorkCalendars, file: URL, bcryptCost: Int, now: Date,
        logger: Logger
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
        guard try await store.counts().dossiers == 0 else { return (logins, 0) }
        let generator = DemoDossiers(
            store: store, catalogue: catalogue, calendars: calendars, officers: officers, names: demo, now: now)
        let created = try await generator.run(count: demo.dossiers, logger: logger)
        return (logins, created)
    }
}

/// Generates demo dossiers by running the real lifecycle over simulated past time, so that every
/// demo dossier has a consistent control sheet.
struct DemoDossiers {
    let store: any DossierStore
    let catalogue: Catalogue
    let calendars: WorkCalendars
    let officers: [Officer]
    let names: Bootstrap.DemoFile
    let now: Date

    func run(count: Int, logger: Logger) async throws -> Int {
        var rng = SeededGenerator(seed: 2026)
        let agencies = Array(Set(officers.filter { $0.role == .desk }.map(\.agencyID))).sorted()
        var created = 0
        for index in 0..<count {
            let agencyID = agencies[index % agencies.count]
            guard let agency = catalogue.tree.agencies[agencyID] else { continue }
            let staff = officers.filter { $0.agencyID == agencyID }
            guard let desk = staff.first(where: { $0.role == .desk }),
                  let handler = staff.first(where: { $0.role == .handler }),
                  let leader = staff.first(where: { $0.role == .leader }) else { continue }
            let candidates = catalogue.procedures.filter { $0.level == agency.level }
            guard let procedure = candidates.randomElement(using: &rng) else { continue }
            let calendar = calendars.calendar(forAgency: agencyID)

            // Filed between 45 working days ago and now, at a working instant.
            let lookback = Int64(45 * 8 * 3600)
            let earliest = try previousWorkingInstant(calendar, before: now, seconds: lookback)
            var t = try calendar.due(from: earliest, workingSeconds: Int64.random(in: 1...lookback, using: &rng))
            guard t < now else { continue }

            let applicant = Applicant(
                name: "\(names.familyNames.randomElement(using: &rng)!) \(names.middleNames.randomElement(using: &rng)!) \(names.givenNames.randomElement(using: &rng)!)",
                idNumber: String(format: "0%02d%09d", Int.random(in: 1...96, using: &rng), Int.random(in: 0...999_999_999, using: &rng)),
                phone: String(format: "09%08d", Int.random(in: 0...99_999_999, using: &rng)),
                email: nil,
                address: "Số \(Int.random(in: 1...300, using: &rng)) đường \(names.streets.randomElement(using: &rng)!)")
            let documents = procedure.documents.map { ProvidedDocument(name: $0.name, originals: $0.originals, copies: $0.copies) }
            let incompleteAtIntake = Int.random(in: 0..<10, using: &rng) == 0
            let intake = Intake(
                procedure: procedure, applicant: applicant, documents: documents,
                returnMethod: procedure.postalReturn && Bool.random(using: &rng) ? .post : .desk,
                missingItems: incompleteAtIntake ? [procedure.documents[0].name] : [])
            let id = TimeOrderedID.make(at: t, using: &rng)
            let filingContext = context(desk, t, calendar, agency)
            let (dossier, _) = try await store.fileDossier(agencyID: agencyID, day: WorkCalendar.localDate(of: t)) { code in
                try Lifecycle.file(intake, code: code, id: id, context: filingContext)
            }
            created += 1
            if incompleteAtIntake { continue }

            // How far this one got: a random prefix of the usual path, with detours.
            let steps: [(Officer, DossierCommand)] = [
                (desk, .transfer(departmentID: agency.departments.first?.id ?? "")),
                (leader, .assign(handler: handler.actor)),
                (leader, .approve(note: nil)),
                (handler, .resultReady),
                (desk, .returnResult(method: intake.returnMethod)),
            ]
            let depth = Int.random(in: 0...steps.count, using: &rng)
            let detour = Int.random(in: 0..<12, using: &rng)
            for (position, (actor, command)) in steps.prefix(depth).enumerated() {
                t = try calendar.due(from: t, workingSeconds: Int64.random(in: 1800...(3 * 8 * 3600), using: &rng))
                guard t < now else { break }
                if position == 2 && detour == 0 {
                    // Supplementation in processing, answered a few days later.
                    try await apply(dossier.code, handler, .requestSupplementation(items: ["Bản sao giấy tờ tùy thân có chứng thực"], reason: "Hồ sơ thiếu giấy tờ khi thẩm định"), t, calendar, agency)
                    t = try calendar.due(from: t, workingSeconds: Int64.random(in: 3600...(4 * 8 * 3600), using: &rng))
                    guard t < now else { break }
                    try await apply(dossier.code, desk, .supplementationReceived(note: nil), t, calendar, agency)
                    t = try calendar.due(from: t, workingSeconds: Int64.random(in: 1800...(8 * 3600), using: &rng))
                    guard t < now else { break }
                }
                if position == 1 && detour == 1 {
                    try await apply(dossier.code, desk, .withdraw(reason: "Công dân có đơn xin rút hồ sơ"), t, calendar, agency)
                    break
                }
                if position == 0 && detour == 2 {
                    try await apply(dossier.code, handler, .refuse(reason: "Hồ sơ không thuộc thẩm quyền giải quyết"), t, calendar, agency)
                    break
                }
                try await apply(dossier.code, actor, command, t, calendar, agency)
            }
        }
        logger.info("demo dossiers generated", metadata: ["count": "\(created)"])
        return created
    }

    func context(_ officer: Officer, _ at: Date, _ calendar: WorkCalendar, _ agency: Agency) -> DecisionContext {
        DecisionContext(actor: officer.actor, now: at, calendar: calendar, departments: agency.departments)
    }

    func apply(_ code: String, _ officer: Officer, _ command: DossierCommand, _ at: Date, _ calendar: WorkCalendar, _ agency: Agency) async throws {
        let decision = context(officer, at, calendar, agency)
        _ = try await store.apply(code: code) { try Lifecycle.decide(command, dossier: $0, context: decision) }
    }

    /// The instant `seconds` of working time before `end`.
    func previousWorkingInstant(_ calendar: WorkCalendar, before end: Date, seconds: Int64) throws -> Date {
        var guess = end.addingTimeInterval(-Double(seconds) * 3)
        while try calendar.elapsed(from: guess, to: end) < seconds { guess = guess.addingTimeInterval(-86_400) }
        return guess
    }
}

import Crypto
import Foundation
import Logging
import MotCuaConfig
import MotCuaCore
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

/// Generates demo dossiers by running the real lifecycle over simulated past time, so that every
/// demo dossier has a consistent control sheet. A `DemoProfile` sets the shares of channels,
/// online levels, pauses, refusals, fees, postal returns and ratings.
struct DemoDossiers {
    let store: any DossierStore
    let catalogue: Catalogue
    let calendars: WorkCalendars
    let officers: [Officer]
    let names: Bootstrap.DemoFile
    let now: Date
    var profile: DemoProfile = .standard
    var seed: UInt64 = 2026
    /// Called after each dossier with (done, total).
    var progress: (@Sendable (Int, Int) -> Void)? = nil

    /// The one file behind every file of the demo's online dossiers and electronic results: a
    /// small valid PDF, written to the blob store by `Bootstrap.demo` before any dossier lists it.
    static let samplePDF: [UInt8] = Array("""
        %PDF-1.4
        1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
        2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
        3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj
        trailer << /Root 1 0 R >>
        %%EOF

        """.utf8)
    static let sampleSHA256 = SHA256.hash(data: samplePDF).map { String(format: "%02x", $0) }.joined()

    func run(count: Int, logger: Logger) async throws -> Int {
        let agencies = Array(Set(officers.filter { $0.role == .desk }.map(\.agencyID))).sorted()
        // Filed between `start` and `end`, at working instants.
        let end = min(now, profile.to.map { WorkCalendar.instant($0.adding(days: 1)) } ?? now)
        let start = profile.from.map { WorkCalendar.instant($0) } ?? end.addingTimeInterval(-Double(profile.days) * 86_400)
        // Dossiers go through their steps side by side, so that the store commits their writes
        // in groups; each has its own random sequence, so the result does not depend on timing.
        var created = 0, done = 0, next = 0
        try await withThrowingTaskGroup(of: Bool.self) { group in
            func launch() {
                let index = next
                next += 1
                group.addTask { try await one(index, start: start, end: end, agencies: agencies) }
            }
            while next < min(count, 16) { launch() }
            while let made = try await group.next() {
                done += 1
                if made { created += 1 }
                progress?(done, count)
                if next < count { launch() }
            }
        }
        logger.info("demo dossiers generated", metadata: ["count": "\(created)", "profile": "\(profile.id)"])
        return created
    }

    /// One demo dossier, filed and moved along; false when none was filed.
    func one(_ index: Int, start: Date, end: Date, agencies: [String]) async throws -> Bool {
        // A stream of its own: the mixed output of (seed, index) as the seed, so that neighbouring
        // dossiers' sequences do not overlap.
        var mixer = SeededGenerator(seed: seed ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03))
        var rng = SeededGenerator(seed: mixer.next())
        let instant = start.addingTimeInterval(Double.random(in: 0..<end.timeIntervalSince(start), using: &rng))
        // An agency that existed on that day (the 2025 reform dissolved some).
        let open = agencies.filter { catalogue.tree.agencies[$0]?.isActive(on: WorkCalendar.localDate(of: instant)) == true }
        guard !open.isEmpty else { return false }
        let agencyID = open[index % open.count]
        guard let agency = catalogue.tree.agencies[agencyID] else { return false }
        let staff = officers.filter { $0.agencyID == agencyID }
        guard let desk = staff.first(where: { $0.role == .desk }),
              let handler = staff.first(where: { $0.role == .handler }),
              let leader = staff.first(where: { $0.role == .leader }) else { return false }
        let candidates = catalogue.procedures.filter { $0.level == agency.level }
        guard let procedure = candidates.randomElement(using: &rng) else { return false }
        let calendar = calendars.calendar(forAgency: agencyID)
        guard var t = try? calendar.due(from: instant, workingSeconds: 60), t < end else { return false }

        let applicant = Applicant(
            name: "\(names.familyNames.randomElement(using: &rng)!) \(names.middleNames.randomElement(using: &rng)!) \(names.givenNames.randomElement(using: &rng)!)",
            idNumber: String(format: "0%02d%09d", Int.random(in: 1...96, using: &rng), Int.random(in: 0...999_999_999, using: &rng)),
            phone: String(format: "09%08d", Int.random(in: 0...99_999_999, using: &rng)),
            email: nil,
            address: "Số \(Int.random(in: 1...300, using: &rng)) đường \(names.streets.randomElement(using: &rng)!)")
        func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
        let online = procedure.onlineLevel >= 3 && chance(profile.online)
        let level = online ? (procedure.onlineLevel >= 4 && chance(profile.level4) ? 4 : 3) : nil
        let byPost = procedure.postalReturn && chance(profile.postalReturn)
        let returnMethod: ReturnMethod = byPost ? .post : level == 4 ? .electronic : .desk
        let postalIntake = !online && procedure.postalIntake && chance(profile.postalIntake)
        let incompleteAtIntake = !online && chance(0.05)
        let id = TimeOrderedID.make(at: t, using: &rng)
        let filingContext = context(desk, t, calendar, agency)
        let dossier: Dossier
        let deskParty = PostalOrders.deskParty(agencyID: agencyID, tree: catalogue.tree)
        let address = PostalAddress(
            recipient: applicant.name, phone: applicant.phone, street: applicant.address, ward: deskParty.ward.isEmpty ? agency.name : deskParty.ward,
            district: deskParty.district, province: deskParty.province)
        if let level {
            let files = procedure.documents.map {
                StoredFile(sha256: Self.sampleSHA256, name: "\($0.name).pdf", contentType: "application/pdf", size: Self.samplePDF.count, document: $0.name)
            }
            let submission = OnlineSubmission(
                procedure: procedure, agencyID: agencyID, level: level, applicant: applicant, returnMethod: returnMethod,
                postalAddress: byPost ? address : nil, files: files,
                notApplicable: procedure.documents.filter { $0.name.hasPrefix("Trường hợp") }.map(\.name))
            let citizen = Actor(id: "citizen", name: applicant.name, role: .citizen, agencyID: agencyID)
            let submitContext = DecisionContext(actor: citizen, now: t, calendar: calendar, departments: agency.departments)
            (dossier, _) = try await store.fileDossier(agencyID: agencyID, day: WorkCalendar.localDate(of: t)) { code in
                try Lifecycle.submit(submission, code: code, id: id, context: submitContext)
            }
            t = try calendar.due(from: t, workingSeconds: Int64.random(in: 600...(8 * 3600), using: &rng))
            guard t < now else { return true }
            try await apply(dossier.code, desk, .receive, t, calendar, agency)
        } else {
            let documents = procedure.documents.map { ProvidedDocument(name: $0.name, originals: $0.originals, copies: $0.copies) }
            let intake = Intake(
                procedure: procedure, applicant: applicant, documents: documents, returnMethod: returnMethod,
                channel: postalIntake ? .postal : .desk,
                missingItems: incompleteAtIntake ? [procedure.documents[0].name] : [], postalAddress: byPost ? address : nil)
            (dossier, _) = try await store.fileDossier(agencyID: agencyID, day: WorkCalendar.localDate(of: t)) { code in
                try Lifecycle.file(intake, code: code, id: id, context: filingContext)
            }
        }
        if incompleteAtIntake { return true }

        // The usual path, with detours; it stops where simulated time reaches now.
        let resultFile = returnMethod == .electronic
            ? StoredFile(sha256: Self.sampleSHA256, name: "ket-qua.pdf", contentType: "application/pdf", size: Self.samplePDF.count, document: "Kết quả")
            : nil
        let steps: [(Officer, DossierCommand)] = [
            (desk, .transfer(departmentID: agency.departments.first?.id ?? "")),
            (leader, .assign(handler: handler.actor)),
            (leader, .approve(note: nil, resultFile: resultFile)),
            (handler, .resultReady),
            (desk, .returnResult(method: returnMethod)),
        ]
        let supplementation = chance(profile.supplementation)
        let fee = chance(profile.fee)
        let withdrawal = chance(profile.withdrawal)
        let refusal = !withdrawal && chance(profile.refusal)
        let termSeconds: Double = switch procedure.term {
        case let .workingDays(n): Double(n) * Double(calendar.workingDaySeconds)
        case let .workingHours(n): Double(n) * 3600
        case let .calendarDays(n): Double(n) * Double(calendar.workingDaySeconds) * 5 / 7
        }
        let meanStep = max(1800, profile.pace * termSeconds)
        func step() -> Int64 { Int64(Double.random(in: 0.1...(2 * meanStep), using: &rng)) }
        var finished = true
        for (position, (actor, command)) in steps.enumerated() {
            t = try calendar.due(from: t, workingSeconds: step())
            guard t < now else { finished = false; break }
            if position == 0 && refusal {
                try await apply(dossier.code, handler, .refuse(reason: "Hồ sơ không thuộc thẩm quyền giải quyết"), t, calendar, agency)
                finished = false
                break
            }
            if position == 1 && withdrawal {
                try await apply(dossier.code, desk, .withdraw(reason: "Công dân có đơn xin rút hồ sơ"), t, calendar, agency)
                finished = false
                break
            }
            if position == 2 && supplementation {
                // Supplementation in processing, answered a few days later.
                try await apply(dossier.code, handler, .requestSupplementation(items: ["Bản sao giấy tờ tùy thân có chứng thực"], reason: "Hồ sơ thiếu giấy tờ khi thẩm định"), t, calendar, agency)
                t = try calendar.due(from: t, workingSeconds: Int64.random(in: 3600...(5 * 8 * 3600), using: &rng))
                guard t < now else { finished = false; break }
                try await apply(dossier.code, desk, .supplementationReceived(note: nil, files: []), t, calendar, agency)
                t = try calendar.due(from: t, workingSeconds: step())
                guard t < now else { finished = false; break }
            }
            if position == 2 && fee {
                try await apply(dossier.code, handler, .requestFee(amount: [50_000, 100_000, 200_000].randomElement(using: &rng)!), t, calendar, agency)
                t = try calendar.due(from: t, workingSeconds: Int64.random(in: 1800...(2 * 8 * 3600), using: &rng))
                guard t < now else { finished = false; break }
                if level == 4, let current = try await store.dossier(code: dossier.code) {
                    let provider = Actor(id: "payments", name: "Cổng thanh toán", role: .system, agencyID: agencyID)
                    let paid = DecisionContext(actor: provider, now: t, calendar: calendar, departments: agency.departments)
                    _ = try await store.apply(code: dossier.code) {
                        try Lifecycle.decide(.feePaid(reference: current.payment?.reference), dossier: $0, context: paid)
                    }
                } else {
                    try await apply(dossier.code, desk, .feePaid(reference: nil), t, calendar, agency)
                }
                t = try calendar.due(from: t, workingSeconds: step())
                guard t < now else { finished = false; break }
            }
            if case .returnResult = command, returnMethod == .post,
               let delivery = try await store.dossier(code: dossier.code)?.shipment(.delivery) {
                // The post office carries the result home: its waybill, the round, the delivery.
                let waybill = S10.identifier(prefix: "EB", number: Int.random(in: 0..<100_000_000, using: &rng))
                for status in [ShipmentStatus.accepted, .outForDelivery, .delivered] {
                    let update = PostalUpdate(orderNumber: delivery.orderNumber, waybill: waybill, status: status, at: t)
                    let context = DecisionContext(actor: PostalOrders.actor(agencyID: agencyID), now: t, calendar: calendar)
                    _ = try await store.apply(code: dossier.code) { try Lifecycle.decide(.postalUpdate(update), dossier: $0, context: context) }
                    t = t.addingTimeInterval(Double.random(in: 3600...(30 * 3600), using: &rng))
                    guard t < now else { finished = false; break }
                }
                continue
            }
            try await apply(dossier.code, actor, command, t, calendar, agency)
        }
        if finished && chance(profile.rating) {
            t = t.addingTimeInterval(Double.random(in: 3600...(3 * 86_400), using: &rng))
            if t < now {
                let score = chance(profile.poorRating) ? Int.random(in: 1...2, using: &rng) : Int.random(in: 3...5, using: &rng)
                let citizen = Actor(id: "citizen", name: applicant.name, role: .citizen, agencyID: agencyID)
                let rating = DecisionContext(actor: citizen, now: t, calendar: calendar, departments: agency.departments)
                _ = try await store.apply(code: dossier.code) {
                    try Lifecycle.decide(.rate(score: score, comment: nil), dossier: $0, context: rating)
                }
            }
        }
        return true
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

import Crypto
import Foundation
import Logging
import MotCuaAPI
import MotCuaConfig
import MotCuaCore
import MotCuaStore

/// `Seeds/demo.json`: the demo officers and the names and streets the generator draws from.
public struct DemoFile: Decodable, Sendable {
    public var officers: [DemoOfficer]
    public var familyNames: [String]
    public var middleNames: [String]
    public var givenNames: [String]
    public var streets: [String]
    public var dossiers: Int

    public struct DemoOfficer: Decodable, Sendable {
        public var username: String
        public var name: String
        public var role: Role
        public var agency: String
        public var department: String?
    }
}

/// Generates demo dossiers by running the real lifecycle over simulated past time, so that every
/// demo dossier has a consistent control sheet. A `DemoProfile` sets the shares of channels,
/// online levels, pauses, refusals, fees, postal returns and ratings.
public struct DemoDossiers: Sendable {
    let store: any DossierStore
    let catalogue: Catalogue
    let calendars: WorkCalendars
    let officers: [Officer]
    let names: DemoFile
    let now: Date
    var profile: DemoProfile = .standard
    var seed: UInt64 = 2026
    /// Called after each dossier with (done, total).
    var progress: (@Sendable (Int, Int) -> Void)? = nil

    public init(
        store: any DossierStore, catalogue: Catalogue, calendars: WorkCalendars, officers: [Officer], names: DemoFile, now: Date,
        profile: DemoProfile = .standard, seed: UInt64 = 2026, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) {
        self.store = store
        self.catalogue = catalogue
        self.calendars = calendars
        self.officers = officers
        self.names = names
        self.now = now
        self.profile = profile
        self.seed = seed
        self.progress = progress
    }

    /// The one file behind every file of the demo's online dossiers and electronic results: a
    /// small valid PDF, written to the blob store by `Bootstrap.demo` before any dossier lists it.
    public static let samplePDF: [UInt8] = Array("""
        %PDF-1.4
        1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
        2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
        3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj
        trailer << /Root 1 0 R >>
        %%EOF

        """.utf8)
    public static let sampleSHA256 = SHA256.hash(data: samplePDF).map { String(format: "%02x", $0) }.joined()

    public func run(count: Int, logger: Logger) async throws -> Int {
        let agencies = Array(Set(officers.filter { $0.role == .desk }.map(\.agencyID))).sorted()
        // Filed between `start` and `end`, at working instants.
        let end = min(now, profile.to.map { WorkCalendar.instant($0.adding(days: 1)) } ?? now)
        let start = profile.from.map { WorkCalendar.instant($0) } ?? end.addingTimeInterval(-Double(profile.days) * 86_400)
        // Dossiers go through their steps side by side, so that the store commits their writes
        // in groups; each has its own random sequence, so what each dossier is does not depend
        // on timing (only which of a desk's numbers for the day it gets: filing order).
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
        // Its own stream too: whether another desk of the province takes it in (so that the
        // dossiers of earlier demos keep their values).
        var across = SeededGenerator(seed: mixer.next())
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
        // Filing anywhere in the province: a flagged procedure taken in at another desk of the
        // province, such as the provincial centre's (one in two), handed on at receipt, its
        // result returned there.
        let receivingDesk: Officer? = !procedure.isFiledAnywhere || online || postalIntake || byPost || incompleteAtIntake
            || Double.random(in: 0..<1, using: &across) >= 0.5 ? nil
            : officers.filter { officer in
                officer.role == .desk && officer.agencyID != agencyID
                    && catalogue.tree.province(of: officer.agencyID) == catalogue.tree.province(of: agencyID)
                    && catalogue.tree.agencies[officer.agencyID]?.isActive(on: WorkCalendar.localDate(of: instant)) == true
            }.randomElement(using: &across)
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
            var intake = Intake(
                procedure: procedure, applicant: applicant, documents: documents, returnMethod: returnMethod,
                channel: postalIntake ? .postal : .desk,
                missingItems: incompleteAtIntake ? [procedure.documents[0].name] : [], postalAddress: byPost ? address : nil)
            var filing = filingContext
            if let receivingDesk, let receiving = catalogue.tree.agencies[receivingDesk.agencyID] {
                intake.competentAgencyID = agencyID
                intake.files = documents.map {
                    StoredFile(sha256: Self.sampleSHA256, name: "\($0.name).pdf", contentType: "application/pdf", size: Self.samplePDF.count, document: $0.name)
                }
                filing = context(receivingDesk, t, calendars.calendar(forAgency: receiving.id), receiving)
            }
            (dossier, _) = try await store.fileDossier(agencyID: agencyID, day: WorkCalendar.localDate(of: t)) { [intake, filing] code in
                try Lifecycle.file(intake, code: code, id: id, context: filing)
            }
            if receivingDesk != nil {
                // The competent agency's desk takes the hand-off.
                t = try calendar.due(from: t, workingSeconds: Int64.random(in: 600...(4 * 3600), using: &across))
                guard t < now else { return true }
                try await apply(dossier.code, desk, .receiveFromAgency, t, calendar, agency)
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
            if case .returnResult = command, let receivingDesk, let receiving = catalogue.tree.agencies[receivingDesk.agencyID] {
                // The result went back to the desk that took the dossier in, which returns it.
                let deskCalendar = calendars.calendar(forAgency: receiving.id)
                try await apply(dossier.code, receivingDesk, .receiveFromAgency, t, deskCalendar, receiving)
                t = try deskCalendar.due(from: t, workingSeconds: step())
                guard t < now else { finished = false; break }
                try await apply(dossier.code, receivingDesk, command, t, deskCalendar, receiving)
                continue
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
                let at = t
                _ = try await store.apply(code: dossier.code) { held in
                    // The applicant rates at the agency holding the dossier, as the citizens' door
                    // does: the receiving desk's, when it returned a result filed elsewhere.
                    let citizen = Actor(id: "citizen", name: applicant.name, role: .citizen, agencyID: held.currentAgencyID)
                    let rating = DecisionContext(actor: citizen, now: at, calendar: calendar, departments: agency.departments)
                    return try Lifecycle.decide(.rate(score: score, comment: nil), dossier: held, context: rating)
                }
            }
        }
        return true
    }

    func context(_ officer: Officer, _ at: Date, _ calendar: WorkCalendar, _ agency: Agency) -> DecisionContext {
        let tree = catalogue.tree
        return DecisionContext(
            actor: officer.actor, now: at, calendar: calendar, departments: agency.departments,
            placeOf: { id in tree.agencies[id].flatMap { agency in tree.province(of: id).map { ($0, agency.level) } } })
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

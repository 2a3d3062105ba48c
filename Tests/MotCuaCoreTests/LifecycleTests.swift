import Foundation
import MotCuaDemo
import Testing
@testable import MotCuaCore

let agencyA = "000.15.01.H42"
let agencyB = "000.07.01.H25"
let departments = [Department(id: "TPHT", name: "Tư pháp – Hộ tịch")]

let birthRegistration = Procedure(
    code: "1.001193", name: "Thủ tục đăng ký khai sinh", field: "Hộ tịch", level: "xa", term: .workingDays(3),
    fee: Fee(amount: 0, text: "Miễn phí"), onlineLevel: 4, postalIntake: true, postalReturn: true,
    documents: [
        DocumentRequirement(name: "Tờ khai đăng ký khai sinh", originals: 1, copies: 0),
        DocumentRequirement(name: "Giấy chứng sinh", originals: 1, copies: 0),
    ],
    source: "test")

let applicant = Applicant(name: "Nguyễn Văn An", idNumber: "001203004005", phone: "0912345678", address: "Sông Trí, Hà Tĩnh")

func officer(_ role: Role, agency: String = agencyA) -> Actor {
    Actor(id: "\(role.rawValue)-\(agency)", name: "Cán bộ \(role.rawValue)", role: role, agencyID: agency, departmentID: "TPHT")
}

func context(_ actor: Actor, _ now: String) -> DecisionContext {
    DecisionContext(actor: actor, now: at(now), calendar: testCalendar, departments: departments, agencyIsActive: { $0 == agencyA || $0 == agencyB })
}

func completeIntake(missing: [String] = []) -> Intake {
    Intake(
        procedure: birthRegistration, applicant: applicant,
        documents: birthRegistration.documents.map { ProvidedDocument(name: $0.name, originals: $0.originals, copies: $0.copies) },
        returnMethod: .desk, missingItems: missing)
}

/// Runs a command and applies its events.
@discardableResult
func run(_ command: DossierCommand, _ dossier: inout Dossier, by actor: Actor, at now: String) throws -> [DossierEvent] {
    let events = try Lifecycle.decide(command, dossier: dossier, context: context(actor, now))
    dossier = events.reduce(dossier) { Lifecycle.evolve($0, $1) }
    return events
}

func received(at now: String = "2026-03-02T08:00:00+07:00") throws -> Dossier {
    let events = try Lifecycle.file(completeIntake(), code: "\(agencyA)-260302-0001", id: "d1", context: context(officer(.desk), now))
    return Lifecycle.replay(events)!
}

/// A dossier brought to `status` by the usual path.
func dossier(in status: DossierStatus) throws -> Dossier {
    if status == .submitted {
        var filed = completeIntake()
        filed.missingItems = []
        let created = try Lifecycle.file(completeIntake(missing: ["Giấy chứng sinh"]), code: "C", id: "d0", context: context(officer(.desk), "2026-03-02T08:00:00+07:00"))
        var d = Lifecycle.replay(created)!
        try run(.supplementationReceived(note: nil), &d, by: officer(.desk), at: "2026-03-02T09:00:00+07:00")
        return d
    }
    var d = try received()
    let desk = officer(.desk), leader = officer(.leader), handler = officer(.handler)
    switch status {
    case .received: break
    case .processing: try run(.transfer(departmentID: "TPHT"), &d, by: desk, at: "2026-03-02T09:00:00+07:00")
    case .supplementation: try run(.requestSupplementation(items: ["Giấy chứng sinh"], reason: "Thiếu"), &d, by: desk, at: "2026-03-02T09:00:00+07:00")
    case .awaitingFee: try run(.requestFee(amount: 8000), &d, by: desk, at: "2026-03-02T09:00:00+07:00")
    case .approved, .resultReady, .returned:
        try run(.transfer(departmentID: "TPHT"), &d, by: desk, at: "2026-03-02T09:00:00+07:00")
        try run(.approve(note: nil), &d, by: leader, at: "2026-03-02T10:00:00+07:00")
        if status != .approved { try run(.resultReady, &d, by: handler, at: "2026-03-02T11:00:00+07:00") }
        if status == .returned { try run(.returnResult(method: .desk), &d, by: desk, at: "2026-03-02T14:00:00+07:00") }
    case .refused: try run(.refuse(reason: "Không thuộc thẩm quyền"), &d, by: desk, at: "2026-03-02T09:00:00+07:00")
    case .withdrawn: try run(.withdraw(reason: "Công dân rút"), &d, by: desk, at: "2026-03-02T09:00:00+07:00")
    case .stopped: try run(.stop(reason: "Có tranh chấp"), &d, by: leader, at: "2026-03-02T09:00:00+07:00")
    case .submitted: break
    }
    #expect(d.status == status)
    return d
}

/// A valid instance of every command.
let sampleCommands: [DossierCommand] = [
    .receive, .requestSupplementation(items: ["Giấy chứng sinh"], reason: "Thiếu"), .supplementationReceived(note: nil),
    .refuse(reason: "Không đủ điều kiện"), .transfer(departmentID: "TPHT"), .assign(handler: officer(.handler)),
    .sendToAgency(agencyID: agencyB, note: nil), .receiveFromAgency, .requestFee(amount: 8000), .feePaid(),
    .approve(note: nil), .resultReady, .returnResult(method: .desk),
    .apologize(reason: "Chờ xác minh", newDueAt: at("2026-04-30T10:00:00+07:00")), .withdraw(reason: "Rút"), .stop(reason: "Dừng"),
    .downloadResult, .rate(score: 5, comment: "Nhanh"),
    .closeAbandoned(requestedAt: at("2026-01-05T09:00:00+07:00"), afterWorkingDays: 20),
]

@Suite("Dossier lifecycle")
struct LifecycleTests {
    @Test("Every command from every state and role: allowed exactly where the rules say", arguments: DossierStatus.allCases)
    func transitionTable(status: DossierStatus) throws {
        let start = try dossier(in: status)
        // The table covers every kind of command there is, but the post office's two (they need a
        // shipment; `PostalLifecycleTests` cover them).
        #expect(Set(sampleCommands.map(\.kind)) == Set(CommandKind.allCases).subtracting([.orderPostal, .postalUpdate]))
        for command in sampleCommands {
            let rule = Lifecycle.rule(for: command.kind)
            for role in Role.allCases {
                // receive-transfer is given by the agency the dossier was sent to; nothing is pending here.
                let actor = officer(role)
                let result = Result { try Lifecycle.decide(command, dossier: start, context: context(actor, "2026-03-03T09:00:00+07:00")) }
                // The sample submitted dossier already used its one supplementation at intake.
                let usedUp = status == .submitted && command.name == "request-supplementation"
                // The sample dossier is returned at the desk, its fee has no online payment reference,
                // and on 3 March it is not yet near its due time (an apology comes only then).
                let dataRefuses = command.name == "download-result" || (command.name == "fee-paid" && role == .system)
                    || (command.name == "apologize" && status != .submitted)
                let expected = rule.from.contains(status) && rule.roles.contains(role) && command.name != "receive-transfer" && !usedUp
                    && !dataRefuses
                switch result {
                case let .success(events):
                    #expect(expected, "\(command.name) by \(role) from \(status) should be refused")
                    #expect(events.count == 1 && events[0].sequence == start.version + 1)
                case let .failure(error):
                    #expect(!expected, "\(command.name) by \(role) from \(status) failed: \(error)")
                    if !rule.roles.contains(role) {
                        #expect({ if case .forbidden = error as? DomainError { return true }; return false }())
                    } else if !rule.from.contains(status) {
                        #expect(error as? DomainError == .invalidState(command: command.name, status: status))
                    }
                }
            }
        }
    }

    @Test("Intake: receipt, code and due time; the clock starts")
    func intake() throws {
        let d = try received(at: "2026-02-13T15:30:00+07:00")
        #expect(d.status == .received && d.code == "\(agencyA)-260302-0001")
        // 3 working days across Tết 2026.
        #expect(d.dueAt.map(iso) == "2026-02-25T15:30:00+07:00")
        #expect(d.version == 2 && d.status.nationalCode == 2)
    }

    @Test("Incomplete intake: supplementation form instead of a receipt, then receipt after completion")
    func incompleteIntake() throws {
        #expect(throws: DomainError.self) {
            var intake = completeIntake()
            intake.documents.removeLast()
            _ = try Lifecycle.file(intake, code: "C", id: "x", context: context(officer(.desk), "2026-03-02T08:00:00+07:00"))
        }
        var d = try dossier(in: .submitted)
        #expect(d.intakeSupplementations == 1 && d.receivedAt == nil)
        #expect(throws: DomainError.limitReached(command: "request-supplementation", reason: "Hồ sơ đã được yêu cầu bổ sung một lần khi tiếp nhận.")) {
            try run(.requestSupplementation(items: ["x"], reason: "y"), &d, by: officer(.desk), at: "2026-03-02T09:30:00+07:00")
        }
        try run(.receive, &d, by: officer(.desk), at: "2026-03-02T10:00:00+07:00")
        #expect(d.status == .received && d.dueAt.map(iso) == "2026-03-05T10:00:00+07:00")
        // A second supplementation at intake is refused, one in processing is still allowed.
        try run(.requestSupplementation(items: ["Tờ khai"], reason: "Thẩm định"), &d, by: officer(.handler), at: "2026-03-03T10:00:00+07:00")
        #expect(d.processingSupplementations == 1)
    }

    @Test("Supplementation in processing pauses the clock once; a second is refused")
    func supplementationPause() throws {
        var d = try dossier(in: .processing)
        #expect(d.dueAt.map(iso) == "2026-03-05T08:00:00+07:00")
        try run(.requestSupplementation(items: ["Giấy chứng sinh bản chính"], reason: "Bản chụp không rõ"), &d, by: officer(.handler), at: "2026-03-03T08:00:00+07:00")
        #expect(d.status == .supplementation && d.isPaused)
        try run(.supplementationReceived(note: "Đã nộp"), &d, by: officer(.desk), at: "2026-03-10T08:00:00+07:00")
        // 8 h were used before the pause: 16 h remain from Tuesday 10/3 08:00.
        #expect(d.status == .processing && !d.isPaused)
        #expect(d.dueAt.map(iso) == "2026-03-12T08:00:00+07:00")
        #expect(throws: DomainError.limitReached(command: "request-supplementation", reason: "Hồ sơ đã được yêu cầu bổ sung một lần trong quá trình giải quyết.")) {
            try run(.requestSupplementation(items: ["x"], reason: "y"), &d, by: officer(.handler), at: "2026-03-10T09:00:00+07:00")
        }
    }

    @Test("Fee request pauses until paid")
    func feePause() throws {
        var d = try dossier(in: .processing)
        try run(.requestFee(amount: 8000), &d, by: officer(.handler), at: "2026-03-02T09:00:00+07:00")
        #expect(d.status == .awaitingFee && d.status.nationalCode == 6)
        try run(.feePaid(), &d, by: officer(.desk), at: "2026-03-04T09:00:00+07:00")
        #expect(d.status == .processing && d.dueAt.map(iso) == "2026-03-09T08:00:00+07:00")
    }

    @Test("Inter-agency hand-off: sent, received by the other agency, which then holds it")
    func interAgency() throws {
        var d = try dossier(in: .processing)
        try run(.sendToAgency(agencyID: agencyB, note: "Xác minh"), &d, by: officer(.handler), at: "2026-03-02T10:00:00+07:00")
        #expect(d.pendingAgencyID == agencyB)
        // Nobody at A can act while it is in transit; B's desk receives it.
        #expect(throws: DomainError.self) { try run(.approve(note: nil), &d, by: officer(.leader), at: "2026-03-02T11:00:00+07:00") }
        #expect(throws: DomainError.self) { try run(.receiveFromAgency, &d, by: officer(.desk), at: "2026-03-02T11:00:00+07:00") }
        let events = try run(.receiveFromAgency, &d, by: officer(.desk, agency: agencyB), at: "2026-03-02T14:00:00+07:00")
        #expect(events[0].fromAgencyID == agencyA && events[0].toAgencyID == agencyB)
        #expect(d.currentAgencyID == agencyB && d.pendingAgencyID == nil && d.agencyTrail == [agencyA, agencyB])
        #expect(throws: DomainError.self) { try run(.approve(note: nil), &d, by: officer(.leader), at: "2026-03-02T15:00:00+07:00") }
        try run(.approve(note: nil), &d, by: officer(.leader, agency: agencyB), at: "2026-03-02T15:00:00+07:00")
        #expect(d.status == .approved)
    }

    @Test("Apology: once only, after the old appointment, and the dossier counts as late")
    func apology() throws {
        var d = try dossier(in: .processing)
        let leader = officer(.leader)
        #expect(throws: DomainError.self) {
            try run(.apologize(reason: "x", newDueAt: at("2026-03-04T08:00:00+07:00")), &d, by: leader, at: "2026-03-04T07:00:00+07:00")
        }
        try run(.apologize(reason: "Chờ xác minh", newDueAt: at("2026-03-10T16:00:00+07:00")), &d, by: leader, at: "2026-03-04T16:00:00+07:00")
        #expect(d.appointmentAt.map(iso) == "2026-03-10T16:00:00+07:00" && d.dueAt.map(iso) == "2026-03-05T08:00:00+07:00")
        #expect(throws: DomainError.self) {
            try run(.apologize(reason: "lần hai", newDueAt: at("2026-03-20T16:00:00+07:00")), &d, by: leader, at: "2026-03-05T08:00:00+07:00")
        }
        try run(.approve(note: nil), &d, by: leader, at: "2026-03-04T16:30:00+07:00")
        try run(.resultReady, &d, by: officer(.handler), at: "2026-03-04T16:40:00+07:00")
        #expect(d.outcome == .late)
    }

    @Test("Outcome: early, on time, late")
    func outcomes() throws {
        for (finish, expected) in [("2026-03-04T10:00:00+07:00", Outcome.early), ("2026-03-05T07:59:00+07:00", .onTime), ("2026-03-05T09:00:00+07:00", .late)] {
            var d = try dossier(in: .approved)
            try run(.resultReady, &d, by: officer(.handler), at: finish)
            #expect(d.outcome == expected, "\(finish)")
        }
    }

    @Test("Nothing is changed by a refused command, and replay rebuilds the projection")
    func replay() throws {
        let events = try Lifecycle.file(completeIntake(), code: "C", id: "d", context: context(officer(.desk), "2026-03-02T08:00:00+07:00"))
        var d = Lifecycle.replay(events)!
        var all = events
        all += try run(.transfer(departmentID: "TPHT"), &d, by: officer(.desk), at: "2026-03-02T09:00:00+07:00")
        all += try run(.assign(handler: officer(.handler)), &d, by: officer(.leader), at: "2026-03-02T09:30:00+07:00")
        let before = d
        #expect(throws: DomainError.self) { try run(.transfer(departmentID: "NOPE"), &d, by: officer(.desk), at: "2026-03-02T10:00:00+07:00") }
        #expect(d == before)
        #expect(Lifecycle.replay(all) == d)
        #expect(d.handlerName == "Cán bộ handler")
    }

    @Test("Applicant validation names each field")
    func applicantProblems() {
        let bad = Applicant(name: " ", idNumber: "12345678901", phone: "12345", email: "no-at", address: "")
        #expect(bad.problems().map(\.field) == ["applicant.name", "applicant.idNumber", "applicant.phone", "applicant.email", "applicant.address"])
        #expect(applicant.problems().isEmpty)
        #expect(Applicant(name: "A", idNumber: "001203004005", phone: "+84912345678", address: "x").problems().isEmpty)
    }

    @Test("Dossier codes and search keys")
    func codesAndFolding() {
        #expect(DossierCode.make(agencyID: "000.00.12.H12", date: day("2021-04-15"), sequence: 7) == "000.00.12.H12-210415-0007")
        #expect(foldedSearchKey("Nguyễn Văn An") == "nguyen van an")
        #expect(foldedSearchKey("ĐẶNG  Thị   Đào ") == "dang thi dao")
        #expect(foldedSearchKey("Hồ Thị Ngọc Ánh") == "ho thi ngoc anh")
        // Decomposed input (NFD), other scripts and letters that fold to non-ASCII take the general rule.
        #expect(foldedSearchKey("Nguye\u{0302}\u{0303}n\tVa\u{0306}n") == "nguyen van")
        #expect(foldedSearchKey("Straße  Ærø") == "straße ærø")
        #expect(foldedSearchKey("Ζωή\u{00A0}Łódź") == "ζωη łodz")
    }

    @Test("The table's fold of every Latin letter, and of mixed text, equals the general rule")
    func foldingTableMatchesGeneralRule() {
        var fastLetters = 0
        for range in LatinFolds.ranges {
            for value in range {
                guard let scalar = Unicode.Scalar(value) else { continue }
                let text = "A\(Character(scalar))b \(Character(scalar))"
                #expect(foldedSearchKey(text) == foldedSearchKeyGeneral(text), "U+\(String(value, radix: 16))")
                if LatinFolds.table.fold(value) != nil { fastLetters += 1 }
            }
        }
        // Every precomposed Vietnamese letter, upper and lower case, is in the table.
        let vietnamese = "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
        for letter in (vietnamese + vietnamese.lowercased()).unicodeScalars {
            #expect(LatinFolds.table.fold(letter.value) != nil, "\(letter)")
        }
        #expect(fastLetters > 400)
        var generator = SeededGenerator(seed: 7)
        let pool = Array("aăâbdđeêioôơuưyAĂÂĐÔƠƯ \t\u{0301}\u{0309}ÃẪẶỰỹß1-.".unicodeScalars)
        for _ in 0..<2_000 {
            let length = Int.random(in: 0...12, using: &generator)
            var text = String.UnicodeScalarView()
            for _ in 0..<length { text.append(pool[Int.random(in: 0..<pool.count, using: &generator)]) }
            #expect(foldedSearchKey(String(text)) == foldedSearchKeyGeneral(String(text)), "\(String(text).debugDescription)")
        }
    }
}

@Suite("Identifiers")
struct TimeOrderedIDTests {
    @Test("UUID version 7 layout, ordered by time")
    func layout() {
        var rng = SeededGenerator(seed: 1)
        let first = TimeOrderedID.make(at: at("2026-03-02T08:00:00+07:00"), using: &rng)
        let second = TimeOrderedID.make(at: at("2026-03-02T08:00:01+07:00"), using: &rng)
        #expect(first < second)
        #expect(UUID(uuidString: first) != nil && first.count == 36)
        #expect(Array(first)[14] == "7" && "89ab".contains(Array(first)[19]))
        // 2026-03-02T01:00:00Z = 1772413200000 ms = 0x019cac...
        #expect(first.hasPrefix(String(1_772_413_200_000, radix: 16).leftPadded(12).prefix(8)))
    }

    @Test("The 74 random bits fill every place left by the time, the version and the variant")
    func randomBits() {
        struct Constant: RandomNumberGenerator {
            var value: UInt64
            mutating func next() -> UInt64 { value }
        }
        let time = at("2026-03-02T08:00:00+07:00")
        var ones = Constant(value: .max)
        #expect(TimeOrderedID.make(at: time, using: &ones) == "019cac0f-2680-7fff-bfff-ffffffffffff")
        var zeros = Constant(value: 0)
        #expect(TimeOrderedID.make(at: time, using: &zeros) == "019cac0f-2680-7000-8000-000000000000")
        // From the system generator, ids of the same millisecond differ.
        #expect(Set((0..<1000).map { _ in TimeOrderedID.make(at: time) }).count == 1000)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

@Suite("Applicant text")
struct ApplicantTextTests {
    @Test("Whitespace trimmed at both ends only, Unicode spaces included; text with none comes back as it was")
    func trimming() {
        #expect("Nguyễn Văn An".trimmingWhitespace() == "Nguyễn Văn An")
        #expect(" \t\u{00A0}Nguyễn  Văn An\u{3000}\n".trimmingWhitespace() == "Nguyễn  Văn An")
        #expect("An ".trimmingWhitespace() == "An")
        #expect(" \u{2003}\n".trimmingWhitespace() == "")
        #expect("".trimmingWhitespace() == "")
        #expect("Nguyễn Văn An"[...].trimmingWhitespace() == "Nguyễn Văn An")
    }

    @Test("Length limits count characters, however many bytes each takes")
    func lengths() {
        func problems(name: String, address: String = "Hà Tĩnh") -> [String] {
            Applicant(name: name, idNumber: "001203004005", phone: "0912345678", address: address).problems().map(\.field)
        }
        #expect(problems(name: String(repeating: "Ễ", count: 200)).isEmpty)  // 600 bytes, 200 letters
        #expect(problems(name: String(repeating: "Ễ", count: 201)) == ["applicant.name"])
        #expect(problems(name: "An", address: String(repeating: "ộ", count: 500)).isEmpty)
        #expect(problems(name: "An", address: String(repeating: "a", count: 501)) == ["applicant.address"])
    }
}

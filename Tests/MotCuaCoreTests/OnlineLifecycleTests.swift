import Foundation
import Testing
@testable import MotCuaCore

let citizen = Actor(id: "citizen", name: "Trần Thị Bình", role: .citizen, agencyID: agencyA)

func file(_ document: String, _ seed: Character = "a") -> StoredFile {
    StoredFile(sha256: String(repeating: seed, count: 64), name: "\(seed).pdf", contentType: "application/pdf", size: 10, document: document)
}

func submission(level: Int = 4, returnMethod: ReturnMethod = .electronic, files: [StoredFile]? = nil) -> OnlineSubmission {
    OnlineSubmission(
        procedure: birthRegistration, agencyID: agencyA, level: level, applicant: applicant, returnMethod: returnMethod,
        files: files ?? birthRegistration.documents.map { file($0.name) })
}

@Suite("Online dossiers in the lifecycle")
struct OnlineLifecycleTests {
    @Test("A complete online submission waits as submitted, on the online channel, with no clock")
    func submitted() throws {
        let events = try Lifecycle.submit(submission(), code: "C1", id: "d1", context: context(citizen, "2026-03-02T20:00:00+07:00"))
        let d = try #require(Lifecycle.replay(events))
        #expect(events.count == 1 && d.status == .submitted && d.status.nationalCode == 1)
        #expect(d.channel == .online && d.submissionLevel == 4 && d.dueAt == nil && d.files?.count == 2)
        #expect(d.documents.allSatisfy { $0.copies == 1 && $0.originals == 0 })
    }

    @Test("Refused submissions name the field: level, missing file, return method, postal address, role")
    func refused() throws {
        func problems(_ s: OnlineSubmission, actor: Actor = citizen) -> [String] {
            do {
                _ = try Lifecycle.submit(s, code: "C", id: "d", context: context(actor, "2026-03-02T09:00:00+07:00"))
                return []
            } catch let DomainError.invalid(list) {
                return list.map(\.field)
            } catch {
                return ["\(error)"]
            }
        }
        var level3Only = submission(level: 4)
        level3Only.procedure.onlineLevel = 3
        #expect(problems(level3Only) == ["level"])
        #expect(problems(submission(level: 3)) == ["returnMethod"])
        #expect(problems(submission(files: [file("Tờ khai đăng ký khai sinh")])) == ["document-2"])
        #expect(problems(submission(files: [file("Không có trong danh sách")] + birthRegistration.documents.map { file($0.name) })) == ["files[0]"])
        #expect(problems(submission(returnMethod: .post)) == ["postalAddress"])
        var pickup = submission(returnMethod: .desk)
        pickup.postalPickup = true
        pickup.postalAddress = PostalAddress(recipient: "Bình", phone: "12", street: "", ward: "Sông Trí", province: "Hà Tĩnh")
        #expect(problems(pickup) == ["postalAddress.street", "postalAddress.phone"])
        var level2 = submission(level: 3, returnMethod: .desk)
        level2.procedure.onlineLevel = 2
        #expect(problems(level2) == ["procedureCode"])
        #expect(throws: DomainError.self) { try Lifecycle.submit(submission(), code: "C", id: "d", context: context(officer(.desk), "2026-03-02T09:00:00+07:00")) }
    }

    @Test("Postal pick-up makes it a BCCI dossier with its address")
    func postalPickup() throws {
        var s = submission(returnMethod: .post)
        s.postalPickup = true
        s.postalAddress = PostalAddress(recipient: "Trần Thị Bình", phone: "0912345678", street: "12 Hà Huy Tập", ward: "Sông Trí", province: "Hà Tĩnh")
        let d = try #require(Lifecycle.replay(try Lifecycle.submit(s, code: "C", id: "d", context: context(citizen, "2026-03-02T09:00:00+07:00"))))
        #expect(d.channel == .postal && d.channel.nationalCode == 3 && d.postalAddress?.ward == "Sông Trí")
    }

    /// An online level-4 dossier received at the desk and in processing.
    func processing() throws -> Dossier {
        var d = try #require(Lifecycle.replay(try Lifecycle.submit(submission(), code: "C1", id: "d1", context: context(citizen, "2026-03-02T08:00:00+07:00"))))
        try run(.receive, &d, by: officer(.desk), at: "2026-03-02T08:30:00+07:00")
        try run(.transfer(departmentID: "TPHT"), &d, by: officer(.desk), at: "2026-03-02T09:00:00+07:00")
        return d
    }

    @Test("Level 4 fee: a payment reference; the provider must quote it; paid online resumes the clock")
    func payment() throws {
        var d = try processing()
        try run(.requestFee(amount: 8000), &d, by: officer(.handler), at: "2026-03-02T10:00:00+07:00")
        let reference = try #require(d.payment?.reference)
        #expect(reference == "C1-TT\(d.version)" && d.isPaused)
        let provider = Actor(id: "pay", name: "Cổng thanh toán", role: .system, agencyID: agencyA)
        #expect(throws: DomainError.self) { try run(.feePaid(reference: "C1-TT99"), &d, by: provider, at: "2026-03-02T11:00:00+07:00") }
        let due = d.dueAt!
        try run(.feePaid(reference: reference), &d, by: provider, at: "2026-03-02T11:00:00+07:00")
        #expect(d.payment?.online == true && d.payment?.paidAt != nil && !d.isPaused && d.status == .processing)
        // One working hour paused: the due time moved by one hour.
        #expect(d.dueAt == due.addingTimeInterval(3600))
    }

    @Test("Electronic result: approval needs the file, the download returns it, the rating is once and 1–5")
    func electronicResult() throws {
        var d = try processing()
        #expect(throws: DomainError.self) { try run(.approve(note: nil), &d, by: officer(.leader), at: "2026-03-02T10:00:00+07:00") }
        try run(.approve(note: nil, resultFile: file("Kết quả", "r")), &d, by: officer(.leader), at: "2026-03-02T10:00:00+07:00")
        #expect(throws: DomainError.self) { try run(.downloadResult, &d, by: citizen, at: "2026-03-02T10:30:00+07:00") }
        try run(.resultReady, &d, by: officer(.handler), at: "2026-03-02T11:00:00+07:00")
        #expect(throws: DomainError.self) { try run(.rate(score: 5, comment: nil), &d, by: citizen, at: "2026-03-02T11:30:00+07:00") }
        try run(.downloadResult, &d, by: citizen, at: "2026-03-02T14:00:00+07:00")
        #expect(d.status == .returned && d.returnMethod == .electronic && d.returnedAt != nil)
        #expect(throws: DomainError.invalid([FieldProblem(field: "score", reason: "Điểm đánh giá phải từ 1 đến 5.")])) {
            try run(.rate(score: 0, comment: nil), &d, by: citizen, at: "2026-03-02T15:00:00+07:00")
        }
        try run(.rate(score: 4, comment: "  Nhanh  "), &d, by: citizen, at: "2026-03-02T15:00:00+07:00")
        #expect(d.rating?.score == 4 && d.rating?.comment == "Nhanh")
        #expect(throws: DomainError.self) { try run(.rate(score: 5, comment: nil), &d, by: citizen, at: "2026-03-02T16:00:00+07:00") }
    }

    @Test("A desk-return dossier cannot be 'downloaded'; officers cannot rate")
    func guards() throws {
        var d = try received()
        try run(.transfer(departmentID: "TPHT"), &d, by: officer(.desk), at: "2026-03-02T09:00:00+07:00")
        try run(.approve(note: nil), &d, by: officer(.leader), at: "2026-03-02T10:00:00+07:00")
        try run(.resultReady, &d, by: officer(.handler), at: "2026-03-02T11:00:00+07:00")
        #expect(throws: DomainError.self) { try run(.downloadResult, &d, by: citizen, at: "2026-03-02T12:00:00+07:00") }
        try run(.returnResult(method: .desk), &d, by: officer(.desk), at: "2026-03-02T12:00:00+07:00")
        #expect(throws: DomainError.self) { try run(.rate(score: 5, comment: nil), &d, by: officer(.desk), at: "2026-03-02T13:00:00+07:00") }
    }
}

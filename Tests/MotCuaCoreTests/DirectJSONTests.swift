import Foundation
import Testing
@testable import MotCuaCore
@testable import MotCuaJSON
import MotCuaStore

/// The types that write their own JSON (`DirectJSON`) must write exactly what their `Encodable`
/// conformance writes. The fixtures leave no property empty, so that a property missing from a
/// `writeJSON` (or added to the type and not to it) changes the bytes.
@Suite("Dossiers and events written directly, byte for byte as through Encodable")
struct DirectJSONTests {
    static let address = PostalAddress(recipient: "Nguyễn Văn An", phone: "0912345678", street: "Số 1 \"Lê Lợi\"", ward: "Phường Sông Trí", district: "Kỳ Anh", province: "Hà Tĩnh")

    static func full() throws -> (Dossier, DossierEvent) {
        let now = try #require(WorkCalendar.parse("2026-03-02T08:00:00+07:00"))
        let file = StoredFile(sha256: String(repeating: "a", count: 64), name: "tờ khai.pdf", contentType: "application/pdf", size: 1024, document: "Tờ khai")
        let actor = Actor(id: "o-1", name: "Lê Thị Bình", role: .desk, agencyID: "000.07.01.H25", departmentID: "VP")
        let shipment = Shipment(orderNumber: "X-1", direction: .delivery, attempt: 2, waybill: "EB1", status: .accepted, cod: 5, orderedAt: now, updatedAt: now, note: "n", address: address)
        var d = Dossier(
            id: "01a1aaa7-8238-7c4a-a3d5-7761e81e8540", code: "000.07.01.H25-260302-0001", agencyID: "000.07.01.H25",
            currentAgencyID: "000.07.01.H25", pendingAgencyID: "000.00.10.H25", agencyTrail: ["000.07.01.H25", "000.00.10.H25"],
            procedureCode: "1.001193", procedureName: "Đăng ký khai sinh", term: .workingDays(3), channel: .postal,
            applicant: Applicant(name: "Nguyễn \"Văn\" An\\\n\t\u{1}", idNumber: "001203004005", phone: "0912345678", email: "an@example.vn", address: "Hà Tĩnh"),
            documents: [DocumentRequirement(name: "Tờ khai đăng ký khai sinh", originals: 1, copies: 0), DocumentRequirement(name: "Giấy chứng sinh", originals: 1, copies: 2)],
            returnMethod: .post, status: .supplementation, statusBeforePause: .processing, intakeSupplementations: 1,
            processingSupplementations: 2, missingItems: ["Bản sao CCCD"], submittedAt: now, receivedAt: now.addingTimeInterval(60),
            dueAt: now.addingTimeInterval(86_400.5), pauses: [Pause(start: now, end: now.addingTimeInterval(30))], departmentID: "TP",
            handlerID: "h-1", handlerName: "Trần Văn Cường", feeAmount: 8000, approvedAt: now, resultReadyAt: now, returnedAt: now,
            apology: Apology(at: now, reason: "Chậm", newDueAt: now, by: "Lãnh đạo"), outcome: .late, closingReason: "r",
            updatedAt: now.addingTimeInterval(0.25), version: 7)
        d.submissionLevel = 4
        d.postalAddress = address
        d.files = [file]
        d.resultFile = file
        d.payment = Payment(reference: "P1", amount: 8000, requestedAt: now, paidAt: now, online: true)
        d.rating = Rating(score: 5, comment: "Tốt", at: now)
        d.nearDueAt = now
        d.closedAt = now
        d.processingSeconds = 36_574
        d.shipments = [shipment]
        d.stepDueAt = now
        d.receivingAgencyID = "000.15.02.H42"
        d.returnAgencyID = "000.15.02.H42"

        var e = DossierEvent(sequence: 3, kind: .sentToAgency, at: now, actor: actor, agencyID: "000.07.01.H25")
        e.note = "ghi chú"
        e.reason = "lý do"
        e.items = ["a", "b"]
        e.departmentID = "TP"
        e.handlerID = "h-1"
        e.handlerName = "Trần Văn Cường"
        e.fromAgencyID = "A"
        e.toAgencyID = "B"
        e.dueAt = now
        e.nearDueAt = now
        e.amount = 8000
        e.returnMethod = .electronic
        e.outcome = .onTime
        e.dossier = d
        e.files = [file]
        e.resultFile = file
        e.step = .processing
        e.stepDueAt = now
        e.resultSignature = ResultSignature(
            keyID: "k1", agencyID: "000.07.01.H25", dossierCode: "000.07.01.H25-260302-0001", sha256: file.sha256, signedAt: now, signature: "c2ln")
        e.paymentReference = "P1"
        e.online = false
        e.score = 4
        e.workingSeconds = -5
        e.comment = "c"
        e.shipment = shipment
        e.postal = PostalUpdate(orderNumber: "X-1", waybill: "EB1", status: .delivered, at: now, note: "n")
        return (d, e)
    }

    /// Every stored property of `value` holds something: no `nil`, no empty collection.
    func expectNothingEmpty(_ value: Any, _ name: String) {
        for child in Mirror(reflecting: value).children {
            let label = "\(name).\(child.label ?? "?")"
            let mirror = Mirror(reflecting: child.value)
            if mirror.displayStyle == .optional {
                #expect(!mirror.children.isEmpty, "\(label) is nil in the fixture")
            }
            if mirror.displayStyle == .collection {
                #expect(!mirror.children.isEmpty, "\(label) is empty in the fixture")
            }
        }
    }

    func expectSame<T: Encodable>(_ value: T, dateFormat: JSONWriter.DateFormat) throws {
        var reference = JSONWriter(dateFormat: dateFormat)
        reference.direct = false
        let expected = try reference.encode(value)
        let direct = try JSONWriter(dateFormat: dateFormat).encode(value)
        #expect(String(decoding: direct, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
    }

    @Test("Fixtures leave no property empty")
    func fixturesAreFull() throws {
        let (d, e) = try Self.full()
        expectNothingEmpty(d, "Dossier")
        expectNothingEmpty(e, "DossierEvent")
        expectNothingEmpty(e.actor, "Actor")
        expectNothingEmpty(d.applicant, "Applicant")
    }

    @Test("Same bytes, with instants as numbers (storage) and as text (API), full and sparse")
    func sameBytes() throws {
        let (d, e) = try Self.full()
        let sparse = DossierEvent(sequence: 1, kind: .created, at: d.submittedAt, actor: Actor(id: "x", name: "y", role: .citizen, agencyID: "z"), agencyID: "z")
        for format in [JSONWriter.DateFormat.secondsSince1970, .text { WorkCalendar.format($0) }] {
            try expectSame(d, dateFormat: format)
            try expectSame(e, dateFormat: format)
            try expectSame(sparse, dateFormat: format)
            try expectSame([e, sparse], dateFormat: format)
            try expectSame(["items": [d]], dateFormat: format)
            try expectSame(try dossier(in: .processing), dateFormat: format)
        }
        // And it reads back.
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        #expect(try decoder.decode(DossierEvent.self, from: Data(JSONWriter().encode(e))) == e)
    }
}

import Foundation
import Testing
@testable import MotCuaCore

@Suite("Postal orders and parcel events in the lifecycle")
struct PostalLifecycleTests {
    let address = PostalAddress(recipient: "Trần Thị Bình", phone: "0912345678", street: "12 Hà Huy Tập", ward: "phường Sông Trí", province: "tỉnh Hà Tĩnh")
    let post = Actor(id: "bcci", name: "Bưu điện", role: .system, agencyID: agencyA)

    /// A level-3 submission the post office collects, returned by post: a fee of `fee` đồng.
    func submitted(level: Int = 3, fee: Int? = 0) throws -> (Dossier, [DossierEvent]) {
        var s = submission(level: level, returnMethod: .post)
        s.procedure.fee = Fee(amount: fee, text: "")
        s.postalPickup = true
        s.postalAddress = address
        let events = try Lifecycle.submit(s, code: "C1", id: "d1", context: context(citizen, "2026-03-02T08:00:00+07:00"))
        return (try #require(Lifecycle.replay(events)), events)
    }

    func report(_ status: ShipmentStatus, order number: String = "C1-THU", waybill: String? = "EA123", _ d: inout Dossier, at: String) throws -> [DossierEvent] {
        try run(.postalUpdate(PostalUpdate(orderNumber: number, waybill: waybill, status: status, at: WorkCalendar.parse(at)!)), &d, by: post, at: at)
    }

    @Test("A postal pick-up places its order with the dossier; a level-3 fixed fee is collected on delivery of the dossier")
    func pickupOrder() throws {
        let (d, events) = try submitted(fee: 50_000)
        #expect(events.map(\.kind) == [.created, .postalOrdered])
        let shipment = try #require(d.shipment(.pickup))
        #expect(shipment.orderNumber == "C1-THU" && shipment.attempt == 1 && shipment.status == .ordered && shipment.cod == 50_000)
        #expect(shipment.address == address && d.channel == .postal)
        #expect(try submitted(level: 4, fee: 50_000).0.shipment(.pickup)?.cod == 0)
    }

    @Test("The desk receives only what the post office brought; the clock starts at that receipt")
    func receiptWaitsForTheParcel() throws {
        var (d, _) = try submitted()
        #expect(throws: DomainError.self) { try run(.receive, &d, by: officer(.desk), at: "2026-03-02T09:00:00+07:00") }
        _ = try report(.pickedUp, &d, at: "2026-03-02T10:00:00+07:00")
        #expect(d.isInPostalTransit && d.shipment(.pickup)?.waybill == "EA123")
        #expect(throws: DomainError.self) { try run(.receive, &d, by: officer(.desk), at: "2026-03-02T11:00:00+07:00") }
        _ = try report(.deliveredToDesk, &d, at: "2026-03-03T09:00:00+07:00")
        #expect(!d.isInPostalTransit && d.status == .submitted && d.dueAt == nil)
        try run(.receive, &d, by: officer(.desk), at: "2026-03-03T10:00:00+07:00")
        #expect(d.receivedAt == WorkCalendar.parse("2026-03-03T10:00:00+07:00"))
    }

    @Test("Statuses only move forward; repeats and stale events produce no event; a waybill cannot change")
    func forwardOnly() throws {
        var (d, _) = try submitted()
        #expect(try report(.accepted, &d, at: "2026-03-02T08:10:00+07:00").count == 1)
        #expect(try report(.accepted, &d, at: "2026-03-02T08:11:00+07:00").isEmpty)
        #expect(try report(.deliveredToDesk, &d, at: "2026-03-02T09:00:00+07:00").count == 1)
        #expect(try report(.pickedUp, &d, at: "2026-03-02T08:30:00+07:00").isEmpty)
        #expect(try report(.deliveryFailed, &d, at: "2026-03-02T09:30:00+07:00").isEmpty)
        #expect(d.shipment(.pickup)?.status == .deliveredToDesk)
        #expect(throws: DomainError.self) { try report(.deliveredToDesk, waybill: "EA999", &d, at: "2026-03-02T10:00:00+07:00") }
        #expect(throws: DomainError.self) { try report(.delivered, &d, at: "2026-03-02T10:00:00+07:00") }
        #expect(throws: DomainError.self) { try report(.accepted, order: "C1-KHAC", &d, at: "2026-03-02T10:00:00+07:00") }
        // Only the post office reports on parcels.
        #expect(throws: DomainError.self) {
            try run(.postalUpdate(PostalUpdate(orderNumber: "C1-THU", waybill: "EA123", status: .deliveredToDesk, at: Date())), &d, by: officer(.desk), at: "2026-03-02T10:00:00+07:00")
        }
    }

    @Test("The result made ready orders its delivery; delivered returns the dossier; a failure lets the desk order again")
    func delivery() throws {
        var (d, _) = try submitted()
        _ = try report(.deliveredToDesk, &d, at: "2026-03-02T09:00:00+07:00")
        try run(.receive, &d, by: officer(.desk), at: "2026-03-02T09:30:00+07:00")
        try run(.transfer(departmentID: "TPHT"), &d, by: officer(.desk), at: "2026-03-02T10:00:00+07:00")
        try run(.approve(note: nil), &d, by: officer(.leader), at: "2026-03-02T11:00:00+07:00")
        let ready = try run(.resultReady, &d, by: officer(.handler), at: "2026-03-02T14:00:00+07:00")
        #expect(ready.map(\.kind) == [.resultReady, .postalOrdered] && ready.map(\.sequence) == [d.version - 1, d.version])
        #expect(d.shipment(.delivery)?.orderNumber == "C1-PHAT" && d.status == .resultReady)
        // While the order stands, no second one.
        #expect(throws: DomainError.self) { try run(.orderPostal(direction: .delivery), &d, by: officer(.desk), at: "2026-03-02T15:00:00+07:00") }
        _ = try report(.deliveryFailed, order: "C1-PHAT", waybill: "EB1", &d, at: "2026-03-03T09:00:00+07:00")
        #expect(d.status == .resultReady && d.shipment(.delivery)?.status == .deliveryFailed)
        #expect(throws: DomainError.self) { try run(.orderPostal(direction: .pickup), &d, by: officer(.desk), at: "2026-03-03T10:00:00+07:00") }
        #expect(throws: DomainError.self) { try run(.orderPostal(direction: .delivery), &d, by: officer(.handler), at: "2026-03-03T10:00:00+07:00") }
        let moved = PostalAddress(recipient: "Trần Thị Bình", phone: "0912345678", street: "40 Trần Phú", ward: "phường Sông Trí", province: "tỉnh Hà Tĩnh")
        try run(.orderPostal(direction: .delivery, address: moved), &d, by: officer(.desk), at: "2026-03-03T10:00:00+07:00")
        #expect(d.shipment(.delivery)?.orderNumber == "C1-PHAT-2" && d.shipment(.delivery)?.attempt == 2 && d.postalAddress == moved)
        let done = try report(.delivered, order: "C1-PHAT-2", waybill: "EB2", &d, at: "2026-03-04T09:00:00+07:00")
        #expect(done.map(\.kind) == [.postalUpdated, .returned])
        #expect(d.status == .returned && d.status.nationalCode == 10 && d.returnMethod == .post)
        #expect(d.returnedAt == WorkCalendar.parse("2026-03-04T09:00:00+07:00"))
        // A late report on the first, failed order changes nothing on the dossier's state.
        _ = try report(.returnedToSender, order: "C1-PHAT", waybill: "EB1", &d, at: "2026-03-05T09:00:00+07:00")
        #expect(d.status == .returned && d.shipments?.count == 3)
    }

    @Test("Without an address, a result returned by post waits for the desk to order its delivery")
    func noAddress() throws {
        var d = try received()
        d.returnMethod = .post
        try run(.transfer(departmentID: "TPHT"), &d, by: officer(.desk), at: "2026-03-02T09:00:00+07:00")
        try run(.approve(note: nil), &d, by: officer(.leader), at: "2026-03-02T10:00:00+07:00")
        #expect(try run(.resultReady, &d, by: officer(.handler), at: "2026-03-02T11:00:00+07:00").count == 1)
        #expect(throws: DomainError.invalid([FieldProblem(field: "postalAddress", reason: "Cần địa chỉ để bưu điện thu gom hồ sơ hoặc chuyển phát kết quả.")])) {
            try run(.orderPostal(direction: .delivery), &d, by: officer(.desk), at: "2026-03-02T12:00:00+07:00")
        }
        try run(.orderPostal(direction: .delivery, address: address), &d, by: officer(.desk), at: "2026-03-02T12:00:00+07:00")
        #expect(d.shipment(.delivery)?.orderNumber == "\(d.code)-PHAT")
    }

    @Test("A desk intake returned by post keeps a checked delivery address; the result's delivery is ordered with it")
    func deskIntakeByPost() throws {
        var intake = completeIntake()
        intake.returnMethod = .post
        intake.postalAddress = PostalAddress(recipient: "Bình", phone: "12", street: "12 Hà Huy Tập", ward: "", province: "tỉnh Hà Tĩnh")
        #expect(throws: DomainError.self) { try Lifecycle.file(intake, code: "C2", id: "d2", context: context(officer(.desk), "2026-03-02T08:00:00+07:00")) }
        intake.postalAddress = address
        var d = try #require(Lifecycle.replay(try Lifecycle.file(intake, code: "C2", id: "d2", context: context(officer(.desk), "2026-03-02T08:00:00+07:00"))))
        #expect(d.postalAddress == address && d.status == .received)
        try run(.transfer(departmentID: "TPHT"), &d, by: officer(.desk), at: "2026-03-02T09:00:00+07:00")
        try run(.approve(note: nil), &d, by: officer(.leader), at: "2026-03-02T10:00:00+07:00")
        try run(.resultReady, &d, by: officer(.handler), at: "2026-03-02T11:00:00+07:00")
        #expect(d.shipment(.delivery)?.orderNumber == "C2-PHAT" && d.shipment(.delivery)?.address == address)
    }
}

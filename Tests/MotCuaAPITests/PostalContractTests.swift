import Foundation
import Testing
@testable import MotCuaAPI
@testable import MotCuaCore

/// The post office's side of the wire: parties built from the agency tree, the webhook payload's
/// types and timestamps, order numbers.
@Suite("Post office contract")
struct PostalContractTests {
    static func tree(levels: [AgencyLevel], agencies: [Agency]) throws -> AgencyTree { try AgencyTree(levels: levels, agencies: agencies) }

    static let twoTiers = [AgencyLevel(code: "province", name: "Tỉnh", rank: 0), AgencyLevel(code: "commune", name: "Xã", rank: 1)]
    static let threeTiers = [
        AgencyLevel(code: "province", name: "Tỉnh", rank: 0), AgencyLevel(code: "district", name: "Huyện", rank: 1),
        AgencyLevel(code: "commune", name: "Xã", rank: 2),
    ]
    static let start = LocalDate(iso: "2020-01-01")!

    @Test("A commune's desk in the two-tier administration: no district, the province and ward from the tree")
    func twoTierDesk() throws {
        let tree = try Self.tree(levels: Self.twoTiers, agencies: [
            Agency(id: "H40", name: "Ủy ban nhân dân tỉnh Hà Tĩnh", level: "province", parentID: nil, validFrom: Self.start),
            Agency(
                id: "H40.01", name: "Ủy ban nhân dân xã Thạch Hà (mới)", level: "commune", parentID: "H40", validFrom: Self.start,
                desk: AgencyDesk(phone: "0239 3856 000", street: "Số 1 đường Trần Phú")),
        ])
        let party = PostalOrders.deskParty(agencyID: "H40.01", tree: tree)
        #expect(party == PostalParty(
            name: "Bộ phận Một cửa – Ủy ban nhân dân xã Thạch Hà (mới)", phone: "0239 3856 000", address: "Số 1 đường Trần Phú",
            ward: "xã Thạch Hà", district: nil, province: "tỉnh Hà Tĩnh"))
    }

    @Test("A commune under a district: the district is named; a desk's own ward wins")
    func threeTierDesk() throws {
        let tree = try Self.tree(levels: Self.threeTiers, agencies: [
            Agency(id: "H40", name: "UBND tỉnh Hà Tĩnh", level: "province", parentID: nil, validFrom: Self.start),
            Agency(id: "H40.22", name: "Ủy ban nhân dân huyện Cẩm Xuyên", level: "district", parentID: "H40", validFrom: Self.start),
            Agency(
                id: "H40.22.05", name: "Ủy ban nhân dân xã Cẩm Vịnh", level: "commune", parentID: "H40.22", validFrom: Self.start,
                desk: AgencyDesk(phone: "1", street: "Thôn 3", ward: "xã Cẩm Vịnh cũ")),
        ])
        let commune = PostalOrders.deskParty(agencyID: "H40.22.05", tree: tree)
        #expect(commune.district == "huyện Cẩm Xuyên")
        #expect(commune.province == "tỉnh Hà Tĩnh")
        #expect(commune.ward == "xã Cẩm Vịnh cũ")
        // The district's own desk: no ward of its own, no contact: its name stands for the address.
        let district = PostalOrders.deskParty(agencyID: "H40.22", tree: tree)
        #expect(district.ward == "")
        #expect(district.phone == "")
        #expect(district.address == "Ủy ban nhân dân huyện Cẩm Xuyên")
        #expect(district.district == "huyện Cẩm Xuyên")
    }

    @Test("An agency the tree does not know still gives a party, named by its id")
    func unknownDesk() throws {
        let tree = try Self.tree(levels: Self.twoTiers, agencies: [])
        #expect(PostalOrders.deskParty(agencyID: "X9", tree: tree) == PostalParty(name: "Bộ phận Một cửa", phone: "", address: "X9", ward: "", province: ""))
    }

    @Test("Short names drop the council prefix and a bracketed note", arguments: [
        ("Ủy ban nhân dân tỉnh Hà Tĩnh", "tỉnh Hà Tĩnh"),
        ("UBND phường Bắc Hà", "phường Bắc Hà"),
        ("Ủy ban nhân dân xã Thạch Hà (sáp nhập 2025)", "xã Thạch Hà"),
        ("Sở Tư pháp", "Sở Tư pháp"),
    ])
    func shortNames(name: String, short: String) {
        #expect(PostalOrders.shortName(name) == short)
    }

    @Test("An applicant's address becomes a party; an empty district is left out")
    func applicantParty() {
        let address = PostalAddress(recipient: "Trần Thị Bình", phone: "0912345678", street: "Xóm 2", ward: "xã Kỳ Anh", district: "", province: "tỉnh Hà Tĩnh")
        let party = PostalParty(address)
        #expect(party == PostalParty(name: "Trần Thị Bình", phone: "0912345678", address: "Xóm 2", ward: "xã Kỳ Anh", district: nil, province: "tỉnh Hà Tĩnh"))
        var withDistrict = address
        withDistrict.district = "huyện Kỳ Anh"
        #expect(PostalParty(withDistrict).district == "huyện Kỳ Anh")
    }

    @Test("Order numbers: -THU and -PHAT, then -2, -3 after a failed order")
    func orderNumbers() {
        #expect(Shipment.orderNumber(code: "H40.01-260301-0007", direction: .pickup, attempt: 1) == "H40.01-260301-0007-THU")
        #expect(Shipment.orderNumber(code: "H40.01-260301-0007", direction: .delivery, attempt: 1) == "H40.01-260301-0007-PHAT")
        #expect(Shipment.orderNumber(code: "H40.01-260301-0007", direction: .delivery, attempt: 3) == "H40.01-260301-0007-PHAT-3")
    }

    @Test("The post office acts as a system actor of the dossier's agency")
    func actor() {
        let actor = PostalOrders.actor(agencyID: "H40.01")
        #expect(actor.role == .system && actor.agencyID == "H40.01" && actor.id == "bcci")
    }

    @Test("Webhook types name every reported status, and only those", arguments: ShipmentStatus.eventTypes)
    func webhookTypes(status: ShipmentStatus) {
        let payload = PostalWebhookPayload(status: status, at: Date(timeIntervalSince1970: 0), data: .init(waybill: "EB1VN", orderNumber: nil))
        #expect(payload.type == "parcel.\(status.rawValue)")
        #expect(payload.status == status)
    }

    @Test("Unknown and foreign types read as no status")
    func unknownTypes() {
        var payload = PostalWebhookPayload(status: .accepted, at: Date(), data: .init(waybill: "EB1VN", orderNumber: nil))
        for type in ["parcel.ordered", "parcel.lost", "order.accepted", "accepted", ""] {
            payload.type = type
            #expect(payload.status == nil, "\(type)")
        }
    }

    @Test("Timestamps are written with milliseconds and read with or without them")
    func timestamps() throws {
        let at = Date(timeIntervalSince1970: 1_780_000_000.25)
        var payload = PostalWebhookPayload(status: .delivered, at: at, data: .init(waybill: "EB1VN", orderNumber: "X-PHAT", note: "Ký nhận: Bình"))
        #expect(payload.timestamp == "2026-05-28T20:26:40.250Z")
        #expect(payload.date == at)
        payload.timestamp = "2026-05-29T03:26:40+07:00"
        #expect(payload.date == Date(timeIntervalSince1970: 1_780_000_000))
        payload.timestamp = "yesterday"
        #expect(payload.date == nil)
        // And the body keeps the Standard Webhooks shape.
        let json = try JSONSerialization.jsonObject(with: WireJSON.encode(PostalWebhookPayload(status: .delivered, at: at, data: .init(waybill: "EB1VN", orderNumber: "X-PHAT")))) as? [String: Any]
        #expect(Set(json?.keys ?? [:].keys) == ["type", "timestamp", "data"])
        #expect((json?["data"] as? [String: Any])?["waybill"] as? String == "EB1VN")
    }

    @Test("Statuses move forward only, success above failure, and each applies to its direction")
    func statusOrder() {
        #expect(ShipmentStatus.ordered.rank < ShipmentStatus.accepted.rank)
        #expect(ShipmentStatus.deliveryFailed.rank < ShipmentStatus.delivered.rank)
        #expect(ShipmentStatus.returnedToSender.rank < ShipmentStatus.deliveredToDesk.rank)
        #expect(ShipmentStatus.pickedUp.applies(to: .pickup) && !ShipmentStatus.pickedUp.applies(to: .delivery))
        #expect(ShipmentStatus.delivered.applies(to: .delivery) && !ShipmentStatus.delivered.applies(to: .pickup))
        #expect(ShipmentStatus.accepted.applies(to: .pickup) && ShipmentStatus.accepted.applies(to: .delivery))
        #expect(ShipmentStatus.allCases.filter(\.isFailure) == [.deliveryFailed, .returnedToSender])
        #expect(!ShipmentStatus.eventTypes.contains(.ordered))
        #expect(Set(ShipmentStatus.allCases.map(\.vietnameseName)).count == ShipmentStatus.allCases.count)
    }
}

/// The order the relay sends for a shipment, built from the dossier that placed it.
@Suite("Postal orders built from dossiers")
struct PostalOrderBuildingTests {
    @Test("A result returned by post: from the desk to the applicant's address, the fee already paid, the dossier named in the notes")
    func delivery() throws {
        let (dossier, _) = try ViewRoundTripTests.journey()
        let shipment = try #require(dossier.shipments?.first { $0.direction == .delivery })
        let tree = try AgencyTree(
            levels: [AgencyLevel(code: "tinh", name: "Tỉnh", rank: 0), AgencyLevel(code: "xa", name: "Xã", rank: 1)],
            agencies: [
                Agency(id: "000.00.00.H42", name: "Ủy ban nhân dân tỉnh Hà Tĩnh", level: "tinh", parentID: nil, validFrom: LocalDate(iso: "2020-01-01")!),
                Agency(
                    id: ViewRoundTripTests.agency, name: "Ủy ban nhân dân phường Sông Trí", level: "xa", parentID: "000.00.00.H42",
                    validFrom: LocalDate(iso: "2020-01-01")!, desk: AgencyDesk(phone: "0239385600", street: "Số 1 Trần Phú")),
            ])
        let order = PostalOrders.request(for: shipment, dossier: dossier, tree: tree, service: "BCCI-HCC")
        #expect(order.orderNumber == shipment.orderNumber && order.orderNumber == "\(dossier.code)-PHAT")
        #expect(order.dossierCode == dossier.code && order.direction == .delivery && order.service == "BCCI-HCC")
        #expect(order.sender.name == "Bộ phận Một cửa – Ủy ban nhân dân phường Sông Trí" && order.sender.phone == "0239385600")
        #expect(order.sender.province == "tỉnh Hà Tĩnh" && order.sender.ward == "phường Sông Trí")
        #expect(order.receiver == PostalParty(shipment.address) && order.receiver.name == "Trần Thị Bình")
        #expect(order.cod == 0, "the fee was paid at the desk")
        #expect(order.notes == "Chuyển phát kết quả TTHC \(dossier.code): \(dossier.procedureName)")
        // The order's JSON is the contract's.
        let back = try JSONDecoder().decode(PostalOrderRequest.self, from: try WireJSON.encode(order))
        #expect(back == order)
    }

    @Test("A very long procedure name is cut so the notes stay within 500 characters")
    func longNotes() throws {
        var (dossier, _) = try ViewRoundTripTests.journey()
        dossier.procedureName = String(repeating: "Thủ tục rất dài ", count: 60)
        let shipment = try #require(dossier.shipments?.first)
        let tree = try AgencyTree(levels: [AgencyLevel(code: "xa", name: "Xã", rank: 0)], agencies: [])
        let order = PostalOrders.request(for: shipment, dossier: dossier, tree: tree, service: "BCCI-HCC")
        #expect(order.notes?.count == 500)
    }
}

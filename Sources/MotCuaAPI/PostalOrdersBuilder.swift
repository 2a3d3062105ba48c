import Foundation
import MotCuaCore

/// Building orders from dossiers; shared by the relay and the officers' views.
public enum PostalOrders {
    /// The post office, acting on its own signed word.
    public static func actor(agencyID: String) -> Actor {
        Actor(id: "bcci", name: "Bưu điện (dịch vụ bưu chính công ích)", role: .system, agencyID: agencyID)
    }

    public static func request(for shipment: Shipment, dossier: Dossier, tree: AgencyTree, service: String) -> PostalOrderRequest {
        let applicant = PostalParty(shipment.address)
        let desk = deskParty(agencyID: shipment.direction == .pickup ? dossier.agencyID : dossier.currentAgencyID, tree: tree)
        let notes: String = switch shipment.direction {
        case .pickup: "Thu gom hồ sơ TTHC \(dossier.code): \(dossier.procedureName)"
        case .delivery: "Chuyển phát kết quả TTHC \(dossier.code): \(dossier.procedureName)"
        }
        return PostalOrderRequest(
            orderNumber: shipment.orderNumber, dossierCode: dossier.code, direction: shipment.direction, service: service,
            sender: shipment.direction == .pickup ? applicant : desk, receiver: shipment.direction == .pickup ? desk : applicant,
            cod: shipment.cod, notes: String(notes.prefix(500)))
    }

    /// The one-stop desk of an agency as a postal party: its desk contact, with the ward,
    /// district and province taken from the agency tree where the contact leaves them out.
    public static func deskParty(agencyID: String, tree: AgencyTree) -> PostalParty {
        guard let agency = tree.agencies[agencyID] else {
            return PostalParty(name: "Bộ phận Một cửa", phone: "", address: agencyID, ward: "", province: "")
        }
        var chain: [Agency] = []
        var cursor: Agency? = agency
        while let current = cursor, chain.count < 8 {
            chain.append(current)
            cursor = current.parentID.flatMap { tree.agencies[$0] }
        }
        let ranks = Dictionary(uniqueKeysWithValues: tree.levels.map { ($0.code, $0.rank) })
        let deepest = tree.levels.map(\.rank).max() ?? 0
        let province = chain.last.map { shortName($0.name) } ?? ""
        let district = chain.first { ranks[$0.level] == 1 && deepest >= 2 }.map { shortName($0.name) }
        let ward = agency.desk?.ward ?? (ranks[agency.level] == deepest ? shortName(agency.name) : "")
        return PostalParty(
            name: "Bộ phận Một cửa – \(agency.name)", phone: agency.desk?.phone ?? "", address: agency.desk?.street ?? agency.name,
            ward: ward, district: district, province: province)
    }

    /// "Ủy ban nhân dân tỉnh Hà Tĩnh" → "tỉnh Hà Tĩnh".
    static func shortName(_ name: String) -> String {
        var result = name
        for prefix in ["Ủy ban nhân dân ", "UBND "] where result.hasPrefix(prefix) { result = String(result.dropFirst(prefix.count)) }
        if let bracket = result.range(of: " (") { result = String(result[..<bracket.lowerBound]) }
        return result
    }
}

import Foundation
import MotCuaCore

// The wire contract between MotCua and the post office (docs/postal-partner.openapi.yaml):
// orders go out as `POST {partner}/orders` with an `Idempotency-Key`; the post office reports on
// parcels with Standard Webhooks deliveries to `POST /postal/webhooks`.

/// One end of a parcel: a person or the one-stop desk.
public struct PostalParty: Codable, Sendable, Equatable {
    public var name: String
    public var phone: String
    /// Street address (house number, street, hamlet).
    public var address: String
    public var ward: String
    /// Absent for the two-tier administration in force since 1 July 2025.
    public var district: String?
    public var province: String

    public init(name: String, phone: String, address: String, ward: String, district: String? = nil, province: String) {
        self.name = name
        self.phone = phone
        self.address = address
        self.ward = ward
        self.district = district
        self.province = province
    }

    public init(_ address: PostalAddress) {
        self.init(
            name: address.recipient, phone: address.phone, address: address.street, ward: address.ward,
            district: address.district.flatMap { $0.isEmpty ? nil : $0 }, province: address.province)
    }
}

/// The body of `POST /orders`.
public struct PostalOrderRequest: Codable, Sendable, Equatable {
    /// `{dossier code}-THU` / `{dossier code}-PHAT` (`-2`, `-3`… for a new order after a failed one).
    public var orderNumber: String
    public var dossierCode: String
    /// `pickup` (applicant → desk) or `delivery` (desk → applicant).
    public var direction: PostalDirection
    public var service: String
    public var sender: PostalParty
    public var receiver: PostalParty
    /// Amount in đồng the post office collects from the applicant on the agency's behalf (COD); 0 for none.
    public var cod: Int
    public var notes: String?

    public init(
        orderNumber: String, dossierCode: String, direction: PostalDirection, service: String, sender: PostalParty,
        receiver: PostalParty, cod: Int, notes: String?
    ) {
        self.orderNumber = orderNumber
        self.dossierCode = dossierCode
        self.direction = direction
        self.service = service
        self.sender = sender
        self.receiver = receiver
        self.cod = cod
        self.notes = notes
    }
}

/// The partner's answer to an accepted order (201, or 200 when the key was seen before).
public struct PostalOrderResponse: Codable, Sendable, Equatable {
    public var orderNumber: String
    public var waybill: String
    public var status: String

    public init(orderNumber: String, waybill: String, status: String = "accepted") {
        self.orderNumber = orderNumber
        self.waybill = waybill
        self.status = status
    }
}

/// A webhook delivery's body, in the Standard Webhooks shape: `type`, `timestamp`, `data`.
public struct PostalWebhookPayload: Codable, Sendable, Equatable {
    public struct Data: Codable, Sendable, Equatable {
        public var waybill: String
        public var orderNumber: String?
        /// The post office's words (why a delivery failed, who signed for it).
        public var note: String?

        public init(waybill: String, orderNumber: String?, note: String? = nil) {
            self.waybill = waybill
            self.orderNumber = orderNumber
            self.note = note
        }
    }

    /// `parcel.accepted`, `parcel.picked_up`, `parcel.delivered_to_desk`, `parcel.out_for_delivery`,
    /// `parcel.delivered`, `parcel.delivery_failed`, `parcel.returned_to_sender`.
    public var type: String
    /// When it happened at the post office (ISO 8601).
    public var timestamp: String
    public var data: Data

    public init(status: ShipmentStatus, at: Date, data: Data) {
        type = Self.type(of: status)
        timestamp = at.formatted(Self.withFraction)
        self.data = data
    }

    public static func type(of status: ShipmentStatus) -> String { "parcel.\(status.rawValue)" }

    /// The parcel status the type names; nil for an unknown type.
    public var status: ShipmentStatus? {
        guard type.hasPrefix("parcel.") else { return nil }
        return ShipmentStatus.eventTypes.first { $0.rawValue == type.dropFirst(7) }
    }

    public var date: Date? {
        (try? Date(timestamp, strategy: Self.withFraction)) ?? (try? Date(timestamp, strategy: Date.ISO8601FormatStyle()))
    }

    static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}

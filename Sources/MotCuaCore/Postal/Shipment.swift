import Foundation

/// Which way the post office (BCCI) carries a parcel.
public enum PostalDirection: String, Codable, Sendable, CaseIterable {
    /// From the applicant to the one-stop desk: the dossier (thu gom hồ sơ).
    case pickup
    /// From the desk to the applicant: the result (phát trả kết quả).
    case delivery

    /// The order number's suffix: `{dossier code}-THU` or `{dossier code}-PHAT` (then `-2`, `-3`
    /// for a new order after a failed one).
    public var orderSuffix: String {
        switch self {
        case .pickup: "THU"
        case .delivery: "PHAT"
        }
    }

    public var vietnameseName: String {
        switch self {
        case .pickup: "Thu gom hồ sơ"
        case .delivery: "Chuyển phát kết quả"
        }
    }
}

/// Where a parcel is, as the post office reports it. `ordered` is ours (the order is in the
/// outbox); every other value is an event type of the partner's webhook.
public enum ShipmentStatus: String, Codable, Sendable, CaseIterable {
    case ordered
    case accepted
    case pickedUp = "picked_up"
    case deliveredToDesk = "delivered_to_desk"
    case outForDelivery = "out_for_delivery"
    case delivered
    case deliveryFailed = "delivery_failed"
    case returnedToSender = "returned_to_sender"

    /// The event types a webhook may carry.
    public static let eventTypes: [ShipmentStatus] = allCases.filter { $0 != .ordered }

    /// Statuses only move forward: an event whose rank is not above the parcel's is stale (or a
    /// repeat) and has no effect. Success ranks above failure, so a late failure report cannot
    /// undo a delivery, while a delivery the post office achieves after a failed attempt counts.
    public var rank: Int {
        switch self {
        case .ordered: 0
        case .accepted: 1
        case .pickedUp, .outForDelivery: 2
        case .deliveryFailed: 3
        case .returnedToSender: 4
        case .deliveredToDesk, .delivered: 5
        }
    }

    /// Whether the event type belongs to parcels going that way.
    public func applies(to direction: PostalDirection) -> Bool {
        switch self {
        case .ordered, .accepted, .deliveryFailed, .returnedToSender: true
        case .pickedUp, .deliveredToDesk: direction == .pickup
        case .outForDelivery, .delivered: direction == .delivery
        }
    }

    /// The parcel's journey is over without reaching its addressee: a new order may be placed.
    public var isFailure: Bool { self == .deliveryFailed || self == .returnedToSender }

    public var vietnameseName: String {
        switch self {
        case .ordered: "Đã đặt đơn, chờ gửi bưu điện"
        case .accepted: "Bưu điện đã nhận đơn"
        case .pickedUp: "Bưu điện đã thu gom hồ sơ, đang chuyển"
        case .deliveredToDesk: "Đã chuyển hồ sơ đến Bộ phận Một cửa"
        case .outForDelivery: "Đang phát kết quả"
        case .delivered: "Đã phát kết quả cho người nhận"
        case .deliveryFailed: "Phát không thành công"
        case .returnedToSender: "Bưu gửi đã chuyển hoàn"
        }
    }
}

/// One postal order of a dossier and where its parcel is.
public struct Shipment: Hashable, Sendable, Codable {
    /// `{dossier code}-THU`, `{dossier code}-PHAT`, then `-2`, `-3`…: the partner's idempotency key.
    public var orderNumber: String
    public var direction: PostalDirection
    /// 1 for the first order of that direction, 2 for the one placed after it failed…
    public var attempt: Int
    /// The post office's waybill code (mã bưu gửi), once it accepted the order.
    public var waybill: String?
    public var status: ShipmentStatus
    /// Fees the post office collects from the applicant on the agency's behalf (COD), in đồng.
    public var cod: Int
    public var orderedAt: Date
    public var updatedAt: Date
    /// The post office's words on the last event (why a delivery failed).
    public var note: String?
    /// The applicant's side of the parcel: where it is collected or delivered.
    public var address: PostalAddress

    public init(
        orderNumber: String, direction: PostalDirection, attempt: Int, waybill: String? = nil, status: ShipmentStatus = .ordered,
        cod: Int = 0, orderedAt: Date, updatedAt: Date, note: String? = nil, address: PostalAddress
    ) {
        self.address = address
        self.orderNumber = orderNumber
        self.direction = direction
        self.attempt = attempt
        self.waybill = waybill
        self.status = status
        self.cod = cod
        self.orderedAt = orderedAt
        self.updatedAt = updatedAt
        self.note = note
    }

    public static func orderNumber(code: String, direction: PostalDirection, attempt: Int) -> String {
        "\(code)-\(direction.orderSuffix)" + (attempt > 1 ? "-\(attempt)" : "")
    }
}

/// What the post office reported about one order (a webhook event, or the waybill it answered with).
public struct PostalUpdate: Hashable, Sendable, Codable {
    public var orderNumber: String
    public var waybill: String?
    public var status: ShipmentStatus
    public var at: Date
    public var note: String?

    public init(orderNumber: String, waybill: String?, status: ShipmentStatus, at: Date, note: String? = nil) {
        self.orderNumber = orderNumber
        self.waybill = waybill
        self.status = status
        self.at = at
        self.note = note
    }
}

extension Dossier {
    /// The latest order of a direction.
    public func shipment(_ direction: PostalDirection) -> Shipment? {
        shipments?.last { $0.direction == direction }
    }

    /// The post office holds the dossier on its way to the desk.
    public var isInPostalTransit: Bool {
        guard status == .submitted, let pickup = shipment(.pickup) else { return false }
        return pickup.status == .pickedUp
    }
}

/// UPU S10 item identifiers (mã bưu gửi): two letters, eight digits, the check digit, the country.
public enum S10 {
    /// `EB12345678?VN` for `number` (taken modulo 10^8).
    public static func identifier(prefix: String, number: Int, country: String = "VN") -> String {
        let digits = String(format: "%08d", ((number % 100_000_000) + 100_000_000) % 100_000_000)
        let weights = [8, 6, 4, 2, 3, 5, 9, 7]
        let sum = zip(digits, weights).reduce(0) { $0 + ($1.0.wholeNumberValue ?? 0) * $1.1 }
        var check = 11 - sum % 11
        if check == 10 { check = 0 } else if check == 11 { check = 5 }
        return prefix + digits + "\(check)" + country
    }
}

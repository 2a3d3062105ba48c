import Foundation
import MotCuaCore

/// `GET /api/v1/postal/orders`: the post office's outbox as officers see it.
public struct PostalOrderList: Codable, Sendable {
    public var items: [PostalOrderView]

    public init(items: [PostalOrderView]) {
        self.items = items
    }
}

/// An outbox order.
public struct PostalOrderView: Codable, Sendable {
    public var id: String
    public var code: String
    public var direction: PostalDirection
    /// pending, sent, dead or cancelled.
    public var status: String
    public var attempts: Int
    public var createdAt: Date
    public var nextAttemptAt: Date?
    public var sentAt: Date?
    public var waybill: String?
    public var lastError: String?

    public init(
        id: String, code: String, direction: PostalDirection, status: String, attempts: Int, createdAt: Date, nextAttemptAt: Date? = nil,
        sentAt: Date? = nil, waybill: String? = nil, lastError: String? = nil
    ) {
        self.id = id
        self.code = code
        self.direction = direction
        self.status = status
        self.attempts = attempts
        self.createdAt = createdAt
        self.nextAttemptAt = nextAttemptAt
        self.sentAt = sentAt
        self.waybill = waybill
        self.lastError = lastError
    }
}

import Foundation

/// What the gateway receives for one notification (JSON, signed per Standard Webhooks).
public struct NotificationMessage: Codable, Sendable, Equatable {
    public struct Recipient: Codable, Sendable, Equatable {
        public var name: String
        public var phone: String
        public var email: String?

        public init(name: String, phone: String, email: String? = nil) {
            self.name = name
            self.phone = phone
            self.email = email
        }
    }

    public var id: String
    public var kind: String
    public var dossierCode: String
    public var recipient: Recipient
    public var text: String
    public var createdAt: Date

    public init(id: String, kind: String, dossierCode: String, recipient: Recipient, text: String, createdAt: Date) {
        self.id = id
        self.kind = kind
        self.dossierCode = dossierCode
        self.recipient = recipient
        self.text = text
        self.createdAt = createdAt
    }
}

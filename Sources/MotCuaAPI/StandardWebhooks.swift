import Crypto
import Foundation

/// Signing and checking per the Standard Webhooks specification: headers `webhook-id`,
/// `webhook-timestamp` (Unix seconds) and `webhook-signature` (space-separated `v1,<base64>`
/// HMAC-SHA256 over `id.timestamp.body`), secret `whsec_<base64>`.
public struct StandardWebhooks: Sendable {
    /// The key bytes (`SymmetricKey` itself is not `Sendable`).
    let keyBytes: [UInt8]
    var key: SymmetricKey { SymmetricKey(data: keyBytes) }
    /// How far the timestamp may be from now, either way.
    public var tolerance: TimeInterval

    public init?(secret: String, tolerance: TimeInterval = 300) {
        let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        guard let data = Data(base64Encoded: encoded), !data.isEmpty else { return nil }
        keyBytes = Array(data)
        self.tolerance = tolerance
    }

    public enum Failure: Error, Equatable, Sendable {
        case missingHeaders, badTimestamp, outsideTolerance, badSignature

        /// One Vietnamese sentence for the problem response.
        public var vietnameseDescription: String {
            switch self {
            case .missingHeaders: "Thiếu tiêu đề webhook-id, webhook-timestamp hoặc webhook-signature."
            case .badTimestamp: "webhook-timestamp không phải số giây Unix."
            case .outsideTolerance: "webhook-timestamp lệch quá 5 phút so với giờ máy chủ."
            case .badSignature: "Chữ ký webhook-signature không hợp lệ."
            }
        }
    }

    /// `v1,<base64>` for the message.
    public func signature(id: String, timestamp: Int, body: some Sequence<UInt8>) -> String {
        var message = Array("\(id).\(timestamp).".utf8)
        message.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: key)
        return "v1," + Data(mac).base64EncodedString()
    }

    /// The three headers for a delivery.
    public func headers(id: String, timestamp: Int, body: some Sequence<UInt8>) -> [String: String] {
        ["webhook-id": id, "webhook-timestamp": "\(timestamp)", "webhook-signature": signature(id: id, timestamp: timestamp, body: body)]
    }

    /// Checks a delivery; throws what is wrong with it.
    public func verify(id: String?, timestamp: String?, signature: String?, body: [UInt8], now: Date) throws(Failure) {
        guard let id, !id.isEmpty, let timestamp, let signature else { throw .missingHeaders }
        guard let seconds = Int(timestamp) else { throw .badTimestamp }
        guard abs(now.timeIntervalSince1970 - Double(seconds)) <= tolerance else { throw .outsideTolerance }
        var message = Array("\(id).\(timestamp).".utf8)
        message.append(contentsOf: body)
        for candidate in signature.split(separator: " ") {
            let parts = candidate.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, parts[0] == "v1", let mac = Data(base64Encoded: String(parts[1])) else { continue }
            // `isValidAuthenticationCode` compares in constant time.
            if HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: message, using: key) { return }
        }
        throw .badSignature
    }
}

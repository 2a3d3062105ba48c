import Foundation
import Hummingbird
import MotCuaAPI
import NIOCore

/// A partner's signed word (Standard Webhooks), as the post office and the payment provider send
/// it: the body (64 KiB at most) verified with the configured secret, and its id (200 bytes at
/// most), by which each is applied once.
struct SignedWebhook {
    var id: String
    var body: ByteBuffer

    var pair: (id: String, body: ByteBuffer) { (id, body) }

    /// Reads and verifies the request; 503 (`unconfigured`, in Vietnamese) without a secret, 413
    /// past the size, 401 for a missing, stale or wrong signature.
    static func read(_ request: Request, secret: String?, unconfigured: String, now: Date) async throws -> SignedWebhook {
        guard let secret, let webhooks = StandardWebhooks(secret: secret) else {
            throw Problem.typed(.unavailable, detail: unconfigured)
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: 65_536)
        } catch {
            throw Problem.typed(.tooLarge)
        }
        let id = request.headers[.webhookID]
        do {
            try webhooks.verify(
                id: id, timestamp: request.headers[.webhookTimestamp], signature: request.headers[.webhookSignature],
                body: Array(body.readableBytesView), now: now)
        } catch {
            throw Problem.typed(.invalidSignature, detail: error.vietnameseDescription)
        }
        guard let id, id.utf8.count <= 200 else { throw Problem.typed(.invalidSignature) }
        return SignedWebhook(id: id, body: body)
    }
}

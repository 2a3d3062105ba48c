import Foundation
import Testing
@testable import MotCuaAPI

/// Standard Webhooks, as the specification defines it (and as the post office and the payment
/// gateway sign their deliveries): `v1,<base64 HMAC-SHA256 of id.timestamp.body>`.
@Suite("Standard Webhooks signatures")
struct StandardWebhooksTests {
    /// The specification's own example: its secret, message id, timestamp, body and signature.
    static let specSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let specID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    static let specTimestamp = 1_614_265_330
    static let specBody = Array(#"{"test": 2432232314}"#.utf8)
    static let specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    static let specNow = Date(timeIntervalSince1970: TimeInterval(specTimestamp))

    var hooks: StandardWebhooks {
        get throws { try #require(StandardWebhooks(secret: Self.specSecret)) }
    }

    @Test("Signing reproduces the specification's example")
    func specificationExample() throws {
        #expect(try hooks.signature(id: Self.specID, timestamp: Self.specTimestamp, body: Self.specBody) == Self.specSignature)
        let headers = try hooks.headers(id: Self.specID, timestamp: Self.specTimestamp, body: Self.specBody)
        #expect(headers == ["webhook-id": Self.specID, "webhook-timestamp": "1614265330", "webhook-signature": Self.specSignature])
    }

    @Test("The example verifies, with or without the whsec_ prefix")
    func verifies() throws {
        try hooks.verify(id: Self.specID, timestamp: "1614265330", signature: Self.specSignature, body: Self.specBody, now: Self.specNow)
        let bare = try #require(StandardWebhooks(secret: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        try bare.verify(id: Self.specID, timestamp: "1614265330", signature: Self.specSignature, body: Self.specBody, now: Self.specNow)
    }

    @Test("Several signatures separated by spaces: one valid is enough, unknown versions are skipped")
    func severalSignatures() throws {
        let other = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
        let list = "v2,AAAA \(other) garbage \(Self.specSignature)"
        try hooks.verify(id: Self.specID, timestamp: "1614265330", signature: list, body: Self.specBody, now: Self.specNow)
        #expect(throws: StandardWebhooks.Failure.badSignature) {
            try hooks.verify(id: Self.specID, timestamp: "1614265330", signature: "v2,\(Self.specSignature.dropFirst(3)) \(other)", body: Self.specBody, now: Self.specNow)
        }
    }

    @Test("Any change to the id, the timestamp or the body breaks the signature")
    func tamper() throws {
        let hooks = try hooks
        var body = Self.specBody
        body[body.count - 2] = UInt8(ascii: "5")
        #expect(throws: StandardWebhooks.Failure.badSignature) {
            try hooks.verify(id: Self.specID, timestamp: "1614265330", signature: Self.specSignature, body: body, now: Self.specNow)
        }
        #expect(throws: StandardWebhooks.Failure.badSignature) {
            try hooks.verify(id: Self.specID + "x", timestamp: "1614265330", signature: Self.specSignature, body: Self.specBody, now: Self.specNow)
        }
        #expect(throws: StandardWebhooks.Failure.badSignature) {
            try hooks.verify(id: Self.specID, timestamp: "1614265331", signature: Self.specSignature, body: Self.specBody, now: Self.specNow)
        }
        let otherKey = try #require(StandardWebhooks(secret: "whsec_" + Data(repeating: 7, count: 32).base64EncodedString()))
        #expect(throws: StandardWebhooks.Failure.badSignature) {
            try otherKey.verify(id: Self.specID, timestamp: "1614265330", signature: Self.specSignature, body: Self.specBody, now: Self.specNow)
        }
    }

    @Test("Missing headers, a timestamp that is not Unix seconds, and one outside five minutes are refused")
    func refusals() throws {
        let hooks = try hooks
        let body = Self.specBody
        #expect(throws: StandardWebhooks.Failure.missingHeaders) {
            try hooks.verify(id: nil, timestamp: "1614265330", signature: Self.specSignature, body: body, now: Self.specNow)
        }
        #expect(throws: StandardWebhooks.Failure.missingHeaders) {
            try hooks.verify(id: "", timestamp: "1614265330", signature: Self.specSignature, body: body, now: Self.specNow)
        }
        #expect(throws: StandardWebhooks.Failure.missingHeaders) {
            try hooks.verify(id: Self.specID, timestamp: nil, signature: Self.specSignature, body: body, now: Self.specNow)
        }
        #expect(throws: StandardWebhooks.Failure.missingHeaders) {
            try hooks.verify(id: Self.specID, timestamp: "1614265330", signature: nil, body: body, now: Self.specNow)
        }
        #expect(throws: StandardWebhooks.Failure.badTimestamp) {
            try hooks.verify(id: Self.specID, timestamp: "2021-02-25T15:02:10Z", signature: Self.specSignature, body: body, now: Self.specNow)
        }
        #expect(throws: StandardWebhooks.Failure.outsideTolerance) {
            try hooks.verify(id: Self.specID, timestamp: "1614265330", signature: Self.specSignature, body: body, now: Self.specNow.addingTimeInterval(301))
        }
        #expect(throws: StandardWebhooks.Failure.outsideTolerance) {
            try hooks.verify(id: Self.specID, timestamp: "1614265330", signature: Self.specSignature, body: body, now: Self.specNow.addingTimeInterval(-301))
        }
        // At the edge of the tolerance, either way, it still holds.
        try hooks.verify(id: Self.specID, timestamp: "1614265330", signature: Self.specSignature, body: body, now: Self.specNow.addingTimeInterval(300))
        try hooks.verify(id: Self.specID, timestamp: "1614265330", signature: Self.specSignature, body: body, now: Self.specNow.addingTimeInterval(-300))
    }

    @Test("A narrower tolerance is honoured")
    func customTolerance() throws {
        let strict = try #require(StandardWebhooks(secret: Self.specSecret, tolerance: 10))
        #expect(throws: StandardWebhooks.Failure.outsideTolerance) {
            try strict.verify(id: Self.specID, timestamp: "1614265330", signature: Self.specSignature, body: Self.specBody, now: Self.specNow.addingTimeInterval(11))
        }
    }

    @Test("A secret that is not base64, or empty, is no secret")
    func badSecrets() {
        #expect(StandardWebhooks(secret: "whsec_") == nil)
        #expect(StandardWebhooks(secret: "whsec_not base64!") == nil)
        #expect(StandardWebhooks(secret: "") == nil)
    }

    @Test("Every failure has a Vietnamese sentence for the problem answer")
    func sentences() {
        let all: [StandardWebhooks.Failure] = [.missingHeaders, .badTimestamp, .outsideTolerance, .badSignature]
        let sentences = all.map(\.vietnameseDescription)
        #expect(Set(sentences).count == all.count)
        #expect(sentences.allSatisfy { $0.hasSuffix(".") && $0.contains("webhook") })
    }

    @Test("A signature signs the bytes as sent: a different key order is a different message")
    func bytesNotDocuments() throws {
        let hooks = try hooks
        let a = hooks.signature(id: "msg_1", timestamp: 1, body: Array(#"{"a":1,"b":2}"#.utf8))
        let b = hooks.signature(id: "msg_1", timestamp: 1, body: Array(#"{"b":2,"a":1}"#.utf8))
        #expect(a != b)
        #expect(a.hasPrefix("v1,") && Data(base64Encoded: String(a.dropFirst(3)))?.count == 32)
    }
}

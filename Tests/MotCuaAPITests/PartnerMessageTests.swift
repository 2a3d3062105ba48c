import Foundation
import Testing
@testable import MotCuaAPI
@testable import MotCuaCore

/// The partners' messages as they travel: the portal's answer and what success is, its holdings,
/// a notification to the gateway, the signing service's requests, each read back as written.
@Suite("Partners' messages on the wire")
struct PartnerMessageTests {
    @Test("The portal's answer: error_code 0 or 00 is success, anything else is not")
    func portalAnswers() throws {
        for (code, success) in [("0", true), ("00", true), ("1", false), ("99", false), ("", false), ("000", false)] {
            #expect(PortalAnswer(errorCode: code).isSuccess == success, "\(code)")
        }
        let text = String(decoding: try WireJSON.encode(PortalAnswer(errorCode: "0", message: "Thành công")), as: UTF8.self)
        #expect(text == #"{"error_code":"0","message":"Thành công"}"#, "the portal's own key name")
        let read = try PortalMessages.decoder.decode(PortalAnswer.self, from: Data(#"{"error_code":"00"}"#.utf8))
        #expect(read.isSuccess && read.message == nil)
    }

    @Test("What the portal holds, read back with its dates in Vietnam time")
    func holdings() throws {
        let due = WorkCalendar.parse("2026-03-05T16:00:00+07:00")!
        let holdings = PortalHoldings(dossiers: [
            PortalHolding(code: "H40.01-260302-0001", version: 3, status: 4, dueAt: due), PortalHolding(code: "H40.01-260302-0002", version: 1, status: 2, dueAt: nil),
        ])
        let data = try WireJSON.encode(holdings)
        #expect(String(decoding: data, as: UTF8.self).contains("2026-03-05T16:00:00+07:00"))
        #expect(try PortalMessages.decoder.decode(PortalHoldings.self, from: data) == holdings)
    }

    @Test("A notification to the gateway: its recipient, text and time, read back as written")
    func notification() throws {
        let message = NotificationMessage(
            id: "d1.2", kind: "received", dossierCode: "H40.01-260302-0001",
            recipient: .init(name: "Trần Thị Bình", phone: "0912345678", email: "binh@example.vn"),
            text: "UBND phường Sông Trí: Hồ sơ H40.01-260302-0001 đã được tiếp nhận.", createdAt: WorkCalendar.parse("2026-03-02T08:00:00+07:00")!)
        let data = try WireJSON.encode(message)
        let back = try WireJSON.decoder.decode(NotificationMessage.self, from: data)
        #expect(back.id == message.id && back.text == message.text && back.recipient.email == "binh@example.vn" && back.createdAt == message.createdAt)
        let withoutEmail = NotificationMessage(id: "x", kind: "returned", dossierCode: "C", recipient: .init(name: "A", phone: "0912345678"), text: "t", createdAt: Date(timeIntervalSince1970: 0))
        #expect(!String(decoding: try WireJSON.encode(withoutEmail), as: UTF8.self).contains("email"))
    }

    @Test("The signing service's key, request and answer")
    func signing() throws {
        let key = RemoteSigningKey(keyID: "ab12", algorithm: "ES256", publicKey: "-----BEGIN PUBLIC KEY-----\nMFk=\n-----END PUBLIC KEY-----\n")
        let keyBack = try WireJSON.decoder.decode(RemoteSigningKey.self, from: try WireJSON.encode(key))
        #expect(keyBack.keyID == key.keyID && keyBack.publicKey == key.publicKey, "line breaks in the PEM survive")
        let request = RemoteSignRequest(keyID: "ab12", digest: Data(repeating: 1, count: 32).base64EncodedString())
        #expect(try WireJSON.decoder.decode(RemoteSignRequest.self, from: try WireJSON.encode(request)).digest == request.digest)
        let answer = RemoteSignResponse(signature: Data(repeating: 2, count: 64).base64EncodedString())
        #expect(try WireJSON.decoder.decode(RemoteSignResponse.self, from: try WireJSON.encode(answer)).signature == answer.signature)
    }
}

import Foundation
import MotCuaAPI
import MotCuaConfig
import MotCuaCore
import MotCuaStore
import Testing
@testable import MotCuaServer

/// The texts the applicant receives: each kind's template filled from the dossier and the event,
/// in one pass, so that what a citizen typed is sent as typed.
@Suite("Notification texts")
struct NotificationTextTests {
    @Test("Placeholders are filled in one pass; a value holding braces is written as it is")
    func fill() {
        let values = ["code": "X-1", "name": "{reason}", "reason": "Thiếu giấy tờ"]
        #expect(NotificationPartner.fill("Hồ sơ {code} của {name}: {reason}.", values) == "Hồ sơ X-1 của {reason}: Thiếu giấy tờ.")
        #expect(NotificationPartner.fill("{code}{code}", values) == "X-1X-1")
        #expect(NotificationPartner.fill("Không có chỗ trống.", values) == "Không có chỗ trống.")
        #expect(NotificationPartner.fill("{unknown} và {code}", values) == "{unknown} và X-1", "an unknown placeholder stays")
        #expect(NotificationPartner.fill("mở { không đóng {code", values) == "mở { không đóng {code")
        #expect(NotificationPartner.fill("{}", values) == "{}")
        #expect(NotificationPartner.fill("", values) == "")
    }

    @Test("Each kind's message from the shipped templates: the dossier's facts filled in, none left open")
    func shippedTemplates() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let settings = try AppConfiguration.load(from: repository.appendingPathComponent("Config"), environment: [:]).notifications
        let hooks = try #require(StandardWebhooks(secret: "whsec_" + Data(repeating: 1, count: 32).base64EncodedString()))
        let partner = NotificationPartner(
            store: server.store, settings: settings, gateway: URL(string: "http://127.0.0.1:9/messages")!, webhooks: hooks,
            agencyName: { _ in "UBND phường Sông Trí" })
        let desk = try await server.login(.desk)
        var body = try await server.intakeBody(name: "Trần {code} Bình")
        body["returnMethod"] = "desk"
        let code = try #require(try await server.request("POST", "/api/v1/dossiers", token: desk, json: body).json["code"] as? String)
        #expect(try await server.request("POST", "/api/v1/dossiers/\(code)/request-supplementation", token: desk,
                                          json: ["items": ["Giấy chứng sinh", "Tờ khai"], "reason": "Thiếu bản chính"]).status == 200)
        let dossier = try #require(try await server.store.dossier(code: code))
        let events = try await server.store.events(dossierID: dossier.id)
        let items = try await server.store.notifications(dossierID: dossier.id)
        #expect(items.map(\.kind) == [.received, .supplementationRequested])
        for item in items {
            let event = try #require(events.first { $0.sequence == item.sequence })
            let message = partner.render(item, dossier: dossier, event: event)
            #expect(message.id == item.id && message.dossierCode == code && message.recipient.phone == "0912345678")
            #expect(message.text.hasPrefix("UBND phường Sông Trí"))
            #expect(message.text.contains(code))
            #expect(!message.text.contains("{agency}") && !message.text.contains("{appointment}") && !message.text.contains("{items}"))
            switch item.kind {
            case .received:
                #expect(message.text.contains("Trần {code} Bình"), "the name as typed: \(message.text)")
                #expect(message.text.contains("Hẹn trả kết quả: ") && message.text.contains("/2026"))
            case .supplementationRequested:
                #expect(message.text.contains("Giấy chứng sinh; Tờ khai") && message.text.contains("Thiếu bản chính"))
            default:
                Issue.record("unexpected \(item.kind)")
            }
        }
    }
}

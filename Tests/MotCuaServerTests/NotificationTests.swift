import Foundation
import Hummingbird
import Logging
import MotCuaConfig
import MotCuaCore
import MotCuaSim
import MotCuaStore
import Testing
@testable import MotCuaServer

let gatewaySecret = "whsec_" + Data((0..<32).map { UInt8(($0 * 13 + 5) % 256) }).base64EncodedString()

/// The gateway stand-in on a loopback port.
struct RunningGateway {
    let sim: GatewaySim
    let url: String
    let task: Task<Void, any Error>

    static func start(secret: String = gatewaySecret, clock: TestClock) async throws -> RunningGateway {
        let sim = GatewaySim(secret: secret, retryAfter: nil, now: { clock.now })
        let (port, task) = await serveOnLoopback(sim.router(), label: "gateway")
        return RunningGateway(sim: sim, url: "http://127.0.0.1:\(port)/messages", task: task)
    }
}

@Suite("Notification outbox and relay", .serialized)
struct NotificationTests {
    func relay(_ server: TestServer, url: String, maxAttempts: Int = 8) throws -> NotificationRelay {
        var settings = try AppConfiguration.load(from: repository.appendingPathComponent("Config"), environment: [:]).notifications
        settings.gatewayURL = url
        settings.webhookSecret = gatewaySecret
        settings.maxAttempts = maxAttempts
        settings.backoffSeconds = 30
        var logger = Logger(label: "relay")
        logger.logLevel = .critical
        guard let relay = NotificationRelay(
            store: server.store, settings: settings, agencyName: { _ in "UBND phường Sông Trí" }, now: { server.clock.now }, logger: logger)
        else { throw CocoaError(.featureUnsupported) }
        return relay
    }

    @Test("Each applicant-facing event is enqueued in its transaction; delivery survives an outage with backoff")
    func outageAndRetries() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let gateway = try await RunningGateway.start(clock: server.clock)
        defer { gateway.task.cancel() }
        let desk = try await server.login(.desk), leader = try await server.login(.leader), handler = try await server.login(.handler)
        let filed = try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody())
        let code = try #require(filed.json["code"] as? String)
        let departments = try #require(try await server.store.agencies().first { $0.id == TestServer.agencyA }?.departments)
        _ = try await server.request("POST", "/api/v1/dossiers/\(code)/transfer", token: desk, json: ["departmentID": departments[0].id])
        _ = try await server.request("POST", "/api/v1/dossiers/\(code)/request-fee", token: handler, json: ["amount": 8000])
        _ = try await server.request("POST", "/api/v1/dossiers/\(code)/fee-paid", token: desk, json: [:])
        _ = try await server.request("POST", "/api/v1/dossiers/\(code)/approve", token: leader, json: [:])
        _ = try await server.request("POST", "/api/v1/dossiers/\(code)/ready", token: handler, json: [:])
        _ = try await server.request("POST", "/api/v1/dossiers/\(code)/return", token: desk, json: ["method": "desk"])
        let dossier = try #require(try await server.store.dossier(code: code))
        let queued = try await server.store.notifications(dossierID: dossier.id)
        #expect(queued.map(\.kind) == [.received, .feeRequested, .resultReady, .returned])

        let relay = try relay(server, url: gateway.url)
        // The gateway is down for the next five requests: the whole first pass and one more.
        gateway.sim.failNext(5)
        #expect(await relay.deliverDue() == 4)
        var state = try await server.store.notifications(dossierID: dossier.id)
        #expect(state.allSatisfy { $0.status == .pending && $0.attempts == 1 && $0.lastError == "HTTP 503" })
        // Backoff: nothing is due again at once; all are due after at most 30 s (15–30 s with jitter).
        #expect(await relay.deliverDue() == 0)
        server.clock.advance(31)
        #expect(await relay.deliverDue() == 4)
        state = try await server.store.notifications(dossierID: dossier.id)
        #expect(state.filter { $0.status == .delivered }.count == 3)
        let waiting = try #require(state.first { $0.status == .pending })
        #expect(waiting.attempts == 2)
        // The second wait is longer (30–60 s): 62 s later it has certainly gone, once.
        server.clock.advance(31)
        let early = await relay.deliverDue()
        server.clock.advance(31)
        let late = await relay.deliverDue()
        #expect(early + late == 1)
        state = try await server.store.notifications(dossierID: dossier.id)
        #expect(state.allSatisfy { $0.status == .delivered })
        #expect(state.first { $0.id == waiting.id }?.attempts == 3)

        // The gateway got each message exactly once, in Vietnamese, for the applicant's phone.
        let received = gateway.sim.snapshot
        #expect(received.messages.count == 4 && received.requests == 9 && received.rejectedSignatures == 0)
        let receipt = try #require(received.messages.first { $0.kind == "received" })
        #expect(receipt.recipient.phone == "0912345678" && receipt.dossierCode == code)
        #expect(receipt.text.contains(code) && receipt.text.contains("đã được tiếp nhận") && receipt.text.contains("Hẹn trả kết quả: 08 giờ 00 phút, ngày 03/03/2026"))
        #expect(received.messages.first { $0.kind == "feeRequested" }?.text.contains("8.000 đồng") == true)
        #expect(await relay.deliverDue() == 0)
    }

    @Test("A refusal is a dead letter at once; attempts run out into a dead letter; forged deliveries are refused")
    func deadLetters() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let gateway = try await RunningGateway.start(clock: server.clock)
        defer { gateway.task.cancel() }
        let desk = try await server.login(.desk)
        let first = try #require(try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody()).json["code"] as? String)
        let relay = try relay(server, url: gateway.url, maxAttempts: 2)
        gateway.sim.refuseNext(1)
        #expect(await relay.deliverDue() == 1)
        let firstID = try #require(try await server.store.dossier(code: first)?.id)
        let refused = try #require(try await server.store.notifications(dossierID: firstID).first)
        #expect(refused.status == .dead && refused.lastError == "HTTP 400" && refused.attempts == 1)

        let second = try #require(try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody()).json["code"] as? String)
        gateway.sim.failNext(5)
        #expect(await relay.deliverDue() == 1)
        server.clock.advance(31)
        #expect(await relay.deliverDue() == 1)
        let secondID = try #require(try await server.store.dossier(code: second)?.id)
        let exhausted = try #require(try await server.store.notifications(dossierID: secondID).first)
        #expect(exhausted.status == .dead && exhausted.attempts == 2 && (exhausted.lastError ?? "").contains("after 2 attempts"))

        // A delivery signed with another secret is refused by the gateway and retried.
        var settings = try AppConfiguration.load(from: repository.appendingPathComponent("Config"), environment: [:]).notifications
        settings.gatewayURL = gateway.url
        settings.webhookSecret = paymentSecret
        guard let forger = NotificationRelay(store: server.store, settings: settings, agencyName: { $0 }, now: { server.clock.now }, logger: Logger(label: "x"))
        else { throw CocoaError(.featureUnsupported) }
        let third = try #require(try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody()).json["code"] as? String)
        #expect(await forger.deliverDue() == 1)
        #expect(gateway.sim.snapshot.rejectedSignatures == 1 && gateway.sim.snapshot.messages.isEmpty)
        let thirdID = try #require(try await server.store.dossier(code: third)?.id)
        #expect(try await server.store.notifications(dossierID: thirdID).first?.status == .dead)
    }
}

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
    func relay(_ server: TestServer, url: String, retryHours: Double = 24) throws -> NotificationRelay {
        var settings = try AppConfiguration.load(from: repository.appendingPathComponent("Config"), environment: [:]).notifications
        settings.gatewayURL = url
        settings.webhookSecret = gatewaySecret
        settings.timing.retryHours = retryHours
        settings.timing.backoffSeconds = 30
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
        // Transient failures retried for 30 s from the notification's creation.
        let relay = try relay(server, url: gateway.url, retryHours: 30.0 / 3_600)
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

@Suite("Outbox retries: a window of time, not a number of attempts")
struct RetryWindowTests {
    let since = Date(timeIntervalSince1970: 1_800_000_000)

    func next(attempts: Int, at offset: TimeInterval, retryAfter: Double? = nil) -> DeliveryOutcome {
        DeliveryOutcome.next(
            after: attempts, since: since, retryHours: 24, backoff: 2, maxBackoff: 1_800, retryAfter: retryAfter, error: "HTTP 503",
            now: since.addingTimeInterval(offset))
    }

    @Test("Within the window a failure is retried, however many attempts came before; backoff doubles up to its cap, Retry-After is honoured")
    func withinWindow() {
        // A 60-second outage used 5–6 of the 10 attempts the count allowed; here the 40th attempt still retries.
        for attempts in [0, 5, 10, 40] {
            guard case let .retry(at, error) = next(attempts: attempts, at: 3_600) else {
                Issue.record("attempt \(attempts) within the window went dead")
                continue
            }
            let delay = at.timeIntervalSince(since) - 3_600
            let cap = min(1_800, 2 * pow(2, Double(attempts)))
            #expect(delay >= cap / 2 - 0.001 && delay <= cap + 0.001 && error == "HTTP 503", "attempt \(attempts): \(delay) s")
        }
        guard case let .retry(at, _) = next(attempts: 0, at: 0, retryAfter: 120) else { Issue.record("not retried"); return }
        #expect(at.timeIntervalSince(since) >= 120)
    }

    @Test("The last retry falls at the window's end; a failure past it is a dead letter that says how long it was tried")
    func pastWindow() {
        guard case let .retry(at, _) = next(attempts: 30, at: 24 * 3_600 - 60) else { Issue.record("not retried"); return }
        #expect(at == since.addingTimeInterval(24 * 3_600))
        guard case let .dead(error) = next(attempts: 31, at: 24 * 3_600) else { Issue.record("not dead"); return }
        #expect(error == "HTTP 503 after 32 attempts in 24.0 h")
    }
}

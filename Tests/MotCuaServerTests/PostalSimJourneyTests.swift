import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPTypes
import Hummingbird
import MotCuaAPI
import MotCuaCore
@testable import MotCuaSim
import Synchronization
import Testing

/// The post office stand-in tells of each parcel's journey with signed webhooks, in order, until
/// each is acknowledged: a receiver on loopback checks every signature and keeps what it heard.
@Suite("Post office stand-in: a parcel's journey by webhook")
struct PostalSimJourneyTests {
    static let secret = "whsec_" + Data(repeating: 5, count: 32).base64EncodedString()

    final class Receiver: Sendable {
        let heard = Mutex<[(id: String, type: String, waybill: String)]>([])
        let refuseFirst = Mutex(0)
        let hooks = StandardWebhooks(secret: PostalSimJourneyTests.secret)!

        func router() -> Router<BasicRequestContext> {
            let router = Router()
            router.post("hooks") { request, _ -> Response in
                var request = request
                let body = Array(try await request.collectBody(upTo: 65_536).readableBytesView)
                do {
                    try self.hooks.verify(
                        id: request.headers[HTTPField.Name("webhook-id")!], timestamp: request.headers[HTTPField.Name("webhook-timestamp")!],
                        signature: request.headers[HTTPField.Name("webhook-signature")!], body: body, now: Date())
                } catch {
                    return Response(status: .unauthorized)
                }
                // The first deliveries fail: the stand-in must try again.
                if self.refuseFirst.withLock({ count in count > 0 ? { count -= 1; return true }() : false }) { return Response(status: .serviceUnavailable) }
                let payload = try JSONDecoder().decode(PostalWebhookPayload.self, from: Data(body))
                let id = request.headers[HTTPField.Name("webhook-id")!] ?? ""
                // Deliveries are at least once: a retry after a lost acknowledgement repeats the
                // id, and a receiver (as MotCua does) takes each id once.
                self.heard.withLock { heard in
                    if !heard.contains(where: { $0.id == id }) { heard.append((id, payload.type, payload.data.waybill)) }
                }
                return Response(status: .noContent)
            }
            return router
        }
    }

    @Test("A delivery order: accepted, out for delivery, delivered, each signed and in order, retried until acknowledged")
    func journey() async throws {
        let receiver = Receiver()
        receiver.refuseFirst.withLock { $0 = 2 }
        let (hookPort, hookTask) = await serveOnLoopback(receiver.router(), label: "hooks")
        defer { hookTask.cancel() }
        let sim = PostalSim(webhookURL: URL(string: "http://127.0.0.1:\(hookPort)/hooks")!, secret: Self.secret, step: .milliseconds(30))
        let (port, task) = await serveOnLoopback(sim.router(), label: "postal-sim")
        defer { sim.stop(); task.cancel() }

        let order = PostalOrderRequest(
            orderNumber: "H40.01-260302-0001-PHAT", dossierCode: "H40.01-260302-0001", direction: .delivery, service: "BCCI-HCC",
            sender: PostalParty(name: "Bộ phận Một cửa", phone: "0239385600", address: "Số 1", ward: "xã A", province: "tỉnh B"),
            receiver: PostalParty(name: "Trần Thị Bình", phone: "0912345678", address: "Xóm 2", ward: "xã C", province: "tỉnh B"), cod: 0, notes: nil)
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/orders")!)
        request.httpMethod = "POST"
        request.httpBody = try WireJSON.encode(order)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("journey-1", forHTTPHeaderField: "Idempotency-Key")
        let (data, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 201)
        let waybill = try JSONDecoder().decode(PostalOrderResponse.self, from: data).waybill

        // Seconds on an idle machine; the bound leaves room for a loaded one (the whole suite beside it).
        #expect(await sim.settle(timeout: .seconds(180)), "every event acknowledged")
        let heard = receiver.heard.withLock { $0 }
        #expect(heard.map(\.type) == ["parcel.accepted", "parcel.out_for_delivery", "parcel.delivered"])
        #expect(heard.allSatisfy { $0.waybill == waybill })
        #expect(Set(heard.map(\.id)).count == 3, "each event its own webhook-id")
        let stats = sim.stats
        #expect(stats.webhooksAcknowledged == 3 && stats.webhookRetries >= 1)
        #expect(Set(sim.orders.first?.acknowledged ?? []) == Set(heard.map(\.type)))
    }

    @Test("A pick-up order walks the other way: accepted, picked up, delivered to the desk")
    func pickup() async throws {
        let receiver = Receiver()
        let (hookPort, hookTask) = await serveOnLoopback(receiver.router(), label: "hooks")
        defer { hookTask.cancel() }
        let sim = PostalSim(webhookURL: URL(string: "http://127.0.0.1:\(hookPort)/hooks")!, secret: Self.secret, step: .milliseconds(20))
        let (port, task) = await serveOnLoopback(sim.router(), label: "postal-sim")
        defer { sim.stop(); task.cancel() }
        let party = PostalParty(name: "Trần Thị Bình", phone: "0912345678", address: "Xóm 2", ward: "xã C", province: "tỉnh B")
        let order = PostalOrderRequest(
            orderNumber: "H40.01-260302-0002-THU", dossierCode: "H40.01-260302-0002", direction: .pickup, service: "BCCI-HCC", sender: party, receiver: party,
            cod: 50_000, notes: nil)
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/orders")!)
        request.httpMethod = "POST"
        request.httpBody = try WireJSON.encode(order)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("journey-2", forHTTPHeaderField: "Idempotency-Key")
        let (data, _) = try await URLSession.shared.data(for: request)
        #expect(try JSONDecoder().decode(PostalOrderResponse.self, from: data).waybill.hasPrefix("EA"), "pick-ups are EA…")
        #expect(await sim.settle(timeout: .seconds(180)))
        #expect(receiver.heard.withLock { $0.map(\.type) } == ["parcel.accepted", "parcel.picked_up", "parcel.delivered_to_desk"])
    }
}

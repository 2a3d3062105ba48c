import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MotCuaAPI
import MotCuaCore
@testable import MotCuaSim
import Testing

/// The stand-ins are what the tests, the demo and a province's trial run talk to instead of the
/// post office, the national portal, the signing service and the SMS gateway: each must hold its
/// partner's contract as strictly as the partner would, or the relays' tests prove nothing.
/// Each test serves its stand-in on a loopback port and speaks HTTP to it.
@Suite("Partner stand-ins keep their contracts")
struct PartnerSimTests {
    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: Data
        var problem: ProblemDocument? { try? JSONDecoder().decode(ProblemDocument.self, from: body) }
        var fields: [String] { problem?.errors?.map(\.field) ?? [] }
    }

    static func call(
        _ method: String, _ url: String, headers: [String: String] = [:], body: Data? = nil
    ) async throws -> Answer {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.httpMethod = method
        request.httpBody = body
        if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields[String(describing: name).lowercased()] = String(describing: value) }
        return Answer(status: http.statusCode, headers: fields, body: data)
    }

    // MARK: Post office

    static let desk = PostalParty(name: "Bộ phận Một cửa – UBND xã Thạch Hà", phone: "0239385600", address: "Số 1 Trần Phú", ward: "xã Thạch Hà", province: "tỉnh Hà Tĩnh")
    static let applicant = PostalParty(name: "Trần Thị Bình", phone: "+84912345678", address: "Xóm 2", ward: "xã Kỳ Anh", province: "tỉnh Hà Tĩnh")

    static func order(_ number: String = "H40.01-260301-0007-PHAT", cod: Int = 0) -> PostalOrderRequest {
        PostalOrderRequest(
            orderNumber: number, dossierCode: "H40.01-260301-0007", direction: .delivery, service: "BCCI-HCC", sender: desk, receiver: applicant,
            cod: cod, notes: "Chuyển phát kết quả")
    }

    func withPostal(apiKey: String? = nil, _ body: (String, PostalSim) async throws -> Void) async throws {
        let sim = PostalSim(webhookURL: nil, secret: nil, apiKey: apiKey)
        let (port, task) = await serveOnLoopback(sim.router(), label: "postal-sim")
        defer { sim.stop(); task.cancel() }
        try await body("http://127.0.0.1:\(port)", sim)
    }

    @Test("Post office: an order gets an S10 waybill; the same key and body get it again, another body with the key a 422")
    func postalIdempotency() async throws {
        try await withPostal { base, sim in
            let body = try WireJSON.encode(Self.order())
            let first = try await Self.call("POST", "\(base)/orders", headers: ["Idempotency-Key": "k1"], body: body)
            #expect(first.status == 201)
            let accepted = try JSONDecoder().decode(PostalOrderResponse.self, from: first.body)
            #expect(accepted.orderNumber == "H40.01-260301-0007-PHAT" && accepted.status == "accepted")
            #expect(accepted.waybill.hasPrefix("EB") && accepted.waybill.hasSuffix("VN") && accepted.waybill.count == 13)
            #expect(S10.identifier(prefix: "EB", number: Int(accepted.waybill.dropFirst(2).prefix(8))!) == accepted.waybill, "check digit")

            let again = try await Self.call("POST", "\(base)/orders", headers: ["Idempotency-Key": "k1"], body: body)
            #expect(again.status == 200)
            #expect(try JSONDecoder().decode(PostalOrderResponse.self, from: again.body).waybill == accepted.waybill)

            let other = try await Self.call("POST", "\(base)/orders", headers: ["Idempotency-Key": "k1"], body: try WireJSON.encode(Self.order(cod: 5000)))
            #expect(other.status == 422)
            #expect(other.headers["content-type"] == "application/problem+json")

            let lookup = try await Self.call("GET", "\(base)/orders/\(accepted.waybill)")
            #expect(lookup.status == 200)
            #expect(try await Self.call("GET", "\(base)/orders/EB000000000VN").status == 404)
            #expect(sim.stats.created == 1 && sim.stats.replays == 1 && sim.stats.rejected == 1 && sim.stats.requests == 3)
            #expect(sim.orders.map(\.key) == ["k1"])
        }
    }

    @Test("Post office: each bad field is named in the 422, and nothing is taken")
    func postalValidation() async throws {
        try await withPostal { base, sim in
            var order = Self.order()
            order.orderNumber = "OTHER-PHAT"
            order.receiver.phone = "12345"
            order.sender.ward = " "
            order.cod = -1
            order.notes = String(repeating: "x", count: 1001)
            let answer = try await Self.call("POST", "\(base)/orders", headers: ["Idempotency-Key": "k2"], body: try WireJSON.encode(order))
            #expect(answer.status == 422)
            #expect(Set(answer.fields) == ["orderNumber", "receiver.phone", "sender.ward", "cod", "notes"])
            #expect(answer.problem?.title == "Đơn không hợp lệ")
            let missingKey = try await Self.call("POST", "\(base)/orders", body: try WireJSON.encode(Self.order()))
            #expect(missingKey.status == 400)
            let notJSON = try await Self.call("POST", "\(base)/orders", headers: ["Idempotency-Key": "k3"], body: Data("{".utf8))
            #expect(notJSON.status == 400)
            #expect(sim.orders.isEmpty && sim.stats.created == 0 && sim.stats.rejected == 3)
        }
    }

    @Test("Post office: a wrong API key is a 401; an outage a 503 with Retry-After until it ends")
    func postalGates() async throws {
        try await withPostal(apiKey: "khoa-bcci") { base, sim in
            let body = try WireJSON.encode(Self.order())
            #expect(try await Self.call("POST", "\(base)/orders", headers: ["Idempotency-Key": "k"], body: body).status == 401)
            #expect(try await Self.call("POST", "\(base)/orders", headers: ["Idempotency-Key": "k", "Authorization": "Bearer sai"], body: body).status == 401)
            #expect(try await Self.call("POST", "\(base)/sim/outage").status == 200)
            let down = try await Self.call("POST", "\(base)/orders", headers: ["Idempotency-Key": "k", "Authorization": "Bearer khoa-bcci"], body: body)
            #expect(down.status == 503 && down.headers["retry-after"] == "1")
            #expect(try await Self.call("POST", "\(base)/sim/outage?on=false").status == 200)
            let up = try await Self.call("POST", "\(base)/orders", headers: ["Idempotency-Key": "k", "Authorization": "Bearer khoa-bcci"], body: body)
            #expect(up.status == 201)
            let stats = try JSONDecoder().decode(PostalSim.Stats.self, from: try await Self.call("GET", "\(base)/sim/stats").body)
            #expect(stats.unauthorized == 2 && stats.outageRefusals == 1 && stats.created == 1)
        }
    }

    @Test("UPU S10 identifiers: eight digits, the weighted check digit, the country")
    func s10() {
        // The standard's usual example, RR 473 124 829 GB: weighted sum 200, 11 − 200 mod 11 = 9.
        #expect(S10.identifier(prefix: "RR", number: 47_312_482, country: "GB") == "RR473124829GB")
        #expect(S10.identifier(prefix: "EB", number: 0) == "EB000000005VN", "a remainder of 0 gives 5")
        #expect(S10.identifier(prefix: "EA", number: 123_456_789).dropFirst(2).prefix(8) == "23456789", "taken modulo 10^8")
        #expect(S10.identifier(prefix: "EA", number: -1).dropFirst(2).prefix(8) == "99999999")
    }

    // MARK: National portal

    static let submitted = Date(timeIntervalSince1970: 1_772_420_400)  // 2026-03-02 10:00 +07:00

    static func sync(code: String = "H40.01-260302-0001", version: Int = 1) -> PortalSyncRequest {
        PortalSyncRequest(
            code: code, version: version, procedureCode: "1.001193", procedureName: "Đăng ký khai sinh", agencyID: "H40.01", currentAgencyID: "H40.01",
            applicant: Applicant(name: "Trần Thị Bình", idNumber: "042190000123", phone: "0912345678", address: "Xóm 2"), channel: 1,
            submissionLevel: 4, status: 2, statusName: "Đang xử lý", submittedAt: submitted, receivedAt: submitted,
            dueAt: submitted.addingTimeInterval(3 * 86_400), event: PortalEvent(sequence: version, kind: "received", name: "Tiếp nhận", at: submitted))
    }

    func withPortal(_ body: (String, PortalSim) async throws -> Void) async throws {
        let sim = PortalSim(apiKey: "khoa-cong")
        let (port, task) = await serveOnLoopback(sim.router(), label: "portal-sim")
        defer { task.cancel() }
        try await body("http://127.0.0.1:\(port)", sim)
    }

    static let portalAuth = ["Authorization": "Bearer khoa-cong"]

    func send(_ base: String, _ path: String, key: String, _ body: Data) async throws -> Answer {
        try await Self.call("POST", "\(base)/dossiers/\(path)", headers: Self.portalAuth.merging(["Idempotency-Key": key]) { a, _ in a }, body: body)
    }

    @Test("Portal: versions are taken in order; a replay is answered as the first time; a stale or skipped version is a 409")
    func portalVersions() async throws {
        try await withPortal { base, sim in
            let first = try await send(base, "sync", key: "v1", try WireJSON.encode(Self.sync()))
            #expect(first.status == 200)
            #expect(try JSONDecoder().decode(PortalAnswer.self, from: first.body).isSuccess)
            #expect(try await send(base, "sync", key: "v1", try WireJSON.encode(Self.sync())).status == 200)
            #expect(try await send(base, "sync", key: "v1", try WireJSON.encode(Self.sync(version: 2))).status == 422, "a key reused for another body")
            let skipped = try await send(base, "sync", key: "v3", try WireJSON.encode(Self.sync(version: 3)))
            #expect(skipped.status == 409)
            #expect(skipped.problem?.detail?.contains("out of order") == true)
            #expect(try await send(base, "sync", key: "v2", try WireJSON.encode(Self.sync(version: 2))).status == 200)
            let stale = try await send(base, "sync", key: "v2-again", try WireJSON.encode(Self.sync(version: 2)))
            #expect(stale.status == 409)
            #expect(stale.problem?.title == "Xung đột phiên bản")
            let holding = try #require(sim.holding(code: "H40.01-260302-0001"))
            #expect(holding.versions == [1, 2] && holding.version == 2 && holding.agencyID == "H40.01")
            #expect(sim.stats.accepted == 2 && sim.stats.replays == 1 && sim.stats.stale == 1 && sim.stats.outOfOrder == 1)
        }
    }

    @Test("Portal: each bad field of a whole-dossier message is named")
    func portalValidation() async throws {
        try await withPortal { base, sim in
            var message = Self.sync(code: "H40.01-2603-1")
            message.applicant.idNumber = "12345"
            message.channel = 4
            message.submissionLevel = 1
            message.rating = 6
            message.outcome = "sometime"
            message.event.sequence = 9
            message.finishedAt = Self.submitted.addingTimeInterval(-2 * 86_400)
            message.statusName = ""
            let answer = try await send(base, "sync", key: "bad", try WireJSON.encode(message))
            #expect(answer.status == 422)
            #expect(Set(answer.fields) == [
                "code", "applicant.idNumber", "channel", "submissionLevel", "rating", "outcome", "event.sequence", "finishedAt", "statusName",
            ])
            #expect(sim.holding(code: "H40.01-2603-1") == nil)
            // A date without its offset is a decoding problem naming the field.
            let text = String(decoding: try WireJSON.encode(Self.sync()), as: UTF8.self).replacingOccurrences(of: "+07:00", with: "")
            let undated = try await send(base, "sync", key: "undated", Data(text.utf8))
            #expect(undated.status == 422)
            #expect(try await send(base, "sync", key: "junk", Data("[]".utf8)).status == 422)
        }
    }

    @Test("Portal: progress entries are checked and appended to what the portal holds")
    func portalProgress() async throws {
        try await withPortal { base, sim in
            #expect(try await send(base, "sync", key: "s1", try WireJSON.encode(Self.sync())).status == 200)
            let entry = PortalProgressEntry(
                sequence: 2, step: "transfer", stepName: "Chuyển xử lý", at: Self.submitted.addingTimeInterval(600), agencyID: "H40.01",
                giver: PortalParty(agencyID: "H40.01", officerName: "Cán bộ một cửa"), receiver: PortalParty(agencyID: "H40.01", departmentID: "tp"), status: 2)
            let progress = PortalProgressRequest(code: "H40.01-260302-0001", version: 2, status: 2, entries: [entry])
            #expect(try await send(base, "progress", key: "p2", try WireJSON.encode(progress)).status == 200)
            #expect(sim.holding(code: "H40.01-260302-0001")?.entries == [entry])

            var bad = entry
            bad.step = ""
            bad.status = 11
            bad.sequence = 4
            let refused = try await send(base, "progress", key: "p3", try WireJSON.encode(PortalProgressRequest(code: "H40.01-260302-0001", version: 3, status: 2, entries: [bad])))
            #expect(refused.status == 422)
            #expect(Set(refused.fields) == ["entries[0].step", "entries[0].status", "entries[0].sequence", "entries"])
            let empty = try await send(base, "progress", key: "p4", try WireJSON.encode(PortalProgressRequest(code: "H40.01-260302-0001", version: 3, status: 2, entries: [])))
            #expect(empty.fields == ["entries"])
        }
    }

    @Test("Portal: the holdings of an agency for days, the API key, forgetting a dossier")
    func portalListing() async throws {
        try await withPortal { base, sim in
            #expect(try await send(base, "sync", key: "a", try WireJSON.encode(Self.sync())).status == 200)
            #expect(try await send(base, "sync", key: "b", try WireJSON.encode(Self.sync(code: "H40.01-260302-0002"))).status == 200)
            let listed = try await Self.call("GET", "\(base)/dossiers?agencyID=H40.01&from=2026-03-02&to=2026-03-02", headers: Self.portalAuth)
            #expect(listed.status == 200)
            let holdings = try PortalMessages.decoder.decode(PortalHoldings.self, from: listed.body)
            #expect(holdings.dossiers.map(\.code).sorted() == ["H40.01-260302-0001", "H40.01-260302-0002"])
            let otherDay = try await Self.call("GET", "\(base)/dossiers?agencyID=H40.01&from=2026-03-03&to=2026-03-31", headers: Self.portalAuth)
            #expect(try PortalMessages.decoder.decode(PortalHoldings.self, from: otherDay.body).dossiers.isEmpty)
            #expect(try await Self.call("GET", "\(base)/dossiers?agencyID=H40.01&from=2026-03-03&to=2026-03-01", headers: Self.portalAuth).status == 422)
            #expect(try await Self.call("GET", "\(base)/dossiers?from=2026-03-01&to=2026-03-03", headers: Self.portalAuth).status == 422)
            #expect(try await Self.call("POST", "\(base)/dossiers/sync", headers: ["Idempotency-Key": "x"], body: try WireJSON.encode(Self.sync())).status == 401)
            #expect(try await Self.call("GET", "\(base)/sim/dossiers/H40.01-260302-0002").status == 200)
            #expect(try await Self.call("DELETE", "\(base)/sim/dossiers/H40.01-260302-0002").status == 204)
            #expect(try await Self.call("GET", "\(base)/sim/dossiers/H40.01-260302-0002").status == 404)
            #expect(sim.stats.unauthorized == 1)
        }
    }

    @Test("Dossier codes as the portal checks them", arguments: [
        ("H40.01-260302-0001", true), ("000.15.01.H42-261231-9999", true), ("H40-260302-001", false), ("H40-26030-0001", false),
        ("H40_01-260302-0001", false), ("-260302-0001", false), ("H40-260302-000a", false), ("H40-260302-0001-2", false),
    ])
    func dossierCodes(code: String, valid: Bool) {
        #expect(PortalSim.isDossierCode(code) == valid)
    }

    // MARK: Signing service

    @Test("Signing service: a key per agency, signatures that verify, rotation, the API key and an outage")
    func signing() async throws {
        let sim = SigningSim(apiKey: "khoa-ky")
        let (port, task) = await serveOnLoopback(sim.router(), label: "signing-sim")
        defer { task.cancel() }
        let base = "http://127.0.0.1:\(port)"
        let auth = ["Authorization": "Bearer khoa-ky"]
        #expect(try await Self.call("GET", "\(base)/keys/H40.01").status == 401)
        let keyAnswer = try await Self.call("GET", "\(base)/keys/H40.01", headers: auth)
        let key = try WireJSON.decoder.decode(RemoteSigningKey.self, from: keyAnswer.body)
        let publicKey = try P256.Signing.PublicKey(pemRepresentation: key.publicKey)
        #expect(key.algorithm == "ES256" && key.keyID == ResultSigning.keyID(of: publicKey))
        #expect(try WireJSON.decoder.decode(RemoteSigningKey.self, from: try await Self.call("GET", "\(base)/keys/H40.01", headers: auth).body).keyID == key.keyID)
        #expect(try WireJSON.decoder.decode(RemoteSigningKey.self, from: try await Self.call("GET", "\(base)/keys/H40.02", headers: auth).body).keyID != key.keyID)

        let message = Data("motcua-result-signature-v1\nthử\n".utf8)
        let digest = Data(SHA256.hash(data: message))
        let signed = try await Self.call("POST", "\(base)/sign", headers: auth, body: try WireJSON.encode(RemoteSignRequest(keyID: key.keyID, digest: digest.base64EncodedString())))
        #expect(signed.status == 200)
        let raw = try #require(Data(base64Encoded: try WireJSON.decoder.decode(RemoteSignResponse.self, from: signed.body).signature))
        #expect(publicKey.isValidSignature(try P256.Signing.ECDSASignature(rawRepresentation: raw), for: message))

        let shortDigest = try WireJSON.encode(RemoteSignRequest(keyID: key.keyID, digest: Data(repeating: 1, count: 20).base64EncodedString()))
        #expect(try await Self.call("POST", "\(base)/sign", headers: auth, body: shortDigest).status == 400)
        let unknownKey = try WireJSON.encode(RemoteSignRequest(keyID: "00", digest: digest.base64EncodedString()))
        #expect(try await Self.call("POST", "\(base)/sign", headers: auth, body: unknownKey).status == 400)

        let rotated = try await Self.call("POST", "\(base)/sim/rotate/H40.01")
        let newID = try #require(try JSONDecoder().decode([String: String].self, from: rotated.body)["keyID"])
        #expect(newID != key.keyID)
        #expect(try WireJSON.decoder.decode(RemoteSigningKey.self, from: try await Self.call("GET", "\(base)/keys/H40.01", headers: auth).body).keyID == newID)
        // The retired key still signs what is asked of it by ID (a signature in flight).
        #expect(try await Self.call("POST", "\(base)/sign", headers: auth, body: try WireJSON.encode(RemoteSignRequest(keyID: key.keyID, digest: digest.base64EncodedString()))).status == 200)

        #expect(try await Self.call("POST", "\(base)/sim/outage?on=true").status == 200)
        #expect(try await Self.call("GET", "\(base)/keys/H40.01", headers: auth).status == 503)
        #expect(try await Self.call("POST", "\(base)/sim/outage?on=false").status == 200)
        #expect(try await Self.call("GET", "\(base)/keys/H40.01", headers: auth).status == 200)
        #expect(sim.stats.signatures == 2 && sim.stats.refused == 3)
    }

    // MARK: Notification gateway

    @Test("Gateway: signed deliveries are recorded once; forged ones refused; injected 503s and 400s")
    func gateway() async throws {
        let secret = "whsec_" + Data(repeating: 3, count: 32).base64EncodedString()
        let now = Date(timeIntervalSince1970: 1_780_000_000)
        let sim = GatewaySim(secret: secret, retryAfter: 7, now: { now })
        let (port, task) = await serveOnLoopback(sim.router(), label: "gateway-sim")
        defer { task.cancel() }
        let url = "http://127.0.0.1:\(port)/messages"
        let hooks = try #require(StandardWebhooks(secret: secret))
        let message = NotificationMessage(
            id: "msg_1", kind: "received", dossierCode: "H40.01-260302-0001", recipient: .init(name: "Bình", phone: "0912345678"),
            text: "Hồ sơ H40.01-260302-0001 đã được tiếp nhận.", createdAt: now)
        let body = try WireJSON.encode(message)
        let headers = hooks.headers(id: "msg_1", timestamp: Int(now.timeIntervalSince1970), body: Array(body))

        #expect(try await Self.call("POST", url, headers: headers, body: body).status == 202)
        #expect(try await Self.call("POST", url, headers: headers, body: body).status == 200, "a repeat is acknowledged")
        var forged = headers
        forged["webhook-signature"] = "v1," + Data(repeating: 0, count: 32).base64EncodedString()
        #expect(try await Self.call("POST", url, headers: forged, body: body).status == 401)
        let late = hooks.headers(id: "msg_2", timestamp: Int(now.timeIntervalSince1970) - 600, body: Array(body))
        #expect(try await Self.call("POST", url, headers: late, body: body).status == 401)

        sim.failNext(1)
        let failed = try await Self.call("POST", url, headers: headers, body: body)
        #expect(failed.status == 503 && failed.headers["retry-after"] == "7")
        sim.refuseNext(1)
        #expect(try await Self.call("POST", url, headers: headers, body: body).status == 400)

        let listed = try await Self.call("GET", url)
        let messages = try WireJSON.decoder.decode([NotificationMessage].self, from: listed.body)
        #expect(messages.map(\.id) == ["msg_1"])
        #expect(messages.first?.createdAt == now)
        let snapshot = sim.snapshot
        #expect(snapshot.duplicates == 1 && snapshot.rejectedSignatures == 2 && snapshot.requests == 4)
    }
}

/// The portal stand-in's faults, as the relay's tests use them: refusals that take nothing,
/// answers lost after the message was taken, latency; switched at run time.
@Suite("Portal stand-in: injected faults")
struct PortalSimFaultTests {
    /// The answer's status (-1 when the request timed out) and how long it took. The default
    /// wait is long: 10 s ran out on a machine busy with a release build beside the suite.
    func post(_ base: String, key: String, _ message: PortalSyncRequest, timeout: TimeInterval = 60) async throws -> (Int?, TimeInterval) {
        var request = URLRequest(url: URL(string: "\(base)/dossiers/sync")!)
        request.httpMethod = "POST"
        request.timeoutInterval = timeout
        request.httpBody = try WireJSON.encode(message)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(key, forHTTPHeaderField: "Idempotency-Key")
        let started = Date()
        do {
            let (_, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode, Date().timeIntervalSince(started))
        } catch let error as URLError where error.code == .timedOut {
            return (-1, Date().timeIntervalSince(started))
        }
    }

    @Test("Failures take nothing; a lost answer takes the message (its retry is a replay); latency delays; all switched at run time")
    func faults() async throws {
        var failing = PortalSim.Faults()
        failing.failRate = 1
        let sim = PortalSim(faults: failing)
        let (port, task) = await serveOnLoopback(sim.router(), label: "portal-sim")
        defer { task.cancel() }
        let base = "http://127.0.0.1:\(port)"
        let first = PartnerSimTests.sync(version: 1)

        let (refused, _) = try await post(base, key: "k1", first)
        #expect(refused == 503 && sim.holding(code: first.code) == nil && sim.stats.injectedFailures == 1)

        var lost = PortalSim.Faults()
        lost.lostRate = 1
        lost.hang = .seconds(2)
        sim.setFaults(lost)
        let (answered, _) = try await post(base, key: "k1", first, timeout: 0.5)
        #expect(answered == -1, "the client's request timed out")
        // But the portal takes it (at once on an idle machine; the poll leaves room for a loaded one).
        let deadline = Date().addingTimeInterval(60)
        while sim.holding(code: first.code) == nil, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(sim.holding(code: first.code)?.version == 1, "but the portal took it")
        sim.setFaults(PortalSim.Faults())
        let (replayed, _) = try await post(base, key: "k1", first)
        #expect(replayed == 200 && sim.stats.replays == 1 && sim.holding(code: first.code)?.versions == [1])

        var slow = PortalSim.Faults()
        slow.latency = .milliseconds(400)
        sim.setFaults(slow)
        let (late, took) = try await post(base, key: "k2", PartnerSimTests.sync(version: 2))
        #expect(late == 200 && took >= 0.35)
        #expect(sim.stats.accepted == 2 && sim.stats.injectedLost == 1)
    }
}

/// The gateway stand-in with every delivery failing at random, and without a secret.
@Suite("Gateway stand-in: failing at random, unsigned")
struct GatewaySimModesTests {
    func deliver(_ url: String, id: String, headers: [String: String] = [:]) async throws -> Int {
        let message = NotificationMessage(
            id: id, kind: "received", dossierCode: "C-1", recipient: .init(name: "A", phone: "0912345678"), text: "Hồ sơ C-1.", createdAt: Date(timeIntervalSince1970: 1_780_000_000))
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        request.httpBody = try WireJSON.encode(message)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(id, forHTTPHeaderField: "webhook-id")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    @Test("A fail rate of one answers every delivery 503 and records none")
    func failing() async throws {
        let sim = GatewaySim(secret: nil, failRate: 1, retryAfter: 3)
        let (port, task) = await serveOnLoopback(sim.router(), label: "gateway-failing")
        defer { task.cancel() }
        for index in 0..<5 { #expect(try await deliver("http://127.0.0.1:\(port)/messages", id: "m\(index)") == 503) }
        #expect(sim.snapshot.messages.isEmpty && sim.snapshot.requests == 5)
    }

    @Test("Without a secret, deliveries are taken unsigned, once per id")
    func unsigned() async throws {
        let sim = GatewaySim(secret: nil)
        let (port, task) = await serveOnLoopback(sim.router(), label: "gateway-unsigned")
        defer { task.cancel() }
        let url = "http://127.0.0.1:\(port)/messages"
        #expect(try await deliver(url, id: "m1") == 202)
        #expect(try await deliver(url, id: "m1") == 200)
        #expect(try await deliver(url, id: "m2") == 202)
        #expect(sim.snapshot.messages.map(\.id) == ["m1", "m2"] && sim.snapshot.duplicates == 1 && sim.snapshot.rejectedSignatures == 0)
    }
}

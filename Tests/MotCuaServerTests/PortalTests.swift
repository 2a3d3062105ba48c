import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import Logging
import MotCuaAPI
import MotCuaConfig
import MotCuaCore
import MotCuaSim
import MotCuaStore
import Testing
@testable import MotCuaServer

/// The server, the national portal stand-in on its own loopback port, and relays between them.
struct PortalRig {
    static let portalKey = "portal-forward-key-for-tests"
    let server: TestServer
    let sim: PortalSim
    let url: String
    let simTask: Task<Void, any Error>

    static func start(faults: PortalSim.Faults = .init(), apiKey: String? = "motcua-to-portal") async throws -> PortalRig {
        let sim = PortalSim(apiKey: apiKey, faults: faults)
        let (port, task) = await serveOnLoopback(sim.router(), label: "portal-sim")
        let url = "http://127.0.0.1:\(port)"
        let server = try await TestServer.start { configuration in
            configuration.publicAPI.environmentPortalKey = portalKey
            configuration.portal.url = url
            configuration.portal.apiKey = apiKey
            configuration.portal.timing.backoffSeconds = 0.5
            configuration.portal.timing.maxBackoffSeconds = 4
            configuration.portal.timing.retryHours = 1
            configuration.portal.timing.timeoutSeconds = 1
        }
        return PortalRig(server: server, sim: sim, url: url, simTask: task)
    }

    func stop() async {
        simTask.cancel()
        await server.stop()
    }

    func relay(apiKey: String? = "motcua-to-portal") throws -> PortalRelay {
        var dependencies = server.dependencies
        dependencies.configuration.portal.apiKey = apiKey
        return try #require(PortalRelay(dependencies: dependencies))
    }

    /// Relay passes, the test clock a second on after each, until nothing is left to send (90 s at most).
    func drain(_ relay: PortalRelay) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            await relay.deliverDue(limit: 256)
            server.clock.advance(1)
            if let summary = try await server.store.outboxSummaries().first(where: { $0.outbox == "portal" }), summary.pending == 0 {
                return true
            }
        }
        return false
    }

    /// Our dossier and what the portal holds of it agree: every version once, in order.
    func agrees(_ code: String) async throws -> Bool {
        guard let ours = try await server.store.dossier(code: code), let held = sim.holding(code: code) else { return false }
        return held.versions == Array(1...ours.version) && held.status == ours.status.nationalCode
            && PortalReconciler.same(held.dueAt, ours.dueAt) && held.sync?.agencyID == ours.agencyID
    }
}

@Suite("National portal link")
struct PortalTests {
    @Test("Every change of 500 dossiers reaches the portal exactly once and in order, through 503s, lost answers and a crashed sender")
    func endToEnd() async throws {
        var faults = PortalSim.Faults()
        faults.failRate = 0.2
        faults.lostRate = 0.02
        faults.hang = .milliseconds(1_500)
        faults.latency = .milliseconds(1)
        let rig = try await PortalRig.start(faults: faults)
        let server = rig.server
        let desk = try await server.login(.desk)
        let department = server.dependencies.catalogue.tree.agencies[TestServer.agencyA]!.departments[0].id
        var codes: [String] = []
        for index in 0..<500 {
            let created = try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody(name: "Người Nộp \(index)"))
            let code = try #require(created.json["code"] as? String)
            codes.append(code)
            switch index % 4 {
            case 0: #expect(try await server.request("POST", "/api/v1/dossiers/\(code)/transfer", token: desk, json: ["departmentID": department]).status == 200)
            case 1: #expect(try await server.request("POST", "/api/v1/dossiers/\(code)/refuse", token: desk, json: ["reason": "Thiếu tờ khai"]).status == 200)
            default: break
            }
        }
        let relay = try rig.relay()
        // A sender that dies mid-send: it claimed messages and never recorded what became of them.
        let abandoned = try await server.store.claimDuePortalMessages(now: server.clock.now, lease: 7, limit: 40)
        #expect(abandoned.count == 40)
        #expect(try await rig.drain(relay))
        for code in codes {
            #expect(try await rig.agrees(code), "\(code): \(String(describing: rig.sim.holding(code: code)?.versions))")
        }
        let stats = rig.sim.stats
        #expect(stats.outOfOrder == 0 && stats.stale == 0 && stats.rejected == 0)
        #expect(stats.injectedFailures > 0 && stats.accepted == rig.sim.holdings.map(\.versions.count).reduce(0, +))
        // The figures count every dossier as synced.
        let leader = try await server.login(.leader)
        let figures = try await server.request("GET", "/api/v1/portal/indicators?from=2026-03-02&to=2026-03-02", token: leader)
        let item = try #require((figures.json["items"] as? [[String: Any]])?.first)
        #expect(item["dossiers"] as? Int == 500 && item["synced"] as? Int == 500 && item["syncedPercent"] as? Double == 100)
        #expect(item["medianDelaySeconds"] as? Double != nil && item["p95DelaySeconds"] as? Double != nil)
        // Beside the QĐ 766 figures.
        let indicators = try await server.request("GET", "/api/v1/indicators?period=2026-03", token: leader)
        let values = Dictionary(uniqueKeysWithValues: ((indicators.json["items"] as? [[String: Any]]) ?? []).map { ($0["indicator"] as! String, $0) })
        #expect(values["portalSyncedShare"]?["value"] as? Double == 1 && values["portalSyncedShare"]?["denominator"] as? Double == 500)
        #expect(values["portalSyncDelayMedian"]?["value"] as? Double != nil && values["portalSyncDelayP95"]?["unit"] as? String == "seconds")
        await rig.stop()
    }

    @Test("portal.maxPerSecond spaces the sends: 12 messages at 6 a second take at least 1.8 s, and all arrive in order")
    func paced() async throws {
        let rig = try await PortalRig.start()
        let server = rig.server
        let desk = try await server.login(.desk)
        for index in 0..<6 {
            #expect(try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody(name: "Người \(index)")).status == 201)
        }
        var dependencies = server.dependencies
        dependencies.configuration.portal.maxPerSecond = 6
        let relay = try #require(PortalRelay(dependencies: dependencies))
        let started = ContinuousClock.now
        #expect(try await rig.drain(relay))
        #expect(ContinuousClock.now - started >= .milliseconds(1_800))
        #expect(rig.sim.stats.accepted == 12 && rig.sim.stats.outOfOrder == 0)
        await rig.stop()
    }

    @Test("A refusal is a dead letter that holds back its dossier's later messages; a manual retry resumes them in order")
    func deadLetterAndRetry() async throws {
        let rig = try await PortalRig.start()
        let server = rig.server
        let desk = try await server.login(.desk)
        let created = try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody())
        let code = try #require(created.json["code"] as? String)
        // A wrong key: the portal answers 401, a refusal. (On a loaded machine the relay's 1 s
        // timeout can pass before that answer: a retry, not a refusal; so try again, later.)
        var items: [[String: Any]] = []
        for _ in 0..<10 where items.isEmpty {
            try await rig.relay(apiKey: "wrong").deliverDue()
            let dead = try await server.request("GET", "/api/v1/portal/messages", token: desk)
            items = try #require(dead.json["items"] as? [[String: Any]])
            if items.isEmpty { server.clock.advance(10) }
        }
        try #require(items.count == 1)
        #expect(items[0]["code"] as? String == code && items[0]["version"] as? Int == 1)
        #expect((items[0]["lastError"] as? String)?.hasPrefix("HTTP 401") == true)
        let dossier = try #require(try await server.store.dossier(code: code))
        let waiting = try await server.store.portalMessages(dossierID: dossier.id).dropFirst()
        #expect(!waiting.isEmpty && waiting.allSatisfy { $0.lastError?.contains("waiting behind dead letter") == true })
        #expect(rig.sim.holding(code: code) == nil)

        let id = try #require(items[0]["id"] as? String)
        #expect(try await server.request("POST", "/api/v1/portal/messages/\(id)/retry", token: try await server.login(.handler)).status == 403)
        #expect(try await server.request("POST", "/api/v1/portal/messages/\(id)/retry", token: desk).status == 202)
        #expect(try await server.request("POST", "/api/v1/portal/messages/\(id)/retry", token: desk).status == 409)
        #expect(try await server.request("POST", "/api/v1/portal/messages/nothing.1/retry", token: desk).status == 404)
        #expect(try await rig.drain(try rig.relay()))
        #expect(try await rig.agrees(code))
        await rig.stop()
    }

    @Test("Reconciliation finds what the portal lost, sends it again, and counts what it holds that we do not")
    func reconcile() async throws {
        let rig = try await PortalRig.start()
        let server = rig.server
        let desk = try await server.login(.desk)
        var codes: [String] = []
        for index in 0..<3 {
            let created = try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody(name: "Người \(index)"))
            codes.append(try #require(created.json["code"] as? String))
        }
        let relay = try rig.relay()
        #expect(try await rig.drain(relay))
        rig.sim.forget(code: codes[1])
        let leader = try await server.login(.leader)
        let body: [String: Any] = ["from": "2026-03-02", "to": "2026-03-02"]
        #expect(try await server.request("POST", "/api/v1/portal/reconcile", token: desk, json: body).status == 403)
        #expect(try await server.request("POST", "/api/v1/portal/reconcile", token: leader, json: ["from": "2026-03-02", "to": "hôm qua"]).status == 422)
        let report = try await server.request("POST", "/api/v1/portal/reconcile", token: leader, json: body)
        #expect(report.status == 200, "\(report.text)")
        #expect(report.json["compared"] as? Int == 3 && report.json["inSync"] as? Int == 2 && report.json["missingOnPortal"] as? Int == 1)
        #expect(report.json["unknownToUs"] as? Int == 0 && report.json["resent"] as? Int == 0)
        #expect(try await rig.drain(relay))
        #expect(try await rig.agrees(codes[1]))
        let again = try await server.request("POST", "/api/v1/portal/reconcile", token: leader, json: body)
        #expect(again.json["inSync"] as? Int == 3 && again.json["missingOnPortal"] as? Int == 0)
        await rig.stop()
    }

    @Test("The portal forwards a dossier under its key with its own id: a second forward files nothing and answers the same code")
    func forwarded() async throws {
        let rig = try await PortalRig.start()
        let server = rig.server
        var application = Fixture.application()
        application["portalDossierID"] = "G22.99-2603-000123"
        let key = ["X-API-Key": PortalRig.portalKey]
        let parts = Fixture.birthParts(application)
        let first = try await server.submit(parts, headers: key)
        #expect(first.status == 201, "\(first.text)")
        let code = try #require(first.json["code"] as? String)
        let before = try await server.store.counts()
        let second = try await server.submit(parts, headers: key)
        #expect(second.status == 200 && second.json["code"] as? String == code && second.headers["idempotent-replayed"] == "true")
        // The same id with another body, the id without the portal's key, an unknown procedure: refused, nothing filed.
        var other = application
        other["note"] = "Một nội dung khác"
        #expect(try await server.submit(Fixture.birthParts(other), headers: key).status == 422)
        // The same application with other files is another body too.
        #expect(try await server.submit(Fixture.birthParts(application), headers: key).status == 422)
        let citizen = try await server.submit(Fixture.birthParts(application))
        #expect(citizen.status == 422 && citizen.text.contains("application.portalDossierID"))
        var unknown = application
        unknown["procedureCode"] = "9.999999"
        unknown["portalDossierID"] = "G22.99-2603-000124"
        let refused = try await server.submit(Fixture.birthParts(unknown), headers: key)
        #expect(refused.status == 422 && refused.text.contains("application.procedureCode"))
        let malformed = try await server.request("POST", "/api/v1/public/dossiers", body: Data("{".utf8), headers: key)
        #expect((400..<500).contains(malformed.status) && malformed.headers["content-type"]?.hasPrefix("application/problem+json") == true)
        #expect(try await server.store.counts() == before)
        await rig.stop()
    }
}

@Suite("National portal contract")
struct PortalContractTests {
    /// Checks a JSON value against a schema of the document: types, required and only the
    /// declared properties, enums, bounds and patterns, through `$ref`, `oneOf` and arrays.
    struct Checker {
        let schemas: [String: [String: Any]]

        func problems(_ value: Any?, _ schema: [String: Any], at path: String) -> [String] {
            if let ref = schema["$ref"] as? String {
                guard let resolved = schemas[String(ref.split(separator: "/").last!)] else { return ["\(path): unknown \(ref)"] }
                return problems(value, resolved, at: path)
            }
            if let choices = schema["oneOf"] as? [[String: Any]] {
                return choices.contains { problems(value, $0, at: path).isEmpty } ? [] : ["\(path): matches no choice"]
            }
            let types = (schema["type"] as? [String]) ?? [(schema["type"] as? String) ?? "any"]
            if value == nil || value is NSNull { return types.contains("null") ? [] : ["\(path): null"] }
            if let allowed = schema["enum"] as? [Any], !allowed.contains(where: { "\($0)" == "\(value!)" }) { return ["\(path): \(value!) not in enum"] }
            switch value {
            case let object as [String: Any]:
                guard types.contains("object") else { return ["\(path): object"] }
                let properties = schema["properties"] as? [String: [String: Any]] ?? [:]
                var found = ((schema["required"] as? [String]) ?? []).filter { object[$0] == nil }.map { "\(path).\($0): missing" }
                if schema["additionalProperties"] as? Bool == false {
                    found += object.keys.filter { properties[$0] == nil }.map { "\(path).\($0): undeclared" }
                }
                for (key, item) in object { if let sub = properties[key] { found += problems(item, sub, at: "\(path).\(key)") } }
                return found
            case let array as [Any]:
                guard types.contains("array"), let items = schema["items"] as? [String: Any] else { return ["\(path): array"] }
                if let min = schema["minItems"] as? Int, array.count < min { return ["\(path): fewer than \(min)"] }
                return array.enumerated().flatMap { problems($1, items, at: "\(path)[\($0)]") }
            case let string as String:
                guard types.contains("string") else { return ["\(path): string"] }
                if let min = schema["minLength"] as? Int, string.count < min { return ["\(path): shorter than \(min)"] }
                if let pattern = schema["pattern"] as? String, string.range(of: pattern, options: .regularExpression) == nil {
                    return ["\(path): '\(string)' does not match \(pattern)"]
                }
                if schema["format"] as? String == "date-time", WorkCalendar.parse(string) == nil { return ["\(path): not a date-time"] }
                return []
            case let number as NSNumber:
                guard types.contains("integer") || types.contains("number") || types.contains("boolean") else { return ["\(path): number"] }
                if let min = schema["minimum"] as? Double, number.doubleValue < min { return ["\(path): below \(min)"] }
                if let max = schema["maximum"] as? Double, number.doubleValue > max { return ["\(path): above \(max)"] }
                return []
            default:
                return ["\(path): unexpected \(type(of: value!))"]
            }
        }
    }

    @Test("docs/national-portal.openapi.json describes exactly what the relay sends and what reconciliation reads")
    func document() async throws {
        let data = try Data(contentsOf: repository.appendingPathComponent("docs/national-portal.openapi.json"))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]])
        let paths = try #require(document["paths"] as? [String: Any])
        #expect(Set(paths.keys) == ["/dossiers/sync", "/dossiers/progress", "/dossiers"])
        #expect(Set(PortalMessageKind.allCases.map { "/dossiers/\($0.rawValue)" }).isSubset(of: paths.keys))
        let eventKinds = try #require(((schemas["Event"]?["properties"] as? [String: [String: Any]])?["kind"]?["enum"]) as? [String])
        #expect(Set(eventKinds) == Set(DossierEvent.Kind.allCases.map(\.rawValue)))
        let checker = Checker(schemas: schemas)

        // Real dossiers through every kind of message: intake, hand-offs to a department and a handler, a refusal.
        let rig = try await PortalRig.start()
        let server = rig.server
        let desk = try await server.login(.desk), leader = try await server.login(.leader)
        let agency = server.dependencies.catalogue.tree.agencies[TestServer.agencyA]!
        let handler = "handler@\(TestServer.agencyA)"
        let first = try #require(try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody()).json["code"] as? String)
        #expect(try await server.request("POST", "/api/v1/dossiers/\(first)/transfer", token: desk, json: ["departmentID": agency.departments[0].id]).status == 200)
        #expect(try await server.request("POST", "/api/v1/dossiers/\(first)/assign", token: leader, json: ["handlerID": handler]).status == 200)
        let second = try #require(try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody()).json["code"] as? String)
        #expect(try await server.request("POST", "/api/v1/dossiers/\(second)/refuse", token: desk, json: ["reason": "Thiếu tờ khai"]).status == 200)
        var checked: Set<PortalMessageKind> = []
        for code in [first, second] {
            let dossier = try #require(try await server.store.dossier(code: code))
            let events = try await server.store.events(dossierID: dossier.id)
            for message in try await server.store.portalMessages(dossierID: dossier.id) {
                let body: Data, schema: String
                switch message.kind {
                case .sync: (body, schema) = (try WireJSON.encode(try #require(PortalMessages.sync(events: events, version: message.sequence))), "SyncRequest")
                case .progress: (body, schema) = (try WireJSON.encode(try #require(PortalMessages.progress(events: events, version: message.sequence))), "ProgressRequest")
                }
                let json = try JSONSerialization.jsonObject(with: body)
                #expect(checker.problems(json, ["$ref": "#/components/schemas/\(schema)"], at: "\(code)@\(message.sequence)").isEmpty,
                        "\(checker.problems(json, ["$ref": "#/components/schemas/\(schema)"], at: "\(code)@\(message.sequence)"))")
                checked.insert(message.kind)
            }
        }
        #expect(checked == Set(PortalMessageKind.allCases))
        // The sim's answers and its list are in the document too.
        #expect(try await rig.drain(try rig.relay()))
        var request = URLRequest(url: URL(string: "\(rig.url)/dossiers?agencyID=\(TestServer.agencyA)&from=2026-03-02&to=2026-03-02")!)
        request.setValue("Bearer motcua-to-portal", forHTTPHeaderField: "Authorization")
        let (list, _) = try await URLSession.shared.data(for: request)
        let holdings = try JSONSerialization.jsonObject(with: list)
        #expect(checker.problems(holdings, ["$ref": "#/components/schemas/Holdings"], at: "list").isEmpty)
        #expect(((holdings as? [String: Any])?["dossiers"] as? [Any])?.count == 2)
        let answer = try JSONSerialization.jsonObject(with: WireJSON.encode(PortalAnswer(errorCode: "0", message: "Thành công")))
        #expect(checker.problems(answer, ["$ref": "#/components/schemas/Answer"], at: "answer").isEmpty)
        // A body the schema refuses, the sim refuses too, naming the field.
        let bad: [String: Any] = ["code": "x", "version": 1]
        #expect(!checker.problems(bad, ["$ref": "#/components/schemas/SyncRequest"], at: "bad").isEmpty)
        var post = URLRequest(url: URL(string: "\(rig.url)/dossiers/sync")!)
        post.httpMethod = "POST"
        post.httpBody = try JSONSerialization.data(withJSONObject: bad)
        post.setValue("Bearer motcua-to-portal", forHTTPHeaderField: "Authorization")
        post.setValue("bad.1", forHTTPHeaderField: "Idempotency-Key")
        let (refusal, response) = try await URLSession.shared.data(for: post)
        #expect((response as? HTTPURLResponse)?.statusCode == 422 && String(decoding: refusal, as: UTF8.self).contains("procedureCode"))
        await rig.stop()
    }
}

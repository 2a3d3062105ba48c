import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MotCuaTestSupport
import Testing

/// `portal-sim` as a user runs it.
final class PortalSimProcess {
    let child: Subprocess
    let output: Drain
    let baseURL: URL

    init(port: Int, arguments: [String]) throws {
        child = try Subprocess(
            try builtExecutable("portal-sim").path, ["--port", "\(port)"] + arguments,
            environment: ProcessInfo.processInfo.environment, directory: repositoryRoot, error: false)
        output = Drain(child.output!)
        baseURL = URL(string: "http://127.0.0.1:\(port)")!
    }

    func stats() async -> [String: Any] {
        (try? await fetch(baseURL.appendingPathComponent("sim/stats")).1) ?? [:]
    }

    func holding(_ code: String) async -> [String: Any]? {
        guard let (status, object) = try? await fetch(baseURL.appendingPathComponent("sim/dossiers/\(code)")), status == 200 else { return nil }
        return object
    }

    func setOutage(_ on: Bool) async throws {
        let url = baseURL.appendingPathComponent("sim/outage").appending(queryItems: [.init(name: "on", value: on ? "true" : "false")])
        #expect(try await fetch(url, method: "POST", json: [:]).0 == 200)
    }

    func stop() {
        child.signal(SIGTERM)
        if (try? child.wait(seconds: 30)) == nil { Issue.record("portal-sim did not stop: \(output.text)") }
    }
}

@Suite("National portal link across a crash and an outage", .serialized, .timeLimit(.minutes(6)))
struct PortalCrashTests {
    /// A copy of Config/ whose portal retries come fast.
    static func fastPortalConfig(in directory: URL) throws -> URL {
        let config = directory.appendingPathComponent("config")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("Config"), to: config)
        let main = config.appendingPathComponent("motcua.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: main)) as? [String: Any])
        json["portal"] = ["backoffSeconds": 0.2, "maxBackoffSeconds": 1, "retryHours": 1, "pollSeconds": 0.2, "timeoutSeconds": 1, "window": 16]
        try JSONSerialization.data(withJSONObject: json).write(to: main)
        return config
    }

    @Test("An outage under intakes, then kill -9 mid-send: every change reaches portal-sim exactly once and in order, and its state equals ours")
    func killedMidSend() async throws {
        let data = TestScratch.path("motcua-portal-crash")
        let serverPort = try freePort(), simPort = try freePort()
        let environment = [
            "MOTCUA_PORTAL_URL": "http://127.0.0.1:\(simPort)", "MOTCUA_PORTAL_API_KEY": "khoa-cong",
            "MOTCUA_CONFIG": try Self.fastPortalConfig(in: data.appendingPathComponent("etc")).path,
        ]
        // Every fault at once: 503s, answers lost after the portal took the message, latency.
        let sim = try PortalSimProcess(
            port: simPort, arguments: ["--api-key", "khoa-cong", "--fail-rate", "0.2", "--lost-rate", "0.05", "--hang-ms", "1500", "--latency-ms", "20"])
        defer { sim.stop() }
        #expect(await eventually(60) { (try? await fetch(sim.baseURL.appendingPathComponent("sim/stats")).0) == 200 })
        try await sim.setOutage(true)
        var server = try ServerProcess(dataDirectory: data, port: serverPort, environment: environment)
        try server.waitUntilListening()
        let base = try #require(server.baseURL)
        let password = try #require(server.lines.first { $0.contains("mật khẩu:") }?.split(separator: " ").last.map(String.init))
        let username = try #require(server.lines.first { $0.contains("tên đăng nhập:") }?.split(separator: " ").last.map(String.init))
        let (_, login) = try await fetch(base.appendingPathComponent("api/v1/auth/login"), method: "POST", json: ["username": username, "password": password])
        let token = try #require(login["token"] as? String)
        let (_, me) = try await fetch(base.appendingPathComponent("api/v1/me"), token: token)
        let agencyID = try #require(me["agencyID"] as? String, "\(me)")
        let (_, procedure) = try await fetch(base.appendingPathComponent("api/v1/public/procedures/3.000334"))
        let documents = (procedure["documents"] as? [Any])?.count ?? 1

        func file(_ index: Int) async throws -> String? {
            let (body, type) = PostalCrashTests.application(agencyID: agencyID, index: index, documents: documents)
            var request = URLRequest(url: base.appendingPathComponent("api/v1/public/dossiers"))
            request.httpMethod = "POST"
            request.httpBody = body
            request.setValue(type, forHTTPHeaderField: "Content-Type")
            let (answer, response) = try await URLSession.shared.data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 201, "\(String(decoding: answer, as: UTF8.self))")
            return ((try? JSONSerialization.jsonObject(with: answer)) as? [String: Any])?["code"] as? String
        }
        // Intakes while the portal is down: the outbox grows, nothing is lost, nothing waits on the portal.
        let count = 500
        var codes: [String] = []
        for index in 0..<count / 2 { if let code = try await file(index) { codes.append(code) } }
        #expect(await eventually(30) { (await sim.stats()["outageRefusals"] as? Int ?? 0) >= 1 })
        #expect(await sim.stats()["accepted"] as? Int == 0)
        // The portal comes back while the second half comes in, and the outbox drains by itself;
        // the server is killed (SIGKILL: no goodbye) with messages in flight.
        try await sim.setOutage(false)
        for index in count / 2..<count { if let code = try await file(index) { codes.append(code) } }
        #expect(codes.count == count)
        #expect(await eventually(60) { (await sim.stats()["accepted"] as? Int ?? 0) >= 40 })
        server.child.signal(SIGKILL)
        _ = try server.child.wait(seconds: 30)
        let atCrash = await sim.stats()

        // A restart on the same data: the messages claimed by the dead process go again once their lease ends.
        server = try ServerProcess(dataDirectory: data, port: serverPort, environment: environment)
        defer { server.stop() }
        try server.waitUntilListening()
        let (_, relogin) = try await fetch(base.appendingPathComponent("api/v1/auth/login"), method: "POST", json: ["username": username, "password": password])
        let token2 = try #require(relogin["token"] as? String)
        var ours: [String: (version: Int, status: Int, due: String?)] = [:]
        for code in codes {
            let (_, dossier) = try await fetch(base.appendingPathComponent("api/v1/dossiers/\(code)"), token: token2)
            let status = (dossier["nationalStatus"] as? [String: Any])?["code"] as? Int ?? 0
            ours[code] = (dossier["version"] as? Int ?? 0, status, dossier["dueAt"] as? String)
        }
        let synced = await eventually(150) {
            for code in codes {
                guard let held = await sim.holding(code), held["version"] as? Int == ours[code]?.version else { return false }
            }
            return true
        }
        #expect(synced)
        for code in codes {
            let held = await sim.holding(code) ?? [:]
            let mine = try #require(ours[code])
            #expect(held["versions"] as? [Int] == Array(1...max(mine.version, 1)), "\(code): \(held["versions"] ?? "none")")
            #expect(held["status"] as? Int == mine.status && held["dueAt"] as? String == mine.due)
        }
        let stats = await sim.stats()
        #expect(stats["outOfOrder"] as? Int == 0 && stats["stale"] as? Int == 0 && stats["rejected"] as? Int == 0, "\(stats)")
        #expect((stats["injectedFailures"] as? Int ?? 0) > 0 && (stats["outageRefusals"] as? Int ?? 0) > 0, "\(stats)")
        #expect(stats["accepted"] as? Int == ours.values.map(\.version).reduce(0, +), "\(stats)")

        let day = String(try #require(try await fetch(base.appendingPathComponent("api/v1/dossiers/\(codes[0])"), token: token2).1["submittedAt"] as? String).prefix(10))
        let lastDay = String(try #require(try await fetch(base.appendingPathComponent("api/v1/dossiers/\(codes[count - 1])"), token: token2).1["submittedAt"] as? String).prefix(10))
        // Reconciliation agrees: every dossier in sync once our outbox has recorded the answers
        // that were lost on the way (those count as in flight until then).
        var report: [String: Any] = [:]
        let agreed = await eventually(60) {
            guard let (status, answer) = try? await fetch(
                base.appendingPathComponent("api/v1/portal/reconcile"), method: "POST", token: token2,
                json: ["from": day, "to": lastDay, "agencyID": agencyID]), status == 200 else { return false }
            report = answer
            return answer["inSync"] as? Int == count
        }
        #expect(agreed && report["missingOnPortal"] as? Int == 0 && report["resent"] as? Int == 0, "\(report)")
        print("portal crash: \(count) dossiers, \(stats["accepted"] ?? 0) messages; at the kill the portal had \(atCrash["accepted"] ?? 0); after: \(stats)")
    }
}

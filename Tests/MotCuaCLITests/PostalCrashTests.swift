import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MotCuaTestSupport
import Testing

/// A free loopback port (bound, read, released).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw Subprocess.Failure(description: "socket() failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw Subprocess.Failure(description: "bind() failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// `postal-sim` as a user runs it.
final class PostalSimProcess {
    let child: Subprocess
    let output: Drain
    let baseURL: URL

    init(port: Int, webhookURL: String, secret: String, arguments: [String]) throws {
        child = try Subprocess(
            try builtExecutable("postal-sim").path,
            ["--port", "\(port)", "--webhook-url", webhookURL, "--secret", secret] + arguments,
            environment: ProcessInfo.processInfo.environment, directory: repositoryRoot, error: false)
        output = Drain(child.output!)
        baseURL = URL(string: "http://127.0.0.1:\(port)")!
    }

    func stats() async -> [String: Any] {
        (try? await fetch(baseURL.appendingPathComponent("sim/stats")).1) ?? [:]
    }

    func stop() {
        child.signal(SIGTERM)
        if (try? child.wait(seconds: 30)) == nil { Issue.record("postal-sim did not stop: \(output.text)") }
    }
}

/// Polls `condition` every 50 ms for at most `seconds`.
func eventually(_ seconds: Double, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

@Suite("Post office adapter across a crash", .serialized, .timeLimit(.minutes(5)))
struct PostalCrashTests {
    static let secret = "whsec_" + Data((0..<32).map { UInt8(($0 * 7 + 3) % 256) }).base64EncodedString()

    /// A level-3 application for 3.000334 (criminal record extract) that the post office collects.
    static func application(agencyID: String, index: Int, documents: Int) -> (Data, String) {
        let boundary = "motcua-\(UUID().uuidString)"
        var body = Data()
        func part(_ name: String, _ filename: String?, _ type: String, _ data: Data) {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"".utf8))
            if let filename { body.append(Data("; filename=\"\(filename)\"".utf8)) }
            body.append(Data("\r\nContent-Type: \(type)\r\n\r\n".utf8) + data + Data("\r\n".utf8))
        }
        let application: [String: Any] = [
            "procedureCode": "3.000334", "agencyID": agencyID, "level": 3, "returnMethod": "post", "postalPickup": true,
            "applicant": ["name": "Người nộp \(index)", "idNumber": String(format: "0010900%05d", index), "phone": "0912345678", "address": "Hà Tĩnh"],
            "postalAddress": ["recipient": "Người nộp \(index)", "phone": "0912345678", "street": "Số \(index) đường Trần Phú", "ward": "phường Thành Sen", "province": "tỉnh Hà Tĩnh"],
        ]
        part("application", nil, "application/json", try! JSONSerialization.data(withJSONObject: application))
        for number in 1...documents {
            part("document-\(number)", "giay-to-\(number).pdf", "application/pdf", Data("%PDF-1.7\n% \(index)-\(number)-\(UUID())\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        return (body, "multipart/form-data; boundary=\(boundary)")
    }

    /// A copy of the repository's Config/ whose postal retries come fast (the relay's backoff
    /// would otherwise make the test wait minutes after an outage).
    static func fastRetryConfig(in directory: URL) throws -> URL {
        let config = directory.appendingPathComponent("config")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("Config"), to: config)
        let main = config.appendingPathComponent("motcua.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: main)) as? [String: Any])
        var postal = json["postal"] as? [String: Any] ?? [:]
        postal["backoffSeconds"] = 0.2
        postal["maxBackoffSeconds"] = 1
        // Transient failures are retried for an hour: however long a loaded machine takes to
        // file the test's applications, no order goes dead.
        postal["retryHours"] = 1
        postal["pollSeconds"] = 0.2
        json["postal"] = postal
        try JSONSerialization.data(withJSONObject: json).write(to: main)
        return config
    }

    @Test("The server is killed while orders are in flight: after a restart every order reaches the post office exactly once")
    func killedMidSend() async throws {
        let data = TestScratch.path("motcua-postal-crash")
        let serverPort = try freePort(), simPort = try freePort()
        let environment = [
            "MOTCUA_POSTAL_URL": "http://127.0.0.1:\(simPort)", "MOTCUA_POSTAL_WEBHOOK_SECRET": Self.secret,
            "MOTCUA_CONFIG": try Self.fastRetryConfig(in: data.appendingPathComponent("etc")).path,
        ]
        // The post office takes an order at once but answers 4 s later; it is down while the orders
        // come in. The relay sends 8 at a time, so the 24 orders reach it in three rounds 4 s apart:
        // the kill below lands with orders still unsent even when a loaded machine is slow to see
        // the first ones (at 1.5 s a CI run on 2 busy cores saw all 24 taken before the kill).
        let sim = try PostalSimProcess(
            port: simPort, webhookURL: "http://127.0.0.1:\(serverPort)/postal/webhooks", secret: Self.secret,
            arguments: ["--latency-ms", "4000", "--step-ms", "300"])
        defer { sim.stop() }
        #expect(await eventually(60) { (try? await fetch(sim.baseURL.appendingPathComponent("sim/outage"), method: "POST", json: [:]).0) == 200 })
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

        // Orders pile up while the post office is down.
        let count = 24
        var codes: [String] = []
        for index in 0..<count {
            let (body, type) = Self.application(agencyID: agencyID, index: index, documents: documents)
            var request = URLRequest(url: base.appendingPathComponent("api/v1/public/dossiers"))
            request.httpMethod = "POST"
            request.httpBody = body
            request.setValue(type, forHTTPHeaderField: "Content-Type")
            let (answer, response) = try await URLSession.shared.data(for: request)
            let object = (try? JSONSerialization.jsonObject(with: answer)) as? [String: Any] ?? [:]
            #expect((response as? HTTPURLResponse)?.statusCode == 201, "\(String(decoding: answer, as: UTF8.self))")
            if let code = object["code"] as? String { codes.append(code) }
        }
        #expect(codes.count == count)
        #expect(await eventually(30) { (await sim.stats()["outageRefusals"] as? Int ?? 0) >= 1 })

        // The post office is back; kill the server (SIGKILL: no goodbye) as soon as it has taken
        // the first orders, while their answers are still on the way.
        _ = try await fetch(sim.baseURL.appendingPathComponent("sim/outage").appending(queryItems: [.init(name: "on", value: "false")]), method: "POST", json: [:])
        #expect(await eventually(60) { (await sim.stats()["created"] as? Int ?? 0) >= 1 })
        server.child.signal(SIGKILL)
        _ = try server.child.wait(seconds: 30)
        try await Task.sleep(for: .milliseconds(1600))
        let atCrash = await sim.stats()
        let takenBeforeCrash = atCrash["created"] as? Int ?? 0
        #expect((1..<count).contains(takenBeforeCrash), "\(atCrash)")

        // Restart on the same data and port: the outbox is read again, the same keys are sent again.
        server = try ServerProcess(dataDirectory: data, port: serverPort, environment: environment)
        defer { server.stop() }
        try server.waitUntilListening()
        let (_, relogin) = try await fetch(base.appendingPathComponent("api/v1/auth/login"), method: "POST", json: ["username": username, "password": password])
        let token2 = try #require(relogin["token"] as? String)
        let allSent = await eventually(90) {
            let (_, list) = (try? await fetch(base.appendingPathComponent("api/v1/postal/orders").appending(queryItems: [.init(name: "status", value: "all")]), token: token2)) ?? (0, [:])
            let items = list["items"] as? [[String: Any]] ?? []
            return items.count == count && items.allSatisfy { $0["status"] as? String == "sent" && $0["waybill"] is String }
        }
        #expect(allSent)
        let stats = await sim.stats()
        // Exactly once at the partner: one order per key. An order taken before the crash reaches the
        // restarted server either as a replay of its key (the same waybill) or through its first webhook,
        // whichever comes first; neither creates anything.
        #expect(stats["created"] as? Int == count, "\(stats)")
        #expect((stats["replays"] as? Int ?? 0) <= takenBeforeCrash, "\(stats)")
        // Every dossier has its one waybill, and the parcels reach the desk.
        let arrived = await eventually(90) {
            var waybills: Set<String> = []
            for code in codes {
                let (_, dossier) = (try? await fetch(base.appendingPathComponent("api/v1/dossiers/\(code)"), token: token2)) ?? (0, [:])
                guard let shipment = (dossier["shipments"] as? [[String: Any]])?.first, shipment["status"] as? String == "delivered_to_desk",
                      let waybill = shipment["waybill"] as? String else { return false }
                waybills.insert(waybill)
            }
            return waybills.count == count
        }
        #expect(arrived)
        print("postal crash: \(count) orders, \(takenBeforeCrash) taken by the post office before the kill, partner stats after: \(stats)")
    }

    @Test("motcua postal failed|retry|order and the postal lines of motcua show, against a post office that refuses our key")
    func terminalClient() async throws {
        let data = TestScratch.path("motcua-postal-cli")
        let serverPort = try freePort(), simPort = try freePort()
        let sim = try PostalSimProcess(
            port: simPort, webhookURL: "http://127.0.0.1:\(serverPort)/postal/webhooks", secret: Self.secret,
            arguments: ["--api-key", "khoa-dung", "--step-ms", "100"])
        defer { sim.stop() }
        let server = try ServerProcess(dataDirectory: data, port: serverPort, environment: [
            "MOTCUA_POSTAL_URL": "http://127.0.0.1:\(simPort)", "MOTCUA_POSTAL_WEBHOOK_SECRET": Self.secret, "MOTCUA_POSTAL_API_KEY": "khoa-sai",
        ])
        defer { server.stop() }
        try server.waitUntilListening()
        let base = try #require(server.baseURL)
        let password = try #require(server.lines.first { $0.contains("mật khẩu:") }?.split(separator: " ").last.map(String.init))
        let username = try #require(server.lines.first { $0.contains("tên đăng nhập:") }?.split(separator: " ").last.map(String.init))
        let home = data.appendingPathComponent("home"), work = data.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        func run(_ arguments: [String], input: String? = nil) throws -> CommandResult {
            try motcua(arguments, environment: ["MOTCUA_HOME": home.path, "NO_COLOR": "1", "MOTCUA_LANG": "vi"], directory: work, input: input)
        }
        #expect(try run(["login", "--server", base.absoluteString, "--username", username, "--password-stdin"], input: password + "\n").status == 0)
        let me = try JSONSerialization.jsonObject(with: Data(try run(["whoami", "--json"]).stdout.utf8)) as? [String: Any]
        let agencyID = try #require(me?["agencyID"] as? String, "\(String(describing: me))")
        let (_, procedure) = try await fetch(base.appendingPathComponent("api/v1/public/procedures/3.000334"))
        let (body, type) = Self.application(agencyID: agencyID, index: 1, documents: (procedure["documents"] as? [Any])?.count ?? 1)
        var request = URLRequest(url: base.appendingPathComponent("api/v1/public/dossiers"))
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue(type, forHTTPHeaderField: "Content-Type")
        let (answer, _) = try await URLSession.shared.data(for: request)
        let code = try #require((try JSONSerialization.jsonObject(with: answer) as? [String: Any])?["code"] as? String)
        let order = "\(code)-THU"

        // The post office refuses the key: a dead letter at once.
        #expect(await eventually(60) { (try? run(["postal", "failed"]).stdout.contains(order)) == true })
        let failed = try run(["postal", "failed"])
        #expect(failed.status == 0 && failed.stdout.contains("HTTP 401") && failed.stdout.contains("Lỗi") && failed.stdout.contains("motcua postal retry"))
        let show = try run(["show", code])
        #expect(show.stdout.contains("Bưu chính: Thu gom hồ sơ \(order)") && show.stdout.contains("Đã đặt đơn, chờ gửi bưu điện"), "\(show.stdout)")
        let json = try JSONSerialization.jsonObject(with: Data(try run(["postal", "failed", "--json"]).stdout.utf8)) as? [String: Any]
        #expect((json?["items"] as? [[String: Any]])?.first?["status"] as? String == "dead")

        let retried = try run(["postal", "retry", order])
        #expect(retried.status == 0 && retried.stdout.contains("Đã đưa đơn \(order) vào hàng đợi gửi lại"), "\(retried.stderr)")
        // Still the wrong key: the post office is asked once more, and it dies again.
        #expect(await eventually(60) { await sim.stats()["unauthorized"] as? Int == 2 })
        #expect(await eventually(30) { (try? run(["postal", "failed"]).stdout.contains(order)) == true })
        let unknown = try run(["postal", "retry", "\(code)-KHONG"])
        #expect(unknown.status == 66 && unknown.stderr.hasPrefix("Lỗi: "), "\(unknown.status) \(unknown.stderr)")
        // Ordering again is the desk's step, not the administrator's.
        let notDesk = try run(["postal", "order", code, "--direction", "pickup"])
        #expect(notDesk.status == 77 && notDesk.stderr.hasPrefix("Lỗi: "), "\(notDesk.stderr)")
        #expect(try run(["postal", "order", code, "--direction", "sideways"]).status == 64)
        #expect(try run(["postal", "order", code, "--recipient", "Ai đó"]).status == 64)
        #expect(try run(["postal", "failed", "--status", "lost"]).status == 64)
        let english = try motcua(["postal", "failed", "--lang", "en"], environment: ["MOTCUA_HOME": home.path, "NO_COLOR": "1"], directory: work)
        #expect(english.stdout.contains("Last error") && english.stdout.contains("Failed"), "\(english.stdout)")
    }
}

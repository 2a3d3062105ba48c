import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MotCuaTestSupport
import Testing

/// `motcua serve` as a user runs it: a child process on a loopback port.
final class ServerProcess {
    let child: Subprocess
    let output: Drain
    var lines: [String] = []
    var baseURL: URL?

    init(dataDirectory: URL, demo: Bool = false, port: Int = 0, environment extra: [String: String] = [:]) throws {
        var environment = ProcessInfo.processInfo.environment
        environment["MOTCUA_BCRYPT_COST"] = "4"
        environment["MOTCUA_LOG_LEVEL"] = "info"
        environment.merge(extra) { $1 }
        child = try Subprocess(
            try motcuaExecutable().path, ["serve", "--port", "\(port)", "--data-dir", dataDirectory.path] + (demo ? ["--demo"] : []),
            environment: environment, directory: repositoryRoot, error: false)
        output = Drain(child.output!)
    }

    /// Waits (one minute at most) until the server says where it listens.
    func waitUntilListening() throws {
        let deadline = Date().addingTimeInterval(60)
        while baseURL == nil {
            lines = output.text.split(separator: "\n").map(String.init)
            if let line = lines.first(where: { $0.hasPrefix("MotCua đang chạy tại http://") }),
               let url = line.split(separator: " ").first(where: { $0.hasPrefix("http://") }) {
                baseURL = URL(string: String(url))
                return
            }
            if child.exitStatus != nil { throw Subprocess.Failure(description: "the server exited: \(lines)") }
            if Date() > deadline {
                child.signal(SIGKILL)
                throw Subprocess.Failure(description: "the server did not start within a minute: \(lines)")
            }
            usleep(10_000)
        }
    }

    /// Sends SIGTERM and waits (30 s at most, then SIGKILL and a failure); returns the exit status.
    @discardableResult
    func terminate() throws -> Int32 {
        child.signal(SIGTERM)
        return try child.wait(seconds: 30)
    }

    /// `terminate()` for a `defer`: a server that does not stop is a test failure, not a hang.
    func stop() {
        do { try terminate() } catch { Issue.record("\(error)") }
    }
}

func fetch(_ url: URL, method: String = "GET", token: String? = nil, json: Any? = nil) async throws -> (Int, [String: Any]) {
    var request = URLRequest(url: url)
    request.httpMethod = method
    if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
    if let json {
        request.httpBody = try JSONSerialization.data(withJSONObject: json)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    }
    return try await withCheckedThrowingContinuation { continuation in
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let error { return continuation.resume(throwing: error) }
            let object = (data.flatMap { try? JSONSerialization.jsonObject(with: $0) } as? [String: Any]) ?? [:]
            continuation.resume(returning: ((response as! HTTPURLResponse).statusCode, object))
        }.resume()
    }
}

@Suite("motcua serve", .serialized)
struct ServeCommandTests {
    @Test("Fresh start: creates the database, seeds, prints the admin password once; SIGTERM stops it cleanly; a restart keeps everything")
    func freshStartAndRestart() async throws {
        let data = TestScratch.path("motcua-serve")
        let first = try ServerProcess(dataDirectory: data, demo: true)
        try first.waitUntilListening()
        let base = try #require(first.baseURL)
        #expect(first.lines.contains { $0.contains("tên đăng nhập: admin") })
        let passwordLine = try #require(first.lines.first { $0.hasPrefix("  motcua.songtri") })
        let password = String(passwordLine.split(separator: " ", omittingEmptySubsequences: true)[1])
        #expect(FileManager.default.fileExists(atPath: data.appendingPathComponent("motcua.sqlite").path))
        #expect(try await fetch(base.appendingPathComponent("health/ready")).0 == 200)

        let (status, login) = try await fetch(base.appendingPathComponent("api/v1/auth/login"), method: "POST", json: ["username": "motcua.songtri", "password": password])
        #expect(status == 201)
        let token = try #require(login["token"] as? String)
        let (_, list) = try await fetch(base.appendingPathComponent("api/v1/dossiers"), token: token)
        let total = try #require(list["total"] as? Int)
        #expect(total >= 50, "demo dossiers of this agency: \(total)")
        // Every file a demo dossier lists is in the blob store: the first online one's downloads.
        var downloaded = 0
        for item in (list["items"] as? [[String: Any]]) ?? [] where downloaded == 0 {
            guard let code = item["code"] as? String else { continue }
            let (_, detail) = try await fetch(base.appendingPathComponent("api/v1/dossiers/\(code)"), token: token)
            guard let file = (detail["files"] as? [[String: Any]])?.first, let sha256 = file["sha256"] as? String else { continue }
            let (fileStatus, _) = try await fetch(base.appendingPathComponent("api/v1/dossiers/\(code)/files/\(sha256)"), token: token)
            #expect(fileStatus == 200, "\(code): \(sha256)")
            downloaded += 1
        }
        #expect(downloaded == 1, "no demo dossier on the first page lists a file")
        #expect(try first.terminate() == 0)

        // Second start: same data, no new admin password, the demo dossiers are not duplicated.
        let second = try ServerProcess(dataDirectory: data, demo: true)
        try second.waitUntilListening()
        #expect(!second.lines.contains { $0.contains("tên đăng nhập: admin") })
        let newPassword = String(try #require(second.lines.first { $0.hasPrefix("  motcua.songtri") }).split(separator: " ")[1])
        let (_, again) = try await fetch(second.baseURL!.appendingPathComponent("api/v1/auth/login"), method: "POST", json: ["username": "motcua.songtri", "password": newPassword])
        let (_, listAgain) = try await fetch(second.baseURL!.appendingPathComponent("api/v1/dossiers"), token: again["token"] as? String)
        #expect(listAgain["total"] as? Int == total)
        #expect(try second.terminate() == 0)
    }

    @Test("A port already taken: one sentence naming the address and the setting to change, exit 69, no error line before it")
    func portTaken() async throws {
        let first = try ServerProcess(dataDirectory: TestScratch.path("motcua-serve-first"))
        defer { first.stop() }
        try first.waitUntilListening()
        let port = try #require(first.baseURL?.port)
        let second = try motcua(
            ["serve", "--port", "\(port)", "--data-dir", TestScratch.path("motcua-serve-second").path],
            environment: ["MOTCUA_BCRYPT_COST": "4", "MOTCUA_LOG_LEVEL": "info"])
        #expect(second.status == 69, "\(second.stderr)")
        #expect(second.stderr.contains(
            "Lỗi: Không mở được cổng nghe 127.0.0.1:\(port): địa chỉ này đang được một chương trình khác dùng"), "\(second.stderr)")
        #expect(second.stderr.contains("Gợi ý: Chọn địa chỉ khác bằng --host/--port"), "\(second.stderr)")
        // The watches, cut short as the server stops, say nothing at error level (they did, before the real reason).
        #expect(!(second.stdout + second.stderr).contains(" error "), "\(second.stdout)\(second.stderr)")
        // The first server was not disturbed.
        #expect(try await fetch(try #require(first.baseURL).appendingPathComponent("health/ready")).0 == 200)
    }

    @Test("seed --demo N: a progress bar, N dossiers through the lifecycle in the preset's years, demo logins; bad options are one sentence")
    func seedDemo() async throws {
        let data = TestScratch.path("motcua-seed")
        let environment = ["MOTCUA_BCRYPT_COST": "4"]
        let seeded = try motcua(["seed", "--demo", "60", "--preset", "ha-tinh-2015-2018", "--data-dir", data.path], environment: environment)
        #expect(seeded.status == 0, "\(seeded.stderr)")
        #expect(seeded.stdout.contains("Đã tạo") && seeded.stdout.contains("ha-tinh-2015-2018") && seeded.stdout.contains("motcua.kyanh"))
        #expect(seeded.stderr.contains("Tạo hồ sơ mẫu [") && seeded.stderr.contains("100% 60/60"))

        // The server on the same data: every demo dossier was filed in 2015–2018.
        let server = try ServerProcess(dataDirectory: data)
        try server.waitUntilListening()
        defer { server.stop() }
        let line = try #require(seeded.stdout.split(separator: "\n").first { $0.hasPrefix("  quantri.demo") })
        let password = String(line.split(separator: " ", omittingEmptySubsequences: true)[1])
        let base = try #require(server.baseURL)
        let (_, login) = try await fetch(base.appendingPathComponent("api/v1/auth/login"), method: "POST", json: ["username": "quantri.demo", "password": password])
        let token = try #require(login["token"] as? String)
        var inside = URLComponents(url: base.appendingPathComponent("api/v1/reports"), resolvingAgainstBaseURL: false)!
        inside.queryItems = [URLQueryItem(name: "from", value: "2015-01-01"), URLQueryItem(name: "to", value: "2018-12-31")]
        let (status, report) = try await fetch(inside.url!, token: token)
        let received = ((report["total"] as? [String: Any])?["received"] as? [String: Int]) ?? [:]
        #expect(status == 200 && (50...60).contains(received["total"] ?? 0), "\(report)")
        inside.queryItems = [URLQueryItem(name: "period", value: "2019")]
        let (_, after) = try await fetch(inside.url!, token: token)
        #expect(((after["total"] as? [String: Any])?["received"] as? [String: Int])?["online"] == 0)

        let zero = try motcua(["seed", "--demo", "0", "--data-dir", data.path], environment: environment)
        #expect(zero.status == 64 && zero.stderr.contains("--demo"))
        let preset = try motcua(["seed", "--demo", "5", "--preset", "khong-co", "--data-dir", data.path], environment: environment)
        #expect(preset.status == 64 && preset.stderr.contains("standard"))
    }
}

/// A fresh server's first administrator (its password is printed once at start), logged in; its
/// agency, and how many documents procedure 3.000334 (the tests' online applications) asks for.
struct AdminSession {
    var token: String
    var password: String
    var agencyID: String
    var documents: Int
}

extension ServerProcess {
    func adminSession() async throws -> AdminSession {
        let base = try #require(baseURL)
        let password = try #require(lines.first { $0.contains("mật khẩu:") }?.split(separator: " ").last.map(String.init))
        let (_, login) = try await fetch(base.appendingPathComponent("api/v1/auth/login"), method: "POST", json: ["username": "admin", "password": password])
        let token = try #require(login["token"] as? String)
        let (_, me) = try await fetch(base.appendingPathComponent("api/v1/me"), token: token)
        let (_, procedure) = try await fetch(base.appendingPathComponent("api/v1/public/procedures/3.000334"))
        return AdminSession(
            token: token, password: password, agencyID: try #require(me["agencyID"] as? String),
            documents: (procedure["documents"] as? [Any])?.count ?? 1)
    }
}

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MotCuaTestSupport
import Synchronization
import Testing

/// Online applications acknowledged, each with when its answer came.
final class Acknowledgements: Sendable {
    private let entries = Mutex<[(code: String, at: Date)]>([])
    private let stopped = Mutex(false)

    func add(_ code: String) { entries.withLock { $0.append((code, Date())) } }
    func codes(before instant: Date) -> [String] { entries.withLock { $0.filter { $0.at < instant }.map(\.code) } }
    var count: Int { entries.withLock { $0.count } }
    func stop() { stopped.withLock { $0 = true } }
    var isStopped: Bool { stopped.withLock { $0 } }
}

@Suite("Backup and restore", .serialized)
struct BackupTests {
    @Test("Restore drill: a backup taken while applications with files arrive, restored into a new directory, serves every application acknowledged before it began, with its files")
    func drill() async throws {
        let scratch = TestScratch.path("motcua-backup")
        let data = scratch.appendingPathComponent("data"), restored = scratch.appendingPathComponent("restored")
        let archive = scratch.appendingPathComponent("motcua.tar")
        let server = try ServerProcess(dataDirectory: data)
        defer { server.stop() }
        try server.waitUntilListening()
        let base = try #require(server.baseURL)
        let admin = try await server.adminSession()
        let (password, agencyID, documents) = (admin.password, admin.agencyID, admin.documents)

        // Two clients file online applications, each with its documents, until told to stop.
        let acknowledged = Acknowledgements()
        let clients = (0..<2).map { client in
            Task {
                var index = client
                while !acknowledged.isStopped {
                    let (body, type) = PostalCrashTests.application(agencyID: agencyID, index: index, documents: documents)
                    index += 2
                    var request = URLRequest(url: base.appendingPathComponent("api/v1/public/dossiers"))
                    request.httpMethod = "POST"
                    request.httpBody = body
                    request.setValue(type, forHTTPHeaderField: "Content-Type")
                    guard let (answer, response) = try? await URLSession.shared.data(for: request),
                          (response as? HTTPURLResponse)?.statusCode == 201,
                          let code = (try? JSONSerialization.jsonObject(with: answer) as? [String: Any])?["code"] as? String
                    else { continue }
                    acknowledged.add(code)
                }
            }
        }
        while acknowledged.count < 20 { try await Task.sleep(for: .milliseconds(50)) }
        let began = Date()
        let backup = try motcua(["backup", "--data-dir", data.path, "--to", archive.path])
        let during = acknowledged.count
        acknowledged.stop()
        for client in clients { await client.value }
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(backup.stdout.contains("Đã sao lưu") && backup.stderr.contains("100%"), "progress and a summary: \(backup.stdout) \(backup.stderr)")
        let before = acknowledged.codes(before: began)
        #expect(before.count >= 20)

        // A second backup to the same name, and a restore into a non-empty directory, are refused.
        #expect(try motcua(["backup", "--data-dir", data.path, "--to", archive.path]).status == 65)
        let restore = try motcua(["restore", "--from", archive.path, "--data-dir", restored.path])
        #expect(restore.status == 0, "\(restore.stderr)")
        #expect(restore.stdout.contains("integrity_check: ok"))
        #expect(try motcua(["restore", "--from", archive.path, "--data-dir", restored.path]).status == 65)

        // A server on the restored directory has every application acknowledged before the
        // backup began, with each of its files, byte for byte what the blob's name says.
        let second = try ServerProcess(dataDirectory: restored)
        defer { second.stop() }
        try second.waitUntilListening()
        let restoredBase = try #require(second.baseURL)
        let (_, again) = try await fetch(restoredBase.appendingPathComponent("api/v1/auth/login"), method: "POST", json: ["username": "admin", "password": password])
        let restoredToken = try #require(again["token"] as? String)
        var files = 0
        for code in before {
            let (status, dossier) = try await fetch(restoredBase.appendingPathComponent("api/v1/dossiers/\(code)"), token: restoredToken)
            #expect(status == 200, "\(code) is missing after the restore")
            let stored = (dossier["files"] as? [[String: Any]] ?? []).compactMap { $0["sha256"] as? String }
            #expect(stored.count == documents, "\(code): \(stored.count) files")
            for sha256 in stored {
                var request = URLRequest(url: restoredBase.appendingPathComponent("api/v1/dossiers/\(code)/files/\(sha256)"))
                request.setValue("Bearer \(restoredToken)", forHTTPHeaderField: "Authorization")
                let (bytes, response) = try await URLSession.shared.data(for: request)
                #expect((response as? HTTPURLResponse)?.statusCode == 200 && bytes.starts(with: Data("%PDF".utf8)), "\(code)/\(sha256)")
                files += 1
            }
        }
        print("restore drill: \(before.count) applications acknowledged before the backup began (\(during) by its end), \(files) files, all restored")

        // A damaged archive restores nothing.
        let damaged = scratch.appendingPathComponent("damaged.tar")
        try Data(try Data(contentsOf: archive).prefix(200_000)).write(to: damaged)
        let refused = try motcua(["restore", "--from", damaged.path, "--data-dir", scratch.appendingPathComponent("other").path])
        #expect(refused.status == 65 && refused.stderr.contains("Bản sao lưu hỏng"))
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: scratch.appendingPathComponent("other").path)) ?? []).isEmpty)
    }

    @Test("On PostgreSQL, motcua backup says in one sentence which PostgreSQL tools to use, and writes nothing")
    func postgresBackend() throws {
        let target = TestScratch.path("motcua-backup-pg").appendingPathComponent("b.tar")
        let refused = try motcua(
            ["backup", "--to", target.path],
            environment: ["MOTCUA_STORAGE_BACKEND": "postgres", "MOTCUA_DATABASE_URL": "postgres://motcua@127.0.0.1:1/motcua"])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("pg_basebackup") && refused.stderr.contains("pg_dump"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: target.path))
    }
}

@Suite("Metrics on a listener of their own")
struct MetricsListenerTests {
    @Test("With metrics.port, /metrics is served there (the exposition), and the main listener no longer has it")
    func ownListener() async throws {
        let port = try freePort()
        let server = try ServerProcess(dataDirectory: TestScratch.path("motcua-metrics-port"), environment: ["MOTCUA_METRICS_PORT": "\(port)"])
        defer { server.stop() }
        try server.waitUntilListening()
        let base = try #require(server.baseURL)
        var request = URLRequest(url: base.appendingPathComponent("metrics"))
        let (_, main) = try await URLSession.shared.data(for: request)
        #expect((main as? HTTPURLResponse)?.statusCode == 404)
        request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/metrics")!)
        var answer: (Data, URLResponse)?
        for _ in 0..<50 where answer == nil {
            answer = try? await URLSession.shared.data(for: request)
            if answer == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let (body, response) = try #require(answer)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.contains("# TYPE motcua_http_requests_total counter") && text.contains("motcua_build_info"))
        #expect(text.contains("motcua_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1"), "the main listener's 404 was counted")
    }
}

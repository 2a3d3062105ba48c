import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import MotCuaPostgres
import MotCuaTestSupport
import Testing

/// The PostgreSQL server the tests may use (`scripts/with-postgres.sh` starts one; CI always does).
let testPostgresURL = ProcessInfo.processInfo.environment["MOTCUA_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
/// One argument when a server is there, none otherwise: the cases below run wherever PostgreSQL
/// does (the store suite's `postgresRunsInCI` makes CI fail without it).
let postgresServers: [String] = testPostgresURL.map { [$0] } ?? []
/// A cluster of its own for the test that restarts it.
let restartablePostgresServers: [String] =
    ProcessInfo.processInfo.environment["MOTCUA_TEST_RESTART_DATABASE_URL"].flatMap { $0.isEmpty ? nil : [$0] } ?? []

/// A new, empty database on the test server; its URL.
func scratchPostgresDatabase(_ adminURL: String) async throws -> String {
    let name = "motcua_cli_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
    return try await PostgresAdmin.createDatabase(adminURL: adminURL, name: name)
}

@Suite("motcua serve on PostgreSQL", .serialized, .timeLimit(.minutes(6)))
struct PostgresServeTests {
    /// Runs `motcua serve` with the PostgreSQL backend and `url`; it must refuse to start.
    func refusal(_ url: String) throws -> CommandResult {
        try motcua(
            ["serve", "--port", "0", "--data-dir", TestScratch.path("motcua-pg-refused").path],
            environment: ["MOTCUA_STORAGE_BACKEND": "postgres", "MOTCUA_DATABASE_URL": url, "MOTCUA_BCRYPT_COST": "4"])
    }

    @Test("A URL that cannot be read, or a server that is not there: one sentence naming the setting, exit 78 or 74, nothing started")
    func badURLOrNoServer() throws {
        let bad = try refusal("mysql://user@127.0.0.1/db")
        #expect(bad.status == 78, "\(bad.stderr)")
        #expect(bad.stderr.contains("storage.postgresURL (MOTCUA_DATABASE_URL) không hợp lệ"), "\(bad.stderr)")
        let port = try freePort()
        let started = Date()
        let absent = try refusal("postgres://motcua:x@127.0.0.1:\(port)/motcua")
        #expect(absent.status == 74, "\(absent.stderr)")
        #expect(absent.stderr.contains("Không kết nối được máy chủ PostgreSQL ghi trong storage.postgresURL"), "\(absent.stderr)")
        #expect(!absent.stdout.contains("MotCua đang chạy"))
        #expect(Date().timeIntervalSince(started) < 30)
        let missing = try motcua(
            ["serve", "--port", "0", "--data-dir", TestScratch.path("motcua-pg-refused").path], environment: ["MOTCUA_STORAGE_BACKEND": "postgres"])
        #expect(missing.status == 78 && missing.stderr.contains("storage.postgresURL"), "\(missing.stderr)")
    }

    @Test("Wrong credentials or an unknown database: one sentence naming the setting, exit 74", arguments: postgresServers)
    func wrongCredentials(adminURL: String) throws {
        var components = try #require(URLComponents(string: adminURL))
        components.password = "not-the-password"
        let wrong = try refusal(components.string!)
        #expect(wrong.status == 74 && wrong.stderr.contains("PostgreSQL từ chối tên đăng nhập hoặc mật khẩu"), "\(wrong.stderr)")
        components = try #require(URLComponents(string: adminURL))
        components.path = "/khong_co_csdl_nay"
        let unknown = try refusal(components.string!)
        #expect(unknown.status == 74 && unknown.stderr.contains("không có cơ sở dữ liệu"), "\(unknown.stderr)")
    }

    @Test(
        "Two instances on one database: intakes through both, one killed mid-load; every acknowledged intake is readable through the other, no code is issued twice, every postal order is taken once, every change reaches the portal once and in order",
        arguments: postgresServers)
    func twoInstances(adminURL: String) async throws {
        let url = try await scratchPostgresDatabase(adminURL)
        // The instances share the data directory (the access key and the uploaded files), as
        // they share a volume in docker/compose.yaml.
        let data = TestScratch.path("motcua-pg-two")
        let portA = try freePort(), portB = try freePort(), simPort = try freePort(), portalPort = try freePort()
        let environment = [
            "MOTCUA_STORAGE_BACKEND": "postgres", "MOTCUA_DATABASE_URL": url, "MOTCUA_PORTAL_URL": "http://127.0.0.1:\(portalPort)",
            "MOTCUA_POSTAL_URL": "http://127.0.0.1:\(simPort)", "MOTCUA_POSTAL_WEBHOOK_SECRET": PostalCrashTests.secret,
            "MOTCUA_CONFIG": try PostalCrashTests.fastRetryConfig(in: data.appendingPathComponent("etc")).path,
        ]
        // Webhooks go to B, the instance that lives.
        let sim = try PostalSimProcess(
            port: simPort, webhookURL: "http://127.0.0.1:\(portB)/postal/webhooks", secret: PostalCrashTests.secret,
            arguments: ["--latency-ms", "200", "--step-ms", "300"])
        defer { sim.stop() }
        // Both instances send the national portal every change, through 10% of 503s.
        let portal = try PortalSimProcess(port: portalPort, arguments: ["--fail-rate", "0.1", "--latency-ms", "20"])
        defer { portal.stop() }
        // Both start together on the empty database: the migrations and the first administrator happen once.
        let a = try ServerProcess(dataDirectory: data, port: portA, environment: environment)
        let b = try ServerProcess(dataDirectory: data, port: portB, environment: environment)
        defer { b.stop() }
        // A is killed below; if the test fails before that, it must not outlive it.
        defer { a.child.signal(SIGKILL) }
        try a.waitUntilListening()
        try b.waitUntilListening()
        let announced = (a.lines + b.lines).filter { $0.contains("mật khẩu:") }
        #expect(announced.count == 1, "\(a.lines) \(b.lines)")
        let password = try #require(announced.first?.split(separator: " ").last.map(String.init))
        let baseA = try #require(a.baseURL), baseB = try #require(b.baseURL)

        // A session opened on A is honoured by B, and a logout on B ends it for A.
        let (_, loginA) = try await fetch(baseA.appendingPathComponent("api/v1/auth/login"), method: "POST", json: ["username": "admin", "password": password])
        let token = try #require(loginA["token"] as? String)
        let (meStatus, me) = try await fetch(baseB.appendingPathComponent("api/v1/me"), token: token)
        #expect(meStatus == 200)
        let agencyID = try #require(me["agencyID"] as? String)
        let (_, spare) = try await fetch(baseB.appendingPathComponent("api/v1/auth/login"), method: "POST", json: ["username": "admin", "password": password])
        let spareToken = try #require(spare["token"] as? String)
        #expect(try await fetch(baseA.appendingPathComponent("api/v1/me"), token: spareToken).0 == 200)
        #expect(try await fetch(baseB.appendingPathComponent("api/v1/auth/logout"), method: "POST", token: spareToken).0 == 204)
        let loggedOut = Date()
        // A cached the session before the logout, for 5 s at most: no request sent later than
        // that may be accepted. (Measured by when each request was sent, not when its answer
        // came: on a loaded machine an answer can take a while.)
        var lastAccepted: TimeInterval = 0
        var refused = false
        while !refused && Date().timeIntervalSince(loggedOut) < 10 {
            let asked = Date()
            if try await fetch(baseA.appendingPathComponent("api/v1/me"), token: spareToken).0 == 401 {
                refused = true
            } else {
                lastAccepted = asked.timeIntervalSince(loggedOut)
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(refused && lastAccepted <= 5.05, "A accepted the ended session in a request sent \(lastAccepted) s after B's logout")
        let (_, procedure) = try await fetch(baseB.appendingPathComponent("api/v1/public/procedures/3.000334"))
        let documents = (procedure["documents"] as? [Any])?.count ?? 1

        // Four clients file through both instances; A is killed once a third of the intakes are in.
        let total = 60
        let acknowledged = AcknowledgedCodes()
        let killed = Killswitch()
        let childA = a.child
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<4 {
                group.addTask {
                    for index in stride(from: client, to: total, by: 4) {
                        let useA = index % 2 == 0 && !killed.isSet
                        let (body, type) = PostalCrashTests.application(agencyID: agencyID, index: index, documents: documents)
                        var request = URLRequest(url: (useA ? baseA : baseB).appendingPathComponent("api/v1/public/dossiers"))
                        request.httpMethod = "POST"
                        request.httpBody = body
                        request.setValue(type, forHTTPHeaderField: "Content-Type")
                        request.timeoutInterval = 30
                        guard let (answer, response) = try? await URLSession.shared.data(for: request) else { continue }
                        let object = (try? JSONSerialization.jsonObject(with: answer)) as? [String: Any] ?? [:]
                        if (response as? HTTPURLResponse)?.statusCode == 201, let code = object["code"] as? String {
                            if acknowledged.append(code, viaA: useA) >= total / 3, !killed.isSet {
                                killed.set()
                                childA.signal(SIGKILL)
                            }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        _ = try a.child.wait(seconds: 30)
        let codes = acknowledged.codes
        #expect(Set(codes).count == codes.count, "a code was issued twice")
        #expect(acknowledged.viaA > 0 && codes.count > acknowledged.viaA)

        // Every acknowledged intake is readable through B.
        for code in codes {
            let (status, dossier) = try await fetch(baseB.appendingPathComponent("api/v1/dossiers/\(code)"), token: token)
            #expect(status == 200 && dossier["code"] as? String == code, "\(code): \(status)")
        }
        // Every order (of every dossier the database holds, acknowledged or not) reaches the post
        // office exactly once: B takes over what A had claimed once A's lease has run out.
        let allSent = await eventually(120) {
            let (_, list) = (try? await fetch(
                baseB.appendingPathComponent("api/v1/postal/orders").appending(queryItems: [.init(name: "status", value: "all")]),
                token: token)) ?? (0, [:])
            let items = list["items"] as? [[String: Any]] ?? []
            return items.count >= codes.count && items.allSatisfy { $0["status"] as? String == "sent" }
        }
        #expect(allSent)
        let (_, list) = try await fetch(
            baseB.appendingPathComponent("api/v1/postal/orders").appending(queryItems: [.init(name: "status", value: "all")]), token: token)
        let orders = list["items"] as? [[String: Any]] ?? []
        let stats = await sim.stats()
        #expect(stats["created"] as? Int == orders.count, "\(stats)")
        let (_, listed) = try await fetch(baseB.appendingPathComponent("api/v1/dossiers").appending(queryItems: [.init(name: "limit", value: "200")]), token: token)
        let stored = (listed["items"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
        #expect(Set(stored).isSuperset(of: codes) && Set(stored).count == stored.count)
        // Every change of every stored dossier reaches the portal once and in order, whichever
        // instance sent it (A's claims pass to B when their lease runs out).
        // The post office keeps reporting on parcels for a moment after their orders are sent, so
        // each dossier's version is read again until the portal holds that very version.
        var versions: [String: Int] = [:]
        let synced = await eventually(120) {
            for code in stored {
                guard let version = (try? await fetch(baseB.appendingPathComponent("api/v1/dossiers/\(code)"), token: token))?.1["version"] as? Int,
                      let held = await portal.holding(code), held["version"] as? Int == version
                else { return false }
                versions[code] = version
            }
            return true
        }
        #expect(synced)
        for (code, version) in versions {
            let held = await portal.holding(code)
            #expect(held?["versions"] as? [Int] == Array(1...max(version, 1)), "\(code): version \(version), the portal holds \(held?["versions"] ?? "nothing")")
        }
        let portalStats = await portal.stats()
        #expect(portalStats["outOfOrder"] as? Int == 0 && portalStats["stale"] as? Int == 0, "\(portalStats)")
        #expect(portalStats["accepted"] as? Int == versions.values.reduce(0, +), "\(portalStats)")
        print("two instances: \(codes.count) acknowledged (\(acknowledged.viaA) through A before the kill), \(stored.count) stored, \(orders.count) postal orders, partner: \(stats)")
    }

    @Test("PostgreSQL restarts mid-load: requests answer 503 or succeed, never hang; readiness follows; nothing acknowledged is lost", arguments: restartablePostgresServers)
    func databaseRestart(adminURL: String) async throws {
        let restart = try #require(ProcessInfo.processInfo.environment["MOTCUA_PG_RESTART"], "scripts/with-postgres.sh exports MOTCUA_PG_RESTART")
        let url = try await scratchPostgresDatabase(adminURL)
        let data = TestScratch.path("motcua-pg-restart")
        let server = try ServerProcess(dataDirectory: data, environment: ["MOTCUA_STORAGE_BACKEND": "postgres", "MOTCUA_DATABASE_URL": url])
        defer { server.stop() }
        try server.waitUntilListening()
        let base = try #require(server.baseURL)
        let admin = try await server.adminSession()
        let (token, agencyID, documents) = (admin.token, admin.agencyID, admin.documents)

        let acknowledged = AcknowledgedCodes()
        let statuses = StatusCounts()
        let restarted = Killswitch()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await Task.sleep(for: .milliseconds(800))
                let process = try Subprocess(restart, [], environment: ProcessInfo.processInfo.environment, directory: repositoryRoot, error: false)
                #expect(try process.wait(seconds: 90) == 0)
                restarted.set()
            }
            for client in 0..<3 {
                group.addTask {
                    var index = client
                    // Load until the restart is over, then a few more.
                    while !restarted.isSet || index < client + 3 * 60 {
                        let (body, type) = PostalCrashTests.application(agencyID: agencyID, index: index, documents: documents)
                        index += 3
                        var request = URLRequest(url: base.appendingPathComponent("api/v1/public/dossiers"))
                        request.httpMethod = "POST"
                        request.httpBody = body
                        request.setValue(type, forHTTPHeaderField: "Content-Type")
                        request.timeoutInterval = 40
                        let started = Date()
                        guard let (answer, response) = try? await URLSession.shared.data(for: request) else {
                            statuses.add(0, seconds: Date().timeIntervalSince(started))
                            continue
                        }
                        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                        statuses.add(status, seconds: Date().timeIntervalSince(started))
                        if status == 201, let code = ((try? JSONSerialization.jsonObject(with: answer)) as? [String: Any])?["code"] as? String {
                            _ = acknowledged.append(code, viaA: false)
                        }
                        if index > 3 * 400 { break }
                    }
                }
            }
            try await group.waitForAll()
        }
        let seen = statuses.counts
        // Only successes and 503 problems: no 500, no dropped connection, nothing past the documented 15 s.
        #expect(Set(seen.keys).isSubset(of: [201, 503]), "\(seen)")
        #expect(statuses.slowest < 20, "slowest answer \(statuses.slowest) s")
        #expect(await eventually(30) { (try? await fetch(base.appendingPathComponent("health/ready")).0) == 200 })
        for code in acknowledged.codes {
            let (status, _) = try await fetch(base.appendingPathComponent("api/v1/dossiers/\(code)"), token: token)
            #expect(status == 200, "\(code)")
        }
        print("database restart: answers \(seen), slowest \(String(format: "%.1f", statuses.slowest)) s, \(acknowledged.codes.count) acknowledged, all readable")
    }

    @Test("migrate-store killed (SIGKILL) in the middle of the copy: the target keeps nothing of it, and a second run copies it whole",
          arguments: postgresServers)
    func migrateStoreKilled(adminURL: String) async throws {
        let data = TestScratch.path("motcua-migrate-killed")
        let seeded = try motcua(["seed", "--demo", "1500", "--data-dir", data.path], environment: ["MOTCUA_BCRYPT_COST": "4"])
        #expect(seeded.status == 0, "\(seeded.stderr)")
        let sqlite = data.appendingPathComponent("motcua.sqlite").path
        let url = try await scratchPostgresDatabase(adminURL)
        // 100 rows a batch: the control sheets alone take a hundred round trips, time enough to be
        // killed in after the dossiers went over.
        let copy = try Subprocess(
            try motcuaExecutable().path, ["migrate-store", "--from", "sqlite:\(sqlite)", "--to", url, "--batch", "100"],
            environment: ProcessInfo.processInfo.environment, directory: repositoryRoot, output: false)
        let progress = Drain(try #require(copy.error))
        let deadline = Date().addingTimeInterval(120)
        while !progress.text.contains("dossier_events [") && copy.exitStatus == nil && Date() < deadline { usleep(5_000) }
        copy.signal(SIGKILL)
        let status = try copy.wait(seconds: 30)
        try #require(status == 128 + SIGKILL, "the copy ended before it was killed (\(status)): \(progress.text)")
        #expect(progress.text.contains("dossiers ["), "the dossiers were sent before the kill: \(progress.text)")

        // Nothing of it was kept: the copy runs again into the same database (a target holding any row is refused).
        let again = try motcua(["migrate-store", "--from", "sqlite:\(sqlite)", "--to", url])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("Mã kiểm tra phiếu kiểm soát") && !again.stdout.contains("KHÔNG KHỚP"), "\(again.stdout)")
        let dossierLine = try #require(again.stdout.split(separator: "\n").first { $0.hasPrefix("dossiers ") })
        let fields = dossierLine.split(separator: " ", omittingEmptySubsequences: true)
        #expect(fields.count >= 3 && fields[1] == fields[2] && (Int(fields[1]) ?? 0) >= 1_000, "\(dossierLine)")
    }

    @Test(
        "migrate-store: a seeded SQLite database moves into an empty PostgreSQL database, counted and checksummed; a non-empty target is refused; the server on it shows the same dossiers",
        arguments: postgresServers)
    func migrateStore(adminURL: String) async throws {
        let data = TestScratch.path("motcua-migrate-store")
        let environment = ["MOTCUA_BCRYPT_COST": "4"]
        let seeded = try motcua(["seed", "--demo", "80", "--data-dir", data.path], environment: environment)
        #expect(seeded.status == 0, "\(seeded.stderr)")
        let line = try #require(seeded.stdout.split(separator: "\n").first { $0.hasPrefix("  quantri.demo") })
        let password = String(line.split(separator: " ", omittingEmptySubsequences: true)[1])
        let sqlite = data.appendingPathComponent("motcua.sqlite").path
        let url = try await scratchPostgresDatabase(adminURL)

        let copied = try motcua(["migrate-store", "--from", "sqlite:\(sqlite)", "--to", url, "--batch", "100"])
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect(copied.stdout.contains("Mã kiểm tra phiếu kiểm soát") && !copied.stdout.contains("KHÔNG KHỚP"), "\(copied.stdout)")
        #expect(copied.stdout.contains("dossier_events") && copied.stderr.contains("100%"))
        // The planner's statistics follow the copy (a fresh copy was planned for empty tables).
        #expect(copied.stdout.contains("VACUUM ANALYZE"), "\(copied.stdout)")
        let dossierLine = try #require(copied.stdout.split(separator: "\n").first { $0.hasPrefix("dossiers ") })
        let fields = dossierLine.split(separator: " ", omittingEmptySubsequences: true)
        #expect(fields.count >= 3 && fields[1] == fields[2] && (Int(fields[1]) ?? 0) >= 60, "\(dossierLine)")

        let again = try motcua(["migrate-store", "--from", "sqlite:\(sqlite)", "--to", url])
        #expect(again.status == 65 && again.stderr.contains("đã có dữ liệu"), "\(again.stderr)")
        let missing = try motcua(["migrate-store", "--from", "sqlite:/khong/co/tep.sqlite", "--to", url])
        #expect(missing.status == 66, "\(missing.stderr)")
        // A source with a broken row: one sentence with PostgreSQL's reason, and nothing kept.
        let broken = TestScratch.path("motcua-migrate-broken").appendingPathComponent("motcua.sqlite").path
        try FileManager.default.createDirectory(atPath: (broken as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: sqlite, toPath: broken)
        try breakForeignKey(broken)
        let emptyTarget = try await scratchPostgresDatabase(adminURL)
        let refused = try motcua(["migrate-store", "--from", "sqlite:\(broken)", "--to", emptyTarget])
        #expect(refused.status == 65 && refused.stderr.contains("từ chối") && refused.stderr.contains("foreign key"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("PSQLError"))
        let retried = try motcua(["migrate-store", "--from", "sqlite:\(sqlite)", "--to", emptyTarget])
        #expect(retried.status == 0, "the refused copy left its target empty: \(retried.stderr)")

        // The same dossiers, page for page, through a server on each.
        func listing(_ extra: [String: String], dataDirectory: URL) async throws -> [String] {
            let server = try ServerProcess(dataDirectory: dataDirectory, environment: extra)
            defer { server.stop() }
            try server.waitUntilListening()
            let base = try #require(server.baseURL)
            let (_, login) = try await fetch(base.appendingPathComponent("api/v1/auth/login"), method: "POST", json: ["username": "quantri.demo", "password": password])
            let token = try #require(login["token"] as? String)
            let (_, list) = try await fetch(base.appendingPathComponent("api/v1/dossiers").appending(queryItems: [.init(name: "limit", value: "200")]), token: token)
            var lines: [String] = []
            for item in list["items"] as? [[String: Any]] ?? [] {
                let code = item["code"] as? String ?? ""
                let (_, detail) = try await fetch(base.appendingPathComponent("api/v1/dossiers/\(code)"), token: token)
                let events = (detail["events"] as? [[String: Any]] ?? []).map { "\($0["kind"] ?? "")@\($0["at"] ?? "")" }
                lines.append("\(code) \(detail["status"] ?? "") \(detail["dueAt"] ?? "") \(events.joined(separator: ","))")
            }
            return lines
        }
        let before = try await listing([:], dataDirectory: data)
        let after = try await listing(["MOTCUA_STORAGE_BACKEND": "postgres", "MOTCUA_DATABASE_URL": url], dataDirectory: TestScratch.path("motcua-migrated"))
        #expect(before.count >= 20)
        #expect(before == after)
    }
}

final class AcknowledgedCodes: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    private var throughA = 0

    /// Records an acknowledged code; returns how many there are.
    func append(_ code: String, viaA: Bool) -> Int {
        lock.withLock {
            list.append(code)
            if viaA { throughA += 1 }
            return list.count
        }
    }

    var codes: [String] { lock.withLock { list } }
    var viaA: Int { lock.withLock { throughA } }
}

final class Killswitch: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

final class StatusCounts: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [Int: Int] = [:]
    private var longest = 0.0
    func add(_ status: Int, seconds: Double) {
        lock.withLock {
            seen[status, default: 0] += 1
            longest = max(longest, seconds)
        }
    }
    var counts: [Int: Int] { lock.withLock { seen } }
    var slowest: Double { lock.withLock { longest } }
}

/// Adds to a SQLite database an event whose dossier is not there (SQLite's own check off for the
/// write), as a damaged file would hold.
func breakForeignKey(_ path: String) throws {
    var configuration = Configuration()
    configuration.foreignKeysEnabled = false
    let queue = try DatabaseQueue(path: path, configuration: configuration)
    try queue.write { db in
        try db.execute(sql: """
            INSERT INTO dossier_events(dossier_id, sequence, kind, at, actor_id, agency_id, data)
            SELECT 'không-có', sequence, kind, at, actor_id, agency_id, data FROM dossier_events LIMIT 1
            """)
    }
    try queue.close()
}

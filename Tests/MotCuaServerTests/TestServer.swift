import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import Logging
import MotCuaConfig
import MotCuaCore
import MotCuaStore
import MotCuaTestSupport
import NIOCore
import Synchronization
@testable import MotCuaServer

let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A partner stand-in's router served on a loopback port of its own; its port and its task.
func serveOnLoopback(_ router: Router<BasicRequestContext>, label: String) async -> (port: Int, task: Task<Void, any Error>) {
    var logger = Logger(label: label)
    logger.logLevel = .warning
    let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in
            continuation.yield(channel.localAddress?.port ?? 0)
            continuation.finish()
        }, logger: logger)
    let task = Task { try await app.runService() }
    var port = 0
    for await value in stream { port = value }
    return (port, task)
}

/// A clock tests can move.
final class TestClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

struct HTTPResult {
    var status: Int
    var headers: [String: String]
    var body: Data

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// The real application on a loopback port, with a real SQLite file, the repository's Config/
/// and Seeds/, and officers of each role in two agencies.
final class TestServer: Sendable {
    static let agencyA = "000.15.01.H42"
    static let agencyB = "000.07.01.H25"
    static let password = "mật-khẩu-thử-nghiệm"

    let baseURL: URL
    let store: SQLiteStore
    let secrets: AccessSecrets
    let blobs: BlobStore
    let clock: TestClock
    let task: Task<Void, any Error>
    /// `METHOD /path` of every route the router holds.
    let routes: [String]
    /// What the application was built with (for background services a test runs itself).
    let dependencies: AppDependencies

    private init(
        baseURL: URL, store: SQLiteStore, secrets: AccessSecrets, blobs: BlobStore, clock: TestClock, task: Task<Void, any Error>,
        routes: [String], dependencies: AppDependencies
    ) {
        self.dependencies = dependencies
        self.baseURL = baseURL
        self.store = store
        self.secrets = secrets
        self.blobs = blobs
        self.clock = clock
        self.task = task
        self.routes = routes
    }

    static func start(
        at start: String = "2026-03-02T08:00:00+07:00", maxBodyBytes: Int? = nil, dataDirectory: String? = nil,
        configure: (inout AppConfiguration) -> Void = { _ in }
    ) async throws -> TestServer {
        let config = repository.appendingPathComponent("Config")
        var configuration = try AppConfiguration.load(from: config, environment: [:])
        configuration.port = 0
        if let maxBodyBytes { configuration.maxBodyBytes = maxBodyBytes }
        configuration.dataDirectory = dataDirectory ?? TestScratch.path("motcua-api").path
        configure(&configuration)
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let calendars = try ConfigLoader.loadCalendars(from: config)
        let catalogue = try SeedLoader.loadCatalogue(from: repository.appendingPathComponent("Seeds"))
        let store = try SQLiteStore(path: configuration.databasePath)
        let secrets = try AccessSecrets.load(configuration)
        let blobs = try BlobStore(directory: configuration.blobPath)
        _ = try await Bootstrap.seed(store: store, catalogue: catalogue, now: Date())
        let hash = try await Auth.hashPassword(password, cost: 4)
        for agency in [agencyA, agencyB] {
            for role in Role.officerRoles where dataDirectory == nil {
                try await store.createOfficer(Officer(
                    id: "\(role.rawValue)@\(agency)", username: "\(role.rawValue)@\(agency)", name: "Cán bộ \(role.rawValue)",
                    role: role, agencyID: agency, departmentID: role == .desk ? nil : catalogue.tree.agencies[agency]!.departments[0].id,
                    passwordHash: hash))
            }
        }
        let clock = TestClock(WorkCalendar.parse(start)!)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let dependencies = AppDependencies(
            configuration: configuration, store: store, calendars: calendars, catalogue: catalogue, secrets: secrets, blobs: blobs,
            now: { clock.now }, logger: logger)
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = buildApplication(dependencies) { channel in
            continuation.yield(channel.localAddress?.port ?? 0)
            continuation.finish()
        }
        let task = Task { try await app.runService() }
        var port = 0
        for await value in stream { port = value }
        return TestServer(
            baseURL: URL(string: "http://127.0.0.1:\(port)")!, store: store, secrets: secrets, blobs: blobs, clock: clock, task: task,
            routes: buildRouter(dependencies).routes.map { "\($0.method.rawValue) \($0.path.description)" }, dependencies: dependencies)
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }

    func request(
        _ method: String, _ path: String, token: String? = nil, body: Data? = nil, contentType: String = "application/json",
        headers: [String: String] = [:]
    ) async throws -> HTTPResult {
        var request = URLRequest(url: URL(string: path, relativeTo: baseURL)!)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body {
            request.httpBody = body
            request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        }
        return try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error { return continuation.resume(throwing: error) }
                let http = response as! HTTPURLResponse
                var headers: [String: String] = [:]
                for (key, value) in http.allHeaderFields { headers["\(key)".lowercased()] = "\(value)" }
                continuation.resume(returning: HTTPResult(status: http.statusCode, headers: headers, body: data ?? Data()))
            }.resume()
        }
    }

    func request(_ method: String, _ path: String, token: String? = nil, json: Any, headers: [String: String] = [:]) async throws -> HTTPResult {
        try await request(method, path, token: token, body: try JSONSerialization.data(withJSONObject: json), headers: headers)
    }

    func login(_ role: Role, agency: String = agencyA) async throws -> String {
        let result = try await request("POST", "/api/v1/auth/login", json: ["username": "\(role.rawValue)@\(agency)", "password": TestServer.password])
        guard result.status == 201, let token = result.json["token"] as? String else {
            throw CocoaError(.coderInvalidValue, userInfo: [NSDebugDescriptionErrorKey: "login failed: \(result.text)"])
        }
        return token
    }

    /// A complete intake of 1.001193 (birth registration) as JSON.
    func intakeBody(name: String = "Nguyễn Văn An") async throws -> [String: Any] {
        let procedure = try await store.procedure(code: "1.001193")!
        return [
            "procedureCode": "1.001193",
            "applicant": ["name": name, "idNumber": "001203004005", "phone": "0912345678", "address": "Phường Sông Trí, Hà Tĩnh"],
            "documents": procedure.documents.map { ["name": $0.name, "originals": $0.originals, "copies": $0.copies] },
            "returnMethod": "desk",
        ]
    }
}

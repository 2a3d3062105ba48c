import Foundation
import Hummingbird
import Logging
import MotCuaConfig
import MotCuaCore
import MotCuaStore
import NIOCore

/// Everything the HTTP application needs, built once by `motcua serve` or by a test.
public struct AppDependencies: Sendable {
    public var configuration: AppConfiguration
    public var store: any DossierStore
    public var calendars: WorkCalendars
    public var catalogue: Catalogue
    /// Derives and checks the dossiers' access secrets.
    public var secrets: AccessSecrets
    /// Uploaded files.
    public var blobs: BlobStore
    /// The clock: injected so tests can stand on any date.
    public var now: @Sendable () -> Date
    public var logger: Logger
    /// Password checks, a few at a time (one gate for the whole instance).
    let passwordChecks: PasswordChecks
    /// What `GET /metrics` exposes.
    public let metrics: AppMetrics
    /// Signs electronic results at approval; nil when `signing.mode` is `off`.
    public var signer: (any ResultSigner)?

    /// How a procedure's term is divided among its steps (`Config/steps.json`), by procedure code.
    public let stepSplit: @Sendable (String) -> StepSplit

    /// `signer` defaults to the one the configuration asks for (`ResultSigners.make`).
    public init(
        configuration: AppConfiguration, store: any DossierStore, calendars: WorkCalendars, catalogue: Catalogue,
        secrets: AccessSecrets, blobs: BlobStore, now: @escaping @Sendable () -> Date = { Date() }, logger: Logger,
        signer: (any ResultSigner)?? = nil
    ) {
        self.configuration = configuration
        self.store = store
        self.calendars = calendars
        self.catalogue = catalogue
        self.secrets = secrets
        self.blobs = blobs
        self.now = now
        self.logger = logger
        self.signer = signer ?? ResultSigners.make(configuration, store: store)
        let steps = configuration.steps
        let fields = Dictionary(catalogue.procedures.map { ($0.code, $0.field) }, uniquingKeysWith: { first, _ in first })
        stepSplit = { code in steps.split(procedureCode: code, field: fields[code]) }
        passwordChecks = PasswordChecks(limit: configuration.login.concurrentPasswordChecks)
        let metrics = AppMetrics()
        self.metrics = metrics
        (store as? SQLiteStore)?.observeCommits { metrics.commit(transactions: $0, took: $1) }
    }
}

/// The router with every route; shared by the application and the route/OpenAPI agreement test.
public func buildRouter(_ dependencies: AppDependencies) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: AppRequestContext.BodyLimitMiddleware(limit: dependencies.configuration.maxBodyBytes))
    router.add(middleware: RequestMetricsMiddleware(metrics: dependencies.metrics))
    router.add(middleware: SecurityHeadersMiddleware(corsOrigins: Set(dependencies.configuration.publicAPI.corsOrigins)))
    router.add(middleware: LogRequestsMiddleware(.debug))
    let routes = RouteTable()
    router.add(middleware: ProblemMiddleware(routes: routes))
    HealthRoutes(
        store: dependencies.store, logger: dependencies.logger, catalogue: dependencies.catalogue,
        today: WorkCalendar.localDate(of: dependencies.now())
    ).register(on: router)
    if dependencies.configuration.metrics.port == nil {
        MetricsRoutes(dependencies: dependencies, openTo: MetricsRoutes.loopbackOnly).register(on: router)
    }
    let api = router.group("api/v1")
    let sessions = SessionCache()
    let configuration = dependencies.configuration
    AuthRoutes(dependencies: dependencies, sessions: sessions).register(on: api)
    let publicRoutes = PublicRoutes(dependencies: dependencies)
    let citizen = api.group("public").add(middleware: IdempotencyMiddleware(
        store: dependencies.store, ttl: TimeInterval(configuration.publicAPI.idempotencyHours) * 3600,
        bodyLimit: publicRoutes.uploadLimit, now: dependencies.now,
        scope: { request, _ in publicRoutes.idempotencyScope(request) },
        recover: { code in try await dependencies.store.dossier(code: code).map { try publicRoutes.submissionResponse($0) } }))
    publicRoutes.register(public: citizen, api: api)
    VerificationRoutes(store: dependencies.store, catalogue: dependencies.catalogue).register(on: citizen)
    let officer = api.group()
        .add(middleware: AuthMiddleware(store: dependencies.store, sessions: sessions, now: dependencies.now))
        .add(middleware: AdminAuditMiddleware(
            store: dependencies.store, clientAddress: ClientAddress(trustedProxies: configuration.trustedProxies), now: dependencies.now))
        .add(middleware: IdempotencyMiddleware(
            store: dependencies.store, ttl: TimeInterval(configuration.publicAPI.idempotencyHours) * 3600,
            bodyLimit: max(configuration.maxBodyBytes, publicRoutes.uploadLimit), now: dependencies.now,
            scope: { _, context in "officer:\(context.officer?.id ?? "")" },
            recover: { code in
                try await dependencies.store.dossier(code: code).map {
                    try OfficerRoutes.intakeReply($0, secret: dependencies.secrets.secret(for: $0.code)).response()
                }
            }))
    OfficerRoutes(dependencies: dependencies).register(on: officer)
    QueueRoutes(dependencies: dependencies).register(on: officer)
    StatisticsRoutes(dependencies: dependencies).register(on: officer)
    AuditRoutes(store: dependencies.store).register(on: officer)
    PostalRoutes(dependencies: dependencies).register(webhooks: router, officer: officer)
    PortalRoutes(dependencies: dependencies).register(officer: officer)
    Open311Routes(dependencies: dependencies).register(on: router.group("open311/v2"))
    routes.fill(router.routes.map { (path: $0.path.description, method: $0.method.rawValue) })
    return router
}

/// The HTTP application: the officer API on `host:port`, stopped gracefully by ServiceLifecycle.
public func buildApplication(
    _ dependencies: AppDependencies,
    onServerRunning: @escaping @Sendable (any NIOCore.Channel) async -> Void = { _ in }
) -> some ApplicationProtocol {
    Application(
        router: buildRouter(dependencies),
        configuration: .init(
            address: .hostname(dependencies.configuration.host, port: dependencies.configuration.port),
            serverName: "MotCua"),
        onServerRunning: onServerRunning,
        logger: dependencies.logger)
}

/// `/health/live`, `/health/ready`, `/openapi.json` and the problem type descriptions.
struct HealthRoutes: Sendable {
    let store: any DossierStore
    let logger: Logger
    let contract: Data?

    init(store: any DossierStore, logger: Logger, catalogue: Catalogue, today: LocalDate) {
        self.store = store
        self.logger = logger
        contract = Bundle.module.url(forResource: "openapi", withExtension: "json", subdirectory: "Resources")
            .flatMap { try? Data(contentsOf: $0) }
            .flatMap { try? ServedContract.document($0, catalogue: catalogue, today: today) }
    }

    func register(on router: Router<AppRequestContext>) {
        router.get("health/live", use: live)
        router.get("health/ready", use: ready)
        router.get("openapi.json", use: openAPI)
        router.get("problems/{name}", use: problemType)
    }

    @Sendable func live(_ request: Request, context: AppRequestContext) async throws -> Reply<[String: String]> {
        Reply(["status": "ok"])
    }

    /// Ready while the database answers.
    @Sendable func ready(_ request: Request, context: AppRequestContext) async throws -> Reply<[String: String]> {
        do {
            try await store.ping()
            return Reply(["status": "ready", "database": "ok"])
        } catch {
            // The reason goes to the log, not to whoever probes readiness.
            logger.warning("not ready: the database does not answer", metadata: ["error": "\(error)"])
            return Reply(["status": "unavailable", "database": "unavailable"], status: .serviceUnavailable)
        }
    }

    /// The contract, with the deployment's catalogue written in as enums (`ServedContract`).
    @Sendable func openAPI(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let data = contract else { throw HTTPError(.internalServerError) }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// `GET /problems/{name}`: what a problem type means.
    @Sendable func problemType(_ request: Request, context: AppRequestContext) async throws -> Reply<ProblemTypeView> {
        guard let kind = ProblemType(rawValue: try context.parameters.require("name")) else { throw Problem.notFound }
        return Reply(ProblemTypeView(type: "/problems/\(kind.rawValue)", title: kind.title, status: kind.status, description: kind.explanation))
    }
}


/// Reads and decodes a JSON body within the configured size limit; malformed JSON is a 400,
/// a missing or mistyped field a 422 naming the field.
func decodeBody<T: Decodable>(_ type: T.Type, from request: Request, limit: Int) async throws -> T {
    var request = request
    let buffer: ByteBuffer
    do {
        buffer = try await request.collectBody(upTo: limit)
    } catch {
        throw Problem.typed(.tooLarge, detail: "Nội dung yêu cầu vượt quá \(limit) byte.")
    }
    return try decodeJSON(T.self, from: buffer)
}

/// Decodes JSON (a body, or a part of a multipart body): malformed JSON is a 400, a missing or
/// mistyped field a 422 naming the field (under `prefix`).
func decodeJSON<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer, prefix: String? = nil) throws -> T {
    // The fast reader takes what it is sure to read as JSONDecoder would, straight from the
    // buffer; anything else, errors included, goes to JSONDecoder, whose value or error then stands.
    if buffer.readableBytes > 0, let value = try? APIJSON.reader.decode(T.self, from: buffer.readableBytesView) { return value }
    let data = buffer.readableBytes == 0 ? Data("{}".utf8) : Data(buffer.readableBytesView)
    func path(_ keys: [any CodingKey]) -> String {
        let inner = pathString(keys)
        guard let prefix else { return inner }
        return inner == "body" ? prefix : "\(prefix).\(inner)"
    }
    do {
        return try APIJSON.decoder.decode(T.self, from: data)
    } catch let error as DecodingError {
        switch error {
        case let .keyNotFound(key, context):
            throw Problem.validation(field: path(context.codingPath + [key]), reason: "Trường bắt buộc bị thiếu.")
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            throw Problem.validation(field: path(context.codingPath), reason: "Sai kiểu dữ liệu.")
        case let .dataCorrupted(context):
            if context.codingPath.isEmpty {
                // Foundation on Linux says "not valid JSON", with no path, for valid JSON holding
                // a number an integer field cannot take ({"amount": 1.5}, 1e40): that is a value
                // of the body, not its syntax.
                guard (try? JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed)) != nil else {
                    throw Problem.typed(.malformedJSON, detail: "Nội dung yêu cầu không phải JSON hợp lệ.")
                }
                throw Problem.validation(
                    field: prefix ?? "body", reason: "Có giá trị số không đúng kiểu (số nguyên có phần thập phân, hoặc vượt quá phạm vi).")
            }
            throw Problem.validation(field: path(context.codingPath), reason: "Giá trị không hợp lệ.")
        @unknown default:
            throw Problem.typed(.malformedJSON)
        }
    }
}

private func pathString(_ keys: [any CodingKey]) -> String {
    var result = ""
    for key in keys {
        if let index = key.intValue {
            result += "[\(index)]"
        } else {
            result += result.isEmpty ? key.stringValue : ".\(key.stringValue)"
        }
    }
    return result.isEmpty ? "body" : result
}

/// The listener of `GET /metrics` alone, when `metrics.port` gives it one (on `metrics.host`):
/// whoever reaches that address may scrape.
public func buildMetricsApplication(
    _ dependencies: AppDependencies, onServerRunning: @escaping @Sendable (any NIOCore.Channel) async -> Void = { _ in }
) -> (some ApplicationProtocol)? {
    guard let port = dependencies.configuration.metrics.port else { return nil as Application<RouterResponder<AppRequestContext>>? }
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: ProblemMiddleware(routes: RouteTable()))
    MetricsRoutes(dependencies: dependencies, openTo: { _, _ in true }).register(on: router)
    return Application(
        router: router, configuration: .init(address: .hostname(dependencies.configuration.metrics.host, port: port), serverName: "MotCua"),
        onServerRunning: onServerRunning, logger: dependencies.logger)
}

/// `GET /problems/{name}`: what a problem type means.
struct ProblemTypeView: Encodable, Sendable {
    var type: String
    var title: String
    var status: Int
    var description: String
}

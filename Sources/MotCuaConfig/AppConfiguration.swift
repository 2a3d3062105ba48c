import Foundation
import MotCuaCore

/// Settings of the server process: `Config/motcua.json`, then environment variables on top.
///
/// | key | environment | default |
/// |---|---|---|
/// | server.host | MOTCUA_HOST | 127.0.0.1 |
/// | server.port | MOTCUA_PORT | 8080 |
/// | storage.dataDirectory | MOTCUA_DATA_DIR | data |
/// | storage.sqliteFile | MOTCUA_SQLITE_FILE | motcua.sqlite |
/// | auth.sessionHours | MOTCUA_SESSION_HOURS | 12 |
/// | auth.bcryptCost | MOTCUA_BCRYPT_COST | 12 |
/// | logging.level | MOTCUA_LOG_LEVEL | info |
/// | limits.maxBodyBytes | MOTCUA_MAX_BODY_BYTES | 1048576 |
/// | storage.blobDirectory | MOTCUA_BLOB_DIR | blobs (inside the data directory) |
/// | storage.commitDelayMicros | MOTCUA_COMMIT_DELAY_US | 1000 (0: never wait) |
/// | storage.backend | MOTCUA_STORAGE_BACKEND | sqlite (or postgres) |
/// | storage.postgresURL | MOTCUA_DATABASE_URL | none (required with postgres) |
/// | storage.postgresPoolSize | MOTCUA_POSTGRES_POOL_SIZE | 10 connections per instance |
/// | publicAPI.maxFileBytes | MOTCUA_MAX_FILE_BYTES | 10485760 |
/// | publicAPI.maxUploadBytes | MOTCUA_MAX_UPLOAD_BYTES | 31457280 |
/// | publicAPI.idempotencyHours | MOTCUA_IDEMPOTENCY_HOURS | 24 |
/// | publicAPI.lookupsPerMinute | MOTCUA_LOOKUPS_PER_MINUTE | 120 |
/// | publicAPI.lookupBurst | MOTCUA_LOOKUP_BURST | 30 |
/// | publicAPI.portalKeys | MOTCUA_PORTAL_KEY (adds key id `portal`) | none |
/// | publicAPI.accessKeyFile | MOTCUA_ACCESS_KEY (base64, replaces the file) | access-secret.key |
/// | payments.webhookSecret | MOTCUA_PAYMENT_WEBHOOK_SECRET | none: payment callbacks answer 503 |
/// | watch.sweepSeconds | MOTCUA_WATCH_SECONDS | 60 |
/// | notifications.gatewayURL / notifications.webhookSecret | MOTCUA_NOTIFY_URL / MOTCUA_NOTIFY_SECRET | none: notifications wait in the outbox |
/// | postal.partnerURL / postal.apiKey / postal.webhookSecret | MOTCUA_POSTAL_URL / MOTCUA_POSTAL_API_KEY / MOTCUA_POSTAL_WEBHOOK_SECRET | none: orders wait in the outbox, webhooks answer 503 |
/// | portal.url / portal.apiKey | MOTCUA_PORTAL_URL / MOTCUA_PORTAL_API_KEY | none: the portal's messages wait in the outbox |
/// | watch.nearDue.workingHours / watch.nearDue.share | — | 8 (one working day) / 0.2 |
/// Where the dossiers are kept.
public enum StorageBackend: String, Sendable, Equatable {
    /// One SQLite file in the data directory: a commune, the demo, the tests.
    case sqlite
    /// A PostgreSQL server shared by any number of instances: a province.
    case postgres
}

public struct AppConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var dataDirectory: String
    public var sqliteFile: String
    /// Under load, how long (µs) a group commit may wait for more writes to share it.
    public var commitDelayMicros: Int
    /// Which store: the embedded SQLite file (default) or a PostgreSQL server.
    public var backend: StorageBackend = .sqlite
    /// `postgres://user:password@host:port/database`, with the `postgres` backend.
    public var postgresURL: String?
    /// Connections each instance may open to PostgreSQL.
    public var postgresPoolSize: Int = 10
    public var sessionHours: Int
    public var bcryptCost: Int
    /// Failed-login throttling and the bound on concurrent password checks.
    public var login = LoginSettings()
    /// Where `GET /metrics` is served, and to whom.
    public var metrics = MetricsSettings()
    /// Addresses or networks (CIDR) of load balancers whose `X-Forwarded-For` names the client
    /// (empty: the peer is the client).
    public var trustedProxies: [String] = []
    public var logLevel: String
    public var maxBodyBytes: Int
    /// Form numbers and titles (Thông tư 01/2018/TT-VPCP by default).
    public var forms: FormSettings
    public var publicAPI: PublicAPISettings
    /// Standard Webhooks secret (`whsec_…`) the payment provider signs its callbacks with.
    public var paymentWebhookSecret: String?
    public var blobDirectory: String
    /// The overdue watch: how often it sweeps, and when a dossier counts as near due.
    public var watch: WatchSettings
    /// The notification gateway, its templates and the retry policy.
    public var notifications: NotificationSettings
    /// The post office (BCCI) partner: where orders go, how webhooks are checked, the retry policy.
    public var postal: PostalSettings
    /// The national public-service portal: where every change of a dossier is reported.
    public var portal = PortalSettings(nil, timing: nil)
    /// How each procedure's term is divided among its steps (`steps.json`).
    public var steps = StepSettings()
    /// When dossiers left waiting for supplementation are closed.
    public var supplementation = SupplementationSettings(nil)
    /// How electronic results are signed at approval.
    public var signing = SigningSettings(nil)
    /// The directives that bind this deployment (`statistics.directives` in motcua.json names
    /// them; absent: every file in `directives/`).
    public var directives: [Directive]

    public var databasePath: String {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent(sqliteFile).path
    }

    /// The signing keys' directory, relative to the data directory unless absolute.
    public var signingKeysPath: String {
        signing.keysDirectory.hasPrefix("/")
            ? signing.keysDirectory : URL(fileURLWithPath: dataDirectory).appendingPathComponent(signing.keysDirectory).path
    }

    /// The blob directory, relative to the data directory unless absolute.
    public var blobPath: String {
        blobDirectory.hasPrefix("/") ? blobDirectory : URL(fileURLWithPath: dataDirectory).appendingPathComponent(blobDirectory).path
    }

    struct File: Decodable {
        var server: Server?
        var storage: Storage?
        var auth: Auth?
        var logging: Logging?
        var limits: Limits?
        var forms: FormSettings.File?
        var publicAPI: PublicAPISettings.File?
        var payments: Payments?
        var watch: WatchSettings.File?
        var notifications: NotificationSettings.File?
        var postal: PostalSettings.File?
        var portal: PortalSettings.File?
        var signing: SigningSettings.File?
        var supplementation: SupplementationSettings.File?
        var statistics: Statistics?
        var metrics: Metrics?

        struct Metrics: Decodable { var host: String?; var port: Int?; var token: String? }

        struct Server: Decodable { var host: String?; var port: Int?; var trustedProxies: [String]? }
        struct Storage: Decodable {
            var dataDirectory: String?
            var sqliteFile: String?
            var blobDirectory: String?
            var commitDelayMicros: Int?
            var backend: String?
            var postgresURL: String?
            var postgresPoolSize: Int?
        }
        struct Payments: Decodable { var webhookSecret: String? }
        struct Auth: Decodable {
            var sessionHours: Int?
            var bcryptCost: Int?
            var failuresPerUser: Int?
            var failuresPerAddress: Int?
            var failureWindowMinutes: Int?
            var firstLockSeconds: Int?
            var concurrentPasswordChecks: Int?
        }
        struct Logging: Decodable { var level: String? }
        struct Limits: Decodable { var maxBodyBytes: Int? }
        struct Statistics: Decodable { var directives: [String]? }
    }

    /// `scheme://host[:port]`, as a browser sends it in `Origin`.
    static func isOrigin(_ text: String) -> Bool {
        guard let url = URLComponents(string: text), ["http", "https"].contains(url.scheme ?? ""), let host = url.host, !host.isEmpty else {
            return false
        }
        return url.path.isEmpty && url.query == nil && url.fragment == nil && url.user == nil
    }

    /// A Standard Webhooks secret: `whsec_` and at least 24 bytes in base64.
    static func isWebhookSecret(_ secret: String) -> Bool {
        secret.hasPrefix("whsec_") && (Data(base64Encoded: String(secret.dropFirst(6)))?.count ?? 0) >= 24
    }

    /// Loads and validates; throws naming the file (or the variable) and the key.
    public static func load(
        from directory: URL, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(CalendarError) -> AppConfiguration {
        let file = try ConfigLoader.decode(File.self, from: ConfigLoader.mainFile(in: directory))
        // The partners' delivery timing, read from the same sections beside their own keys.
        let timing = try ConfigLoader.decode(DeliveryTiming.Sections.self, from: ConfigLoader.mainFile(in: directory))
        try DeliveryTiming.check(timing, file: "motcua.json")
        var config = AppConfiguration(
            host: file.server?.host ?? "127.0.0.1",
            port: file.server?.port ?? 8080,
            dataDirectory: file.storage?.dataDirectory ?? "data",
            sqliteFile: file.storage?.sqliteFile ?? "motcua.sqlite",
            commitDelayMicros: file.storage?.commitDelayMicros ?? 1000,
            sessionHours: file.auth?.sessionHours ?? 12,
            bcryptCost: file.auth?.bcryptCost ?? 12,
            logLevel: file.logging?.level ?? "info",
            maxBodyBytes: file.limits?.maxBodyBytes ?? 1_048_576,
            forms: try FormSettings.load(file.forms, main: "motcua.json"),
            publicAPI: PublicAPISettings(file.publicAPI),
            paymentWebhookSecret: file.payments?.webhookSecret,
            blobDirectory: file.storage?.blobDirectory ?? "blobs",
            watch: WatchSettings(file.watch),
            notifications: try NotificationSettings(file.notifications, timing: timing.notifications, directory: directory),
            postal: PostalSettings(file.postal, timing: timing.postal),
            directives: try ConfigLoader.loadDirectives(from: directory, binding: file.statistics?.directives))
        func integer(_ name: String) throws(CalendarError) -> Int? {
            guard let text = environment[name] else { return nil }
            guard let value = Int(text) else {
                throw .invalidConfiguration(file: "environment", key: name, reason: "'\(text)' is not a whole number")
            }
            return value
        }
        let auth = file.auth
        config.login = LoginSettings(
            failuresPerUser: auth?.failuresPerUser ?? 5, failuresPerAddress: auth?.failuresPerAddress ?? 20,
            failureWindowMinutes: auth?.failureWindowMinutes ?? 15, firstLockSeconds: auth?.firstLockSeconds ?? 30,
            concurrentPasswordChecks: auth?.concurrentPasswordChecks ?? 2)
        config.trustedProxies = file.server?.trustedProxies ?? []
        config.metrics = MetricsSettings(host: file.metrics?.host ?? "127.0.0.1", port: file.metrics?.port, token: file.metrics?.token)
        if let port = try integer("MOTCUA_METRICS_PORT") { config.metrics.port = port }
        if let token = environment["MOTCUA_METRICS_TOKEN"], !token.isEmpty { config.metrics.token = token }
        if let proxies = environment["MOTCUA_TRUSTED_PROXIES"] {
            config.trustedProxies = proxies.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if let host = environment["MOTCUA_HOST"] { config.host = host }
        if let port = try integer("MOTCUA_PORT") { config.port = port }
        if let dir = environment["MOTCUA_DATA_DIR"] { config.dataDirectory = dir }
        if let name = environment["MOTCUA_SQLITE_FILE"] { config.sqliteFile = name }
        if let micros = try integer("MOTCUA_COMMIT_DELAY_US") { config.commitDelayMicros = micros }
        if let hours = try integer("MOTCUA_SESSION_HOURS") { config.sessionHours = hours }
        if let cost = try integer("MOTCUA_BCRYPT_COST") { config.bcryptCost = cost }
        if let level = environment["MOTCUA_LOG_LEVEL"] { config.logLevel = level }
        if let bytes = try integer("MOTCUA_MAX_BODY_BYTES") { config.maxBodyBytes = bytes }
        if let dir = environment["MOTCUA_BLOB_DIR"] { config.blobDirectory = dir }
        if let bytes = try integer("MOTCUA_MAX_FILE_BYTES") { config.publicAPI.maxFileBytes = bytes }
        if let bytes = try integer("MOTCUA_MAX_UPLOAD_BYTES") { config.publicAPI.maxUploadBytes = bytes }
        if let hours = try integer("MOTCUA_IDEMPOTENCY_HOURS") { config.publicAPI.idempotencyHours = hours }
        if let rate = try integer("MOTCUA_LOOKUPS_PER_MINUTE") { config.publicAPI.lookupsPerMinute = rate }
        if let burst = try integer("MOTCUA_LOOKUP_BURST") { config.publicAPI.lookupBurst = burst }
        if let key = environment["MOTCUA_PORTAL_KEY"], !key.isEmpty { config.publicAPI.environmentPortalKey = key }
        if let key = environment["MOTCUA_ACCESS_KEY"], !key.isEmpty { config.publicAPI.accessKey = key }
        if let origins = environment["MOTCUA_CORS_ORIGINS"] {
            config.publicAPI.corsOrigins = origins.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if let secret = environment["MOTCUA_PAYMENT_WEBHOOK_SECRET"], !secret.isEmpty { config.paymentWebhookSecret = secret }
        var backendKey = ("motcua.json", "storage.backend", file.storage?.backend)
        if let backend = environment["MOTCUA_STORAGE_BACKEND"], !backend.isEmpty { backendKey = ("environment", "MOTCUA_STORAGE_BACKEND", backend) }
        if let name = backendKey.2 {
            guard let backend = StorageBackend(rawValue: name) else {
                throw .invalidConfiguration(file: backendKey.0, key: backendKey.1, reason: "'\(name)' is not sqlite or postgres")
            }
            config.backend = backend
        }
        config.postgresURL = file.storage?.postgresURL
        if let url = environment["MOTCUA_DATABASE_URL"], !url.isEmpty { config.postgresURL = url }
        if let size = file.storage?.postgresPoolSize { config.postgresPoolSize = size }
        if let size = try integer("MOTCUA_POSTGRES_POOL_SIZE") { config.postgresPoolSize = size }

        let main = "motcua.json"
        if config.backend == .postgres, config.postgresURL == nil {
            throw .invalidConfiguration(
                file: main, key: "storage.postgresURL", reason: "the postgres backend needs a URL (or MOTCUA_DATABASE_URL): postgres://user:password@host:port/database")
        }
        guard (1...500).contains(config.postgresPoolSize) else {
            throw .invalidConfiguration(file: main, key: "storage.postgresPoolSize", reason: "must be between 1 and 500")
        }
        guard (0...65535).contains(config.port) else {
            throw .invalidConfiguration(file: main, key: "server.port", reason: "\(config.port) is not a port number")
        }
        guard (0...100_000).contains(config.commitDelayMicros) else {
            throw .invalidConfiguration(file: main, key: "storage.commitDelayMicros", reason: "must be between 0 and 100000 (0.1 s)")
        }
        guard (1...720).contains(config.sessionHours) else {
            throw .invalidConfiguration(file: main, key: "auth.sessionHours", reason: "must be between 1 and 720")
        }
        guard (4...16).contains(config.bcryptCost) else {
            throw .invalidConfiguration(file: main, key: "auth.bcryptCost", reason: "must be between 4 and 16")
        }
        let login = config.login
        guard (1...100).contains(login.failuresPerUser) else {
            throw .invalidConfiguration(file: main, key: "auth.failuresPerUser", reason: "must be between 1 and 100")
        }
        guard (1...10_000).contains(login.failuresPerAddress) else {
            throw .invalidConfiguration(file: main, key: "auth.failuresPerAddress", reason: "must be between 1 and 10000")
        }
        guard (1...1440).contains(login.failureWindowMinutes) else {
            throw .invalidConfiguration(file: main, key: "auth.failureWindowMinutes", reason: "must be between 1 and 1440")
        }
        guard (1...86_400).contains(login.firstLockSeconds) else {
            throw .invalidConfiguration(file: main, key: "auth.firstLockSeconds", reason: "must be between 1 and 86400")
        }
        guard (1...64).contains(login.concurrentPasswordChecks) else {
            throw .invalidConfiguration(file: main, key: "auth.concurrentPasswordChecks", reason: "must be between 1 and 64")
        }
        if let port = config.metrics.port, !(1...65535).contains(port) || port == config.port {
            throw .invalidConfiguration(file: main, key: "metrics.port", reason: "must be a port number other than server.port")
        }
        if let token = config.metrics.token, token.count < 16 {
            throw .invalidConfiguration(file: main, key: "metrics.token", reason: "must be at least 16 characters")
        }
        for (index, proxy) in config.trustedProxies.enumerated() where IPNetwork(proxy) == nil {
            throw .invalidConfiguration(
                file: main, key: "server.trustedProxies[\(index)]", reason: "'\(proxy)' is not an IP address or a network (10.0.0.0/8)")
        }
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(config.logLevel) else {
            throw .invalidConfiguration(file: main, key: "logging.level", reason: "'\(config.logLevel)' is not a log level")
        }
        guard (1024...104_857_600).contains(config.maxBodyBytes) else {
            throw .invalidConfiguration(file: main, key: "limits.maxBodyBytes", reason: "must be between 1 KiB and 100 MiB")
        }
        if let seconds = try integer("MOTCUA_WATCH_SECONDS") { config.watch.sweepSeconds = seconds }
        if let url = environment["MOTCUA_NOTIFY_URL"], !url.isEmpty { config.notifications.gatewayURL = url }
        if let secret = environment["MOTCUA_NOTIFY_SECRET"], !secret.isEmpty { config.notifications.webhookSecret = secret }
        let notify = config.notifications
        if let url = notify.gatewayURL, URL(string: url).map({ ["http", "https"].contains($0.scheme ?? "") && $0.host != nil }) != true {
            throw .invalidConfiguration(file: main, key: "notifications.gatewayURL", reason: "'\(url)' is not an http(s) URL")
        }
        if notify.gatewayURL != nil, notify.templates.isEmpty {
            throw .invalidConfiguration(file: main, key: "notifications.templates", reason: "a gateway needs the message templates (notifications/vi.json)")
        }
        if notify.gatewayURL != nil, notify.webhookSecret.map(Self.isWebhookSecret) != true {
            throw .invalidConfiguration(file: main, key: "notifications.webhookSecret", reason: "a gateway needs a 'whsec_' secret of at least 24 bytes in base64")
        }
        if let url = environment["MOTCUA_POSTAL_URL"], !url.isEmpty { config.postal.partnerURL = url }
        if let key = environment["MOTCUA_POSTAL_API_KEY"], !key.isEmpty { config.postal.apiKey = key }
        if let secret = environment["MOTCUA_POSTAL_WEBHOOK_SECRET"], !secret.isEmpty { config.postal.webhookSecret = secret }
        let postal = config.postal
        if let url = postal.partnerURL, URL(string: url).map({ ["http", "https"].contains($0.scheme ?? "") && $0.host != nil }) != true {
            throw .invalidConfiguration(file: main, key: "postal.partnerURL", reason: "'\(url)' is not an http(s) URL")
        }
        if let secret = postal.webhookSecret, !Self.isWebhookSecret(secret) {
            throw .invalidConfiguration(file: main, key: "postal.webhookSecret", reason: "must be a 'whsec_' secret of at least 24 bytes in base64")
        }
        try postal.timing.check(section: "postal", file: main)
        guard !postal.service.isEmpty else { throw .invalidConfiguration(file: main, key: "postal.service", reason: "a service code") }
        config.portal = PortalSettings(file.portal, timing: timing.portal)
        try config.portal.finish(environment: environment, file: main)
        config.steps = try StepSettings.load(from: directory)
        config.supplementation = SupplementationSettings(file.supplementation)
        try config.supplementation.check(file: main)
        config.signing = SigningSettings(file.signing)
        try config.signing.finish(file.signing, environment: environment, file: main)
        try notify.timing.check(section: "notifications", file: main)
        guard (1...86_400).contains(config.watch.sweepSeconds) else {
            throw .invalidConfiguration(file: main, key: "watch.sweepSeconds", reason: "must be between 1 and 86400")
        }
        guard (0...20).contains(config.watch.nearDueWorkingHours), (0...1).contains(config.watch.nearDueShare) else {
            throw .invalidConfiguration(file: main, key: "watch.nearDue", reason: "workingHours must be 0–20 and share 0–1")
        }
        let api = config.publicAPI
        guard (1024...1_073_741_824).contains(api.maxFileBytes) else {
            throw .invalidConfiguration(file: main, key: "publicAPI.maxFileBytes", reason: "must be between 1 KiB and 1 GiB")
        }
        guard api.maxUploadBytes >= api.maxFileBytes, api.maxUploadBytes <= 2_147_483_648 else {
            throw .invalidConfiguration(file: main, key: "publicAPI.maxUploadBytes", reason: "must be at least maxFileBytes and at most 2 GiB")
        }
        guard (1...720).contains(api.idempotencyHours) else {
            throw .invalidConfiguration(file: main, key: "publicAPI.idempotencyHours", reason: "must be between 1 and 720")
        }
        guard api.lookupsPerMinute >= 1, api.lookupBurst >= 1 else {
            throw .invalidConfiguration(file: main, key: "publicAPI.lookupsPerMinute", reason: "the rate and the burst must be at least 1")
        }
        for (index, key) in api.portalKeys.enumerated()
        where key.id.isEmpty || key.sha256.count != 64 || !key.sha256.allSatisfy({ $0.isHexDigit }) {
            throw .invalidConfiguration(file: main, key: "publicAPI.portalKeys[\(index)]", reason: "needs an id and the key's SHA-256 as 64 hex digits")
        }
        for (index, origin) in api.corsOrigins.enumerated() where !Self.isOrigin(origin) {
            throw .invalidConfiguration(
                file: main, key: "publicAPI.corsOrigins[\(index)]", reason: "'\(origin)' is not an origin (https://host[:port], no path)")
        }
        if let key = api.accessKey, Data(base64Encoded: key).map({ $0.count >= 32 }) != true {
            throw .invalidConfiguration(file: "environment", key: "MOTCUA_ACCESS_KEY", reason: "must be at least 32 bytes, base64-encoded")
        }
        if let secret = config.paymentWebhookSecret,
           !secret.hasPrefix("whsec_") || Data(base64Encoded: String(secret.dropFirst(6))).map({ $0.count >= 24 }) != true {
            throw .invalidConfiguration(file: main, key: "payments.webhookSecret", reason: "must be 'whsec_' followed by at least 24 bytes in base64")
        }
        return config
    }
}

/// `GET /metrics`: on the main listener (from loopback, or with the token) unless `port` gives it
/// a listener of its own on `host`.
public struct MetricsSettings: Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port: Int?
    /// A bearer token that opens `/metrics` from any address.
    public var token: String?

    public init(host: String = "127.0.0.1", port: Int? = nil, token: String? = nil) {
        self.host = host
        self.port = port
        self.token = token
    }
}

/// When failed logins lock a username or a client address out (see `LoginThrottle` in the server).
public struct LoginSettings: Sendable, Equatable {
    /// Failures of one username within the window that lock it.
    public var failuresPerUser = 5
    /// Failures from one client address within the window that lock it (higher: offices share addresses).
    public var failuresPerAddress = 20
    public var failureWindowMinutes = 15
    /// The first lock; each further failure doubles it, up to the window.
    public var firstLockSeconds = 30
    /// Password checks (bcrypt) run at once; the rest wait their turn.
    public var concurrentPasswordChecks = 2

    public init(
        failuresPerUser: Int = 5, failuresPerAddress: Int = 20, failureWindowMinutes: Int = 15, firstLockSeconds: Int = 30,
        concurrentPasswordChecks: Int = 2
    ) {
        self.failuresPerUser = failuresPerUser
        self.failuresPerAddress = failuresPerAddress
        self.failureWindowMinutes = failureWindowMinutes
        self.firstLockSeconds = firstLockSeconds
        self.concurrentPasswordChecks = concurrentPasswordChecks
    }
}

/// Which circular's forms the desk prints, with their numbers and official titles.
/// Limits and keys of the citizen and portal API.
public struct PublicAPISettings: Sendable, Equatable {
    public var maxFileBytes: Int
    /// All files of one request together.
    public var maxUploadBytes: Int
    public var idempotencyHours: Int
    /// Status lookups per client: sustained rate and burst (token bucket).
    public var lookupsPerMinute: Int
    public var lookupBurst: Int
    /// API keys of the provincial portal, stored as SHA-256.
    public var portalKeys: [PortalKey]
    /// Web origins (`https://dichvucong.gov.vn`) whose pages may call the citizen API from a browser (CORS).
    public var corsOrigins: [String]
    /// File (in the data directory) holding the key access secrets are derived from.
    public var accessKeyFile: String
    /// The key itself, base64, when given by the environment.
    public var accessKey: String?
    /// A portal key given in clear by the environment (`MOTCUA_PORTAL_KEY`), known as `portal`.
    public var environmentPortalKey: String?

    public struct PortalKey: Sendable, Equatable, Decodable {
        public var id: String
        public var name: String
        public var sha256: String

        public init(id: String, name: String, sha256: String) {
            self.id = id
            self.name = name
            self.sha256 = sha256.lowercased()
        }
    }

    struct File: Decodable {
        var maxFileBytes: Int?
        var maxUploadBytes: Int?
        var idempotencyHours: Int?
        var lookupsPerMinute: Int?
        var lookupBurst: Int?
        var portalKeys: [PortalKey]?
        var accessKeyFile: String?
        var corsOrigins: [String]?
    }

    init(_ file: File?) {
        maxFileBytes = file?.maxFileBytes ?? 10_485_760
        maxUploadBytes = file?.maxUploadBytes ?? 31_457_280
        idempotencyHours = file?.idempotencyHours ?? 24
        lookupsPerMinute = file?.lookupsPerMinute ?? 120
        lookupBurst = file?.lookupBurst ?? 30
        portalKeys = file?.portalKeys ?? []
        corsOrigins = file?.corsOrigins ?? []
        accessKeyFile = file?.accessKeyFile ?? "access-secret.key"
        accessKey = nil
        environmentPortalKey = nil
    }
}

/// The overdue watch's settings.
public struct WatchSettings: Sendable, Equatable {
    public var sweepSeconds: Int
    /// Near due when at most this much working time is left…
    public var nearDueWorkingHours: Int
    /// …or at most this share of the term.
    public var nearDueShare: Double

    struct File: Decodable {
        var sweepSeconds: Int?
        var nearDue: NearDue?
        struct NearDue: Decodable { var workingHours: Int?; var share: Double? }
    }

    init(_ file: File?) {
        sweepSeconds = file?.sweepSeconds ?? 60
        nearDueWorkingHours = file?.nearDue?.workingHours ?? 8
        nearDueShare = file?.nearDue?.share ?? 0.2
    }

    public var policy: NearDuePolicy {
        NearDuePolicy(workingSeconds: Int64(nearDueWorkingHours) * 3600, share: nearDueShare)
    }
}

/// The post office partner (BCCI, Quyết định 45/2016/QĐ-TTg).
public struct PostalSettings: Sendable, Equatable {
    /// The partner's API base: orders are `POST {partnerURL}/orders`. None: orders wait in the outbox.
    public var partnerURL: String?
    /// Sent as `Authorization: Bearer …` with every order.
    public var apiKey: String?
    /// Standard Webhooks secret (`whsec_…`) the partner signs its webhooks with.
    public var webhookSecret: String?
    /// The partner's service code for administrative-procedure parcels.
    public var service: String
    /// Transient failures (408, 409, 425, 429, 5xx, timeouts) are retried for `retryHours`
    /// (24) from the order's creation or its manual retry, before it becomes a dead letter.
    public var timing: DeliveryTiming

    static let defaultTiming = DeliveryTiming(backoffSeconds: 2, maxBackoffSeconds: 1800, pollSeconds: 2)

    struct File: Decodable {
        var partnerURL: String?
        var apiKey: String?
        var webhookSecret: String?
        var service: String?
    }

    init(_ file: File?, timing: DeliveryTiming.File?) {
        partnerURL = file?.partnerURL
        apiKey = file?.apiKey
        webhookSecret = file?.webhookSecret
        service = file?.service ?? "BCCI-HCC"
        self.timing = Self.defaultTiming.reading(timing)
    }
}

/// Where and how notifications go.
public struct NotificationSettings: Sendable, Equatable {
    public var gatewayURL: String?
    /// Standard Webhooks secret (`whsec_…`) deliveries are signed with.
    public var webhookSecret: String?
    /// Message templates by notification kind (Vietnamese), with `{placeholder}`s.
    public var templates: [String: String]
    /// Transient failures are retried for `retryHours` (24) from the notification's creation.
    public var timing: DeliveryTiming

    static let defaultTiming = DeliveryTiming(backoffSeconds: 2, maxBackoffSeconds: 3600, pollSeconds: 5)

    /// The kinds a template set must cover, and the placeholders a template may use.
    public static let kinds = ["received", "supplementationRequested", "feeRequested", "resultReady", "apologized", "returned", "stopped"]
    /// Kinds added after the first template files were written: a file without them still loads,
    /// and these texts stand in.
    public static let defaultTemplates = ["stopped": "{agency}: Hồ sơ {code} ({procedure}) đã dừng xử lý. Lý do: {reason}"]
    public static let placeholders: Set<String> = ["code", "name", "procedure", "agency", "appointment", "items", "reason", "amount", "payment", "returnMethod"]

    struct File: Decodable {
        var gatewayURL: String?
        var webhookSecret: String?
        var templates: String?
    }

    struct TemplateFile: Decodable {
        var templates: [String: String]
    }

    init(_ file: File?, timing: DeliveryTiming.File?, directory: URL) throws(CalendarError) {
        gatewayURL = file?.gatewayURL
        webhookSecret = file?.webhookSecret
        self.timing = Self.defaultTiming.reading(timing)
        let name = file?.templates ?? "notifications/vi.json"
        guard !name.isEmpty else {
            throw .invalidConfiguration(file: "motcua.json", key: "notifications.templates", reason: "is empty: name the template file (notifications/vi.json)")
        }
        let url = directory.appendingPathComponent(name)
        // A configuration without the default template file sends nothing (checked when a
        // gateway is set); a named file must be there.
        guard file?.templates != nil || FileManager.default.fileExists(atPath: url.path) else {
            templates = [:]
            return
        }
        var loaded = try ConfigLoader.decode(TemplateFile.self, from: url, label: name)
        loaded.templates.merge(Self.defaultTemplates) { own, _ in own }
        for kind in Self.kinds where loaded.templates[kind]?.isEmpty != false {
            throw .invalidConfiguration(file: name, key: "templates.\(kind)", reason: "is required")
        }
        for (kind, text) in loaded.templates {
            guard Self.kinds.contains(kind) else {
                throw .invalidConfiguration(file: name, key: "templates.\(kind)", reason: "is not a notification kind (\(Self.kinds.joined(separator: ", ")))")
            }
            var rest = Substring(text)
            while let open = rest.firstIndex(of: "{") {
                guard let close = rest[open...].firstIndex(of: "}") else {
                    throw .invalidConfiguration(file: name, key: "templates.\(kind)", reason: "has an unclosed '{'")
                }
                let placeholder = String(rest[rest.index(after: open)..<close])
                guard Self.placeholders.contains(placeholder) else {
                    throw .invalidConfiguration(file: name, key: "templates.\(kind)", reason: "uses an unknown placeholder {\(placeholder)}")
                }
                rest = rest[rest.index(after: close)...]
            }
        }
        templates = loaded.templates
    }
}

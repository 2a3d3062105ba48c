import Foundation
import MotCuaCore
import Testing
@testable import MotCuaConfig

/// Every setting a province may get wrong is refused at start with the file and the key named
/// (the CLI prints it as one sentence and exits 78), never half-applied.
@Suite("Configuration: each bad setting is refused, naming its key")
struct SettingsRefusalTests {
    static let secret = "whsec_" + Data(repeating: 9, count: 32).base64EncodedString()
    static let shortSecret = "whsec_" + Data(repeating: 9, count: 8).base64EncodedString()

    /// (what is wrong, motcua.json, the key the refusal names).
    static let cases: [(String, String, String)] = [
        ("postgres without a URL", #"{"storage": {"backend": "postgres"}}"#, "storage.postgresURL"),
        ("an empty pool", #"{"storage": {"postgresPoolSize": 0}}"#, "storage.postgresPoolSize"),
        ("a pool of 501", #"{"storage": {"postgresPoolSize": 501}}"#, "storage.postgresPoolSize"),
        ("a port past 65535", #"{"server": {"port": 65536}}"#, "server.port"),
        ("a negative port", #"{"server": {"port": -1}}"#, "server.port"),
        ("a commit delay of a second", #"{"storage": {"commitDelayMicros": 1000000}}"#, "storage.commitDelayMicros"),
        ("sessions of no hours", #"{"auth": {"sessionHours": 0}}"#, "auth.sessionHours"),
        ("sessions of 31 days", #"{"auth": {"sessionHours": 721}}"#, "auth.sessionHours"),
        ("a bcrypt cost of 3", #"{"auth": {"bcryptCost": 3}}"#, "auth.bcryptCost"),
        ("a bcrypt cost of 17", #"{"auth": {"bcryptCost": 17}}"#, "auth.bcryptCost"),
        ("no failures allowed a user", #"{"auth": {"failuresPerUser": 0}}"#, "auth.failuresPerUser"),
        ("too many failures an address", #"{"auth": {"failuresPerAddress": 10001}}"#, "auth.failuresPerAddress"),
        ("a window of a day and a minute", #"{"auth": {"failureWindowMinutes": 1441}}"#, "auth.failureWindowMinutes"),
        ("no first lock", #"{"auth": {"firstLockSeconds": 0}}"#, "auth.firstLockSeconds"),
        ("65 password checks at once", #"{"auth": {"concurrentPasswordChecks": 65}}"#, "auth.concurrentPasswordChecks"),
        ("metrics on the API's port", #"{"server": {"port": 8080}, "metrics": {"port": 8080}}"#, "metrics.port"),
        ("metrics on port 0", #"{"metrics": {"port": 0}}"#, "metrics.port"),
        ("a short metrics token", #"{"metrics": {"token": "short"}}"#, "metrics.token"),
        ("a balancer that is no address", #"{"server": {"trustedProxies": ["10.0.0.1", "balancer"]}}"#, "server.trustedProxies[1]"),
        ("a network with prefix 33", #"{"server": {"trustedProxies": ["10.0.0.0/33"]}}"#, "server.trustedProxies[0]"),
        ("a log level that is not one", #"{"logging": {"level": "verbose"}}"#, "logging.level"),
        ("bodies under 1 KiB", #"{"limits": {"maxBodyBytes": 1000}}"#, "limits.maxBodyBytes"),
        ("a gateway that is no URL", #"{"notifications": {"gatewayURL": "ftp://gw"}}"#, "notifications.gatewayURL"),
        ("a gateway with an empty template file name", #"{"notifications": {"gatewayURL": "http://127.0.0.1:9/m", "templates": "", "webhookSecret": "\#(secret)"}}"#,
         "notifications.templates"),
        ("a gateway without a secret", #"{"notifications": {"gatewayURL": "http://127.0.0.1:9/m"}}"#, "notifications.webhookSecret"),
        ("a gateway with a short secret", #"{"notifications": {"gatewayURL": "http://127.0.0.1:9/m", "webhookSecret": "\#(shortSecret)"}}"#,
         "notifications.webhookSecret"),
        ("a post office that is no URL", #"{"postal": {"partnerURL": "bcci"}}"#, "postal.partnerURL"),
        ("a postal secret without its prefix", #"{"postal": {"webhookSecret": "\#(secret.dropFirst(6))"}}"#, "postal.webhookSecret"),
        ("postal retries for 31 days", #"{"postal": {"retryHours": 721}}"#, "postal"),
        ("a postal backoff above its maximum", #"{"postal": {"backoffSeconds": 10, "maxBackoffSeconds": 5}}"#, "postal"),
        ("a postal timeout of 0", #"{"postal": {"timeoutSeconds": 0}}"#, "postal"),
        ("attempts counted instead of hours", #"{"postal": {"maxAttempts": 5}}"#, "postal.maxAttempts"),
        ("portal attempts counted", #"{"portal": {"maxAttempts": 5}}"#, "portal.maxAttempts"),
        ("notification attempts counted", #"{"notifications": {"maxAttempts": 5}}"#, "notifications.maxAttempts"),
        ("no postal service code", #"{"postal": {"service": ""}}"#, "postal.service"),
        ("a portal that is no URL", #"{"portal": {"url": "portal.gov.vn"}}"#, "portal.url"),
        ("a portal rate of 0", #"{"portal": {"maxPerSecond": 0}}"#, "portal.maxPerSecond"),
        ("a portal window of 257", #"{"portal": {"window": 257}}"#, "portal.window"),
        ("a notification poll of 0", #"{"notifications": {"pollSeconds": 0}}"#, "notifications"),
        ("a supplementation sweep of 0", #"{"supplementation": {"sweepMinutes": 0}}"#, "supplementation.sweepMinutes"),
        ("remote signing without a URL", #"{"signing": {"mode": "remote"}}"#, "signing.remoteURL"),
        ("remote signing at a file URL", #"{"signing": {"mode": "remote", "remoteURL": "file:///tmp/x"}}"#, "signing.remoteURL"),
        ("a signing timeout of 121 s", #"{"signing": {"timeoutSeconds": 121}}"#, "signing.timeoutSeconds"),
        ("a watch sweep of 0", #"{"watch": {"sweepSeconds": 0}}"#, "watch.sweepSeconds"),
        ("near-due at 21 working hours", #"{"watch": {"nearDue": {"workingHours": 21, "share": 0.2}}}"#, "watch.nearDue"),
        ("near-due at 150%", #"{"watch": {"nearDue": {"workingHours": 8, "share": 1.5}}}"#, "watch.nearDue"),
        ("files under 1 KiB", #"{"publicAPI": {"maxFileBytes": 100}}"#, "publicAPI.maxFileBytes"),
        ("uploads smaller than one file", #"{"publicAPI": {"maxFileBytes": 2048, "maxUploadBytes": 1024}}"#, "publicAPI.maxUploadBytes"),
        ("idempotency for no hours", #"{"publicAPI": {"idempotencyHours": 0}}"#, "publicAPI.idempotencyHours"),
        ("no lookups a minute", #"{"publicAPI": {"lookupsPerMinute": 0}}"#, "publicAPI.lookupsPerMinute"),
        ("no lookup burst", #"{"publicAPI": {"lookupBurst": 0}}"#, "publicAPI.lookupsPerMinute"),
        ("a portal key without its digest", #"{"publicAPI": {"portalKeys": [{"id": "dvcqg", "name": "Cổng DVCQG", "sha256": "abc"}]}}"#, "publicAPI.portalKeys[0]"),
        ("a portal key without an id", #"{"publicAPI": {"portalKeys": [{"id": "", "name": "Cổng DVCQG", "sha256": "\#(String(repeating: "a", count: 64))"}]}}"#,
         "publicAPI.portalKeys[0]"),
        ("an origin with a path", #"{"publicAPI": {"corsOrigins": ["https://dichvucong.gov.vn/", "https://a.vn/x"]}}"#, "publicAPI.corsOrigins[0]"),
        ("a payment secret without its prefix", #"{"payments": {"webhookSecret": "secret"}}"#, "payments.webhookSecret"),
    ]

    /// The shipped notification templates, which a gateway needs.
    static let templates = (try? String(contentsOf: repositoryConfig.appendingPathComponent("notifications/vi.json"), encoding: .utf8)) ?? ""

    static func directory(_ main: String) throws -> URL {
        let directory = try scratchConfig(["motcua.json": main])
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("notifications"), withIntermediateDirectories: true)
        try templates.write(to: directory.appendingPathComponent("notifications/vi.json"), atomically: true, encoding: .utf8)
        return directory
    }

    @Test("Refused at load, naming the key", arguments: cases)
    func refused(what: String, main: String, key: String) throws {
        let directory = try Self.directory(main)
        do {
            _ = try AppConfiguration.load(from: directory, environment: [:])
            Issue.record("\(what): loaded")
        } catch let CalendarError.invalidConfiguration(file, actualKey, reason) {
            #expect(file == "motcua.json", "\(what)")
            #expect(actualKey == key, "\(what): \(reason)")
            #expect(!reason.isEmpty)
        }
    }

    @Test("The same settings at their edges load", arguments: [
        #"{"storage": {"postgresPoolSize": 500, "commitDelayMicros": 100000}}"#,
        #"{"auth": {"sessionHours": 720, "bcryptCost": 4, "failuresPerUser": 100, "failureWindowMinutes": 1440, "concurrentPasswordChecks": 64}}"#,
        #"{"server": {"port": 0, "trustedProxies": ["10.0.0.0/8", "fd00::/8", "127.0.0.1"]}}"#,
        #"{"metrics": {"port": 9464, "token": "0123456789abcdef"}}"#,
        #"{"limits": {"maxBodyBytes": 104857600}}"#,
        #"{"watch": {"sweepSeconds": 86400, "nearDue": {"workingHours": 0, "share": 1}}}"#,
        #"{"publicAPI": {"maxFileBytes": 1024, "maxUploadBytes": 1024, "corsOrigins": ["https://dichvucong.gov.vn", "http://127.0.0.1:5173"]}}"#,
        #"{"postal": {"retryHours": 720, "backoffSeconds": 5, "maxBackoffSeconds": 5}}"#,
        #"{"portal": {"maxPerSecond": 100000, "window": 256}}"#,
        #"{"signing": {"timeoutSeconds": 120}}"#,
    ])
    func edges(main: String) throws {
        _ = try AppConfiguration.load(from: try Self.directory(main), environment: [:])
    }

    @Test("A refused setting in the environment names the variable")
    func environmentNames() throws {
        let directory = try scratchConfig(["motcua.json": "{}"])
        for variable in ["MOTCUA_PORT", "MOTCUA_SESSION_HOURS", "MOTCUA_POSTGRES_POOL_SIZE", "MOTCUA_WATCH_SECONDS", "MOTCUA_COMMIT_DELAY_US"] {
            do {
                _ = try AppConfiguration.load(from: directory, environment: [variable: "twelve"])
                Issue.record("\(variable): loaded")
            } catch let CalendarError.invalidConfiguration(file, key, reason) {
                #expect(file == "environment" && key == variable, "\(variable)")
                #expect(reason == "'twelve' is not a whole number")
            }
        }
        #expect(throws: CalendarError.invalidConfiguration(file: "environment", key: "MOTCUA_ACCESS_KEY", reason: "must be at least 32 bytes, base64-encoded")) {
            try AppConfiguration.load(from: directory, environment: ["MOTCUA_ACCESS_KEY": Data(repeating: 1, count: 16).base64EncodedString()])
        }
    }

    @Test("The environment's partner settings are checked as the file's are")
    func environmentPartners() throws {
        let directory = try Self.directory("{}")
        #expect(throws: CalendarError.self) { try AppConfiguration.load(from: directory, environment: ["MOTCUA_POSTAL_URL": "not a url"]) }
        #expect(throws: CalendarError.self) { try AppConfiguration.load(from: directory, environment: ["MOTCUA_POSTAL_WEBHOOK_SECRET": "whsec_x"]) }
        #expect(throws: CalendarError.invalidConfiguration(
            file: "motcua.json", key: "notifications.webhookSecret", reason: "a gateway needs a 'whsec_' secret of at least 24 bytes in base64")) {
            try AppConfiguration.load(from: directory, environment: ["MOTCUA_NOTIFY_URL": "http://127.0.0.1:9/m"])
        }
        let postal = try AppConfiguration.load(
            from: directory, environment: ["MOTCUA_POSTAL_URL": "http://127.0.0.1:9/orders", "MOTCUA_POSTAL_WEBHOOK_SECRET": Self.secret, "MOTCUA_POSTAL_API_KEY": "k"])
        #expect(postal.postal.partnerURL == "http://127.0.0.1:9/orders" && postal.postal.webhookSecret == Self.secret && postal.postal.apiKey == "k")
        let notify = try AppConfiguration.load(from: directory, environment: ["MOTCUA_NOTIFY_URL": "http://127.0.0.1:9/m", "MOTCUA_NOTIFY_SECRET": Self.secret])
        #expect(notify.notifications.gatewayURL == "http://127.0.0.1:9/m")
    }

    @Test("A gateway in a configuration without its template file is refused; without a gateway the file is not needed")
    func gatewayNeedsTemplates() throws {
        let bare = try scratchConfig(["motcua.json": #"{"notifications": {"gatewayURL": "http://127.0.0.1:9/m", "webhookSecret": "\#(Self.secret)"}}"#])
        #expect(throws: CalendarError.invalidConfiguration(
            file: "motcua.json", key: "notifications.templates", reason: "a gateway needs the message templates (notifications/vi.json)")) {
            try AppConfiguration.load(from: bare, environment: [:])
        }
        #expect(try AppConfiguration.load(from: try scratchConfig(["motcua.json": "{}"]), environment: [:]).notifications.templates.isEmpty)
        let named = try scratchConfig(["motcua.json": #"{"notifications": {"templates": "notifications/missing.json"}}"#])
        #expect(throws: CalendarError.self) { try AppConfiguration.load(from: named, environment: [:]) }
    }

    @Test("Delivery timing: each partner's section reads its own keys over the defaults")
    func timing() throws {
        let directory = try scratchConfig(["motcua.json": #"""
            {"postal": {"retryHours": 48, "backoffSeconds": 3},
             "notifications": {"timeoutSeconds": 4},
             "portal": {"pollSeconds": 0.5, "maxBackoffSeconds": 60}}
            """#])
        let config = try AppConfiguration.load(from: directory, environment: [:])
        let defaults = try AppConfiguration.load(from: try scratchConfig(["motcua.json": "{}"]), environment: [:])
        #expect(config.postal.timing.retryHours == 48 && config.postal.timing.backoffSeconds == 3)
        #expect(config.postal.timing.timeoutSeconds == defaults.postal.timing.timeoutSeconds)
        #expect(config.notifications.timing.timeoutSeconds == 4)
        #expect(config.notifications.timing.retryHours == defaults.notifications.timing.retryHours)
        #expect(config.portal.timing.pollSeconds == 0.5 && config.portal.timing.maxBackoffSeconds == 60)
        #expect(config.portal.timing.backoffSeconds == defaults.portal.timing.backoffSeconds)
    }
}

@Suite("Trusted networks")
struct IPNetworkTests {
    @Test("Addresses and networks of both families parse; anything else does not", arguments: [
        ("10.0.0.2", true), ("172.16.0.0/12", true), ("0.0.0.0/0", true), ("192.168.1.1/32", true), ("fd00::/8", true), ("::1", true),
        ("2001:db8::/128", true), ("10.0.0.0/33", false), ("fd00::/129", false), ("10.0.0.0/-1", false), ("10.0.0.0/", false),
        ("10.0.0", false), ("256.0.0.1", false), ("balancer", false), ("", false), ("10.0.0.0/8/8", false), ("10.0.0.0/x", false),
    ])
    func parsing(text: String, valid: Bool) {
        #expect((IPNetwork(text) != nil) == valid, "\(text)")
    }

    @Test("A network holds the addresses under its prefix, to the bit")
    func membership() throws {
        let private12 = try #require(IPNetwork("172.16.0.0/12"))
        #expect(private12.contains("172.16.0.1"))
        #expect(private12.contains("172.31.255.255"))
        #expect(!private12.contains("172.32.0.0"))
        #expect(!private12.contains("172.15.255.255"))
        let odd = try #require(IPNetwork("10.1.2.128/25"))
        #expect(odd.contains("10.1.2.200") && !odd.contains("10.1.2.127"))
        let one = try #require(IPNetwork("10.0.0.2"))
        #expect(one.contains("10.0.0.2") && !one.contains("10.0.0.3"))
        let everything = try #require(IPNetwork("0.0.0.0/0"))
        #expect(everything.contains("8.8.8.8") && everything.contains("127.0.0.1"))
    }

    @Test("IPv6 networks, and no mixing of families")
    func sixAndFour() throws {
        let ula = try #require(IPNetwork("fd00::/8"))
        #expect(ula.contains("fd12:3456::1"))
        #expect(!ula.contains("fe80::1"))
        #expect(!ula.contains("10.0.0.1"), "an IPv4 address is never in an IPv6 network")
        #expect(try #require(IPNetwork("::1")).contains("0:0:0:0:0:0:0:1"))
        #expect(!(try #require(IPNetwork("0.0.0.0/0"))).contains("::1"))
        #expect(!ula.contains("not an address"))
    }

    @Test("Equal networks are equal values")
    func equality() {
        #expect(IPNetwork("10.0.0.0/8") == IPNetwork("10.0.0.0/8"))
        #expect(IPNetwork("10.0.0.0/8") != IPNetwork("10.0.0.0/9"))
        #expect(Set(["10.0.0.1", "10.0.0.1", "10.0.0.2"].compactMap(IPNetwork.init)).count == 2)
    }
}

import Foundation
import MotCuaCore
import MotCuaDemo
import MotCuaTestSupport
import Testing
@testable import MotCuaConfig

/// The repository's own `Config/` directory.
let repositoryConfig = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Config")

/// A scratch configuration directory with the given files (path → contents).
func scratchConfig(_ files: [String: String]) throws -> URL {
    let root = TestScratch.path("motcua-config")
    try FileManager.default.createDirectory(at: root.appendingPathComponent("calendars"), withIntermediateDirectories: true)
    for (path, contents) in files {
        try contents.write(to: root.appendingPathComponent(path), atomically: true, encoding: .utf8)
    }
    return root
}

let minimalMain = #"{"calendar": {"years": {"from": 2025, "to": 2027}}}"#

@Suite("Configuration loading")
struct ConfigLoaderTests {
    @Test("The shipped Config/ loads and carries the 2026 decisions")
    func shipped() throws {
        let calendars = try ConfigLoader.loadCalendars(from: repositoryConfig)
        let year = try #require(calendars.standard.calendarYear(2026))
        #expect(year.workingDays.map(\.date.iso) == ["2026-01-10", "2026-08-22"])
        #expect(year.daysOff.contains { $0.date.iso == "2026-08-31" })
        #expect(calendars.transferCutoff == TimeOfDay("15:00"))
        #expect(calendars.standard.years == 1900...2100)
    }

    @Test("Agency schedules override only what they name")
    func agencyOverride() throws {
        let main = #"""
        {"calendar": {"years": {"from": 2026, "to": 2026},
          "agencyWorkingHours": {"X.01": {"saturday": [{"start": "07:30", "end": "11:30"}]},
                                 "X.02": {"saturday": [{"start": "07:30", "end": "11:30"}]}}}}
        """#
        let calendars = try ConfigLoader.loadCalendars(from: try scratchConfig(["motcua.json": main]))
        let saturday = try #require(WorkCalendar.parse("2026-03-07T09:00:00"))
        #expect(calendars.calendar(forAgency: "X.01").isWorkingTime(saturday))
        #expect(!calendars.calendar(forAgency: "OTHER").isWorkingTime(saturday))
        #expect(calendars.calendar(forAgency: "X.01").week.days[0] == WorkWeek.standardPeriods)
    }

    static let badFiles: [(String, [String: String], String, String)] = [
        ("malformed JSON", ["motcua.json": "{\"calendar\": "], "motcua.json", "-"),
        ("bad period", ["motcua.json": #"{"calendar": {"workingHours": {"periods": [{"start": "7h", "end": "11:30"}]}}}"#],
         "motcua.json", "calendar.workingHours.periods[0].start"),
        ("unknown weekday", ["motcua.json": #"{"calendar": {"workingHours": {"weekdays": ["funday"]}}}"#],
         "motcua.json", "calendar.workingHours.weekdays"),
        ("years out of range", ["motcua.json": #"{"calendar": {"years": {"from": 1800, "to": 2000}}}"#],
         "motcua.json", "calendar.years"),
        ("invalid date", ["motcua.json": minimalMain, "calendars/2026.json": #"{"year": 2026, "tet": ["2026-02-30"]}"#],
         "calendars/2026.json", "tet[0]"),
        ("date in another year", ["motcua.json": minimalMain, "calendars/2026.json": #"{"year": 2026, "tet": ["2025-02-16"]}"#],
         "calendars/2026.json", "tet[0]"),
        ("year mismatch", ["motcua.json": minimalMain, "calendars/2026.json": #"{"year": 2025}"#],
         "calendars/2026.json", "year"),
        ("off and working", ["motcua.json": minimalMain, "calendars/2026.json":
            #"{"year": 2026, "daysOff": [{"date": "2026-03-06", "name": "x"}], "workingDays": [{"date": "2026-04-26", "name": "y"}]}"#],
         "calendars/2026.json", "workingDays[0]"),
        ("swap onto a weekday", ["motcua.json": minimalMain, "calendars/2026.json":
            #"{"year": 2026, "swaps": [{"dayOff": "2026-01-02", "workingDay": "2026-01-09", "name": "x"}]}"#],
         "calendars/2026.json", "swaps[0].workingDay"),
        ("missing key", ["motcua.json": minimalMain, "calendars/2026.json": #"{"year": 2026, "daysOff": [{"date": "2026-03-06"}]}"#],
         "calendars/2026.json", "daysOff[0].name"),
        ("badly named file", ["motcua.json": minimalMain, "calendars/next.json": "{}"], "calendars/next.json", "-"),
    ]

    @Test("Bad configuration is refused at load, naming the file and the key", arguments: badFiles)
    func refused(name: String, files: [String: String], file: String, key: String) throws {
        let directory = try scratchConfig(files)
        do {
            _ = try ConfigLoader.loadCalendars(from: directory)
            Issue.record("\(name): loaded without error")
        } catch let CalendarError.invalidConfiguration(actualFile, actualKey, reason) {
            #expect(actualFile == file, "\(name)")
            #expect(actualKey == key, "\(name): \(reason)")
            #expect(!reason.isEmpty)
        }
    }

    @Test("The directory comes from the flag, then MOTCUA_CONFIG, then ./Config")
    func location() throws {
        let explicit = try ConfigLoader.locateDirectory(explicit: repositoryConfig.path, environment: [:])
        #expect(explicit.path == repositoryConfig.standardizedFileURL.path)
        let fromEnvironment = try ConfigLoader.locateDirectory(
            explicit: nil, environment: ["MOTCUA_CONFIG": repositoryConfig.path], currentDirectory: "/")
        #expect(fromEnvironment.path == repositoryConfig.standardizedFileURL.path)
        #expect(throws: CalendarError.self) {
            try ConfigLoader.locateDirectory(explicit: nil, environment: [:], currentDirectory: "/nonexistent")
        }
    }
}

@Suite("Server configuration")
struct AppConfigurationTests {
    @Test("Defaults from Config/motcua.json, overridden by the environment")
    func environmentOverrides() throws {
        let defaults = try AppConfiguration.load(from: repositoryConfig, environment: [:])
        #expect(defaults.host == "127.0.0.1" && defaults.port == 8080 && defaults.sessionHours == 12)
        #expect(defaults.databasePath.hasSuffix("data/motcua.sqlite"))
        // The file and the built-in sets (used when a configuration has no `forms`) agree.
        #expect(defaults.forms.circular == FormSettings.shipped.circular)
        #expect(defaults.forms.sets.mapValues(\.forms) == FormSettings.shipped.sets.mapValues(\.forms))
        #expect(defaults.forms.sets.mapValues(\.effectiveFrom) == FormSettings.shipped.sets.mapValues(\.effectiveFrom))
        let overridden = try AppConfiguration.load(from: repositoryConfig, environment: [
            "MOTCUA_PORT": "9090", "MOTCUA_HOST": "0.0.0.0", "MOTCUA_DATA_DIR": "/var/lib/motcua", "MOTCUA_SESSION_HOURS": "8",
        ])
        #expect(overridden.port == 9090 && overridden.host == "0.0.0.0" && overridden.sessionHours == 8)
        #expect(overridden.databasePath == "/var/lib/motcua/motcua.sqlite")
        #expect(defaults.commitDelayMicros == 1000)
        #expect(try AppConfiguration.load(from: repositoryConfig, environment: ["MOTCUA_COMMIT_DELAY_US": "0"]).commitDelayMicros == 0)
    }

    @Test("The store: SQLite by default; PostgreSQL from the file or the environment; a bad backend, a missing URL or pool size is refused")
    func storageBackend() throws {
        let defaults = try AppConfiguration.load(from: repositoryConfig, environment: [:])
        #expect(defaults.backend == .sqlite && defaults.postgresURL == nil && defaults.postgresPoolSize == 10)
        let url = "postgres://motcua:x@127.0.0.1:5432/motcua"
        let postgres = try AppConfiguration.load(
            from: repositoryConfig, environment: ["MOTCUA_STORAGE_BACKEND": "postgres", "MOTCUA_DATABASE_URL": url, "MOTCUA_POSTGRES_POOL_SIZE": "4"])
        #expect(postgres.backend == .postgres && postgres.postgresURL == url && postgres.postgresPoolSize == 4)
        let file = try scratchConfig(["motcua.json": #"{"storage": {"backend": "postgres", "postgresURL": "postgres://a@b/c", "postgresPoolSize": 3}}"#])
        let fromFile = try AppConfiguration.load(from: file, environment: [:])
        #expect(fromFile.backend == .postgres && fromFile.postgresURL == "postgres://a@b/c" && fromFile.postgresPoolSize == 3)
        #expect(throws: CalendarError.invalidConfiguration(file: "environment", key: "MOTCUA_STORAGE_BACKEND", reason: "'mysql' is not sqlite or postgres")) {
            try AppConfiguration.load(from: repositoryConfig, environment: ["MOTCUA_STORAGE_BACKEND": "mysql"])
        }
        #expect(throws: CalendarError.invalidConfiguration(
            file: "motcua.json", key: "storage.postgresURL",
            reason: "the postgres backend needs a URL (or MOTCUA_DATABASE_URL): postgres://user:password@host:port/database")) {
            try AppConfiguration.load(from: repositoryConfig, environment: ["MOTCUA_STORAGE_BACKEND": "postgres"])
        }
        // Relays retry transient failures for a time: the former count is refused, saying what replaced it.
        let counted = try scratchConfig(["motcua.json": #"{"postal": {"maxAttempts": 10}}"#])
        #expect(throws: CalendarError.invalidConfiguration(
            file: "motcua.json", key: "postal.maxAttempts",
            reason: "replaced by postal.retryHours: transient failures are retried for a time (default 24), not a number of attempts")) {
            try AppConfiguration.load(from: counted, environment: [:])
        }
        #expect(defaults.postal.timing.retryHours == 24 && defaults.notifications.timing.retryHours == 24 && defaults.portal.timing.retryHours == 24)
        #expect(throws: CalendarError.invalidConfiguration(file: "motcua.json", key: "storage.postgresPoolSize", reason: "must be between 1 and 500")) {
            try AppConfiguration.load(from: repositoryConfig, environment: ["MOTCUA_POSTGRES_POOL_SIZE": "0"])
        }
    }

    @Test("Login throttling and trusted balancers: defaults, the file, MOTCUA_TRUSTED_PROXIES; bad values refused")
    func loginSettings() throws {
        let defaults = try AppConfiguration.load(from: repositoryConfig, environment: [:])
        #expect(defaults.login == LoginSettings(
            failuresPerUser: 5, failuresPerAddress: 20, failureWindowMinutes: 15, firstLockSeconds: 30, concurrentPasswordChecks: 2))
        #expect(defaults.trustedProxies.isEmpty)
        let file = try scratchConfig(["motcua.json": #"""
            {"server": {"trustedProxies": ["10.0.0.2", "fd00::/8"]},
             "auth": {"failuresPerUser": 3, "failuresPerAddress": 50, "failureWindowMinutes": 60, "firstLockSeconds": 10, "concurrentPasswordChecks": 4}}
            """#])
        let fromFile = try AppConfiguration.load(from: file, environment: [:])
        #expect(fromFile.login == LoginSettings(
            failuresPerUser: 3, failuresPerAddress: 50, failureWindowMinutes: 60, firstLockSeconds: 10, concurrentPasswordChecks: 4))
        #expect(fromFile.trustedProxies == ["10.0.0.2", "fd00::/8"])
        let environment = try AppConfiguration.load(from: file, environment: ["MOTCUA_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.9"])
        #expect(environment.trustedProxies == ["127.0.0.1", "10.0.0.9"])
        #expect(throws: CalendarError.invalidConfiguration(
            file: "motcua.json", key: "server.trustedProxies[1]", reason: "'balancer' is not an IP address or a network (10.0.0.0/8)")) {
            try AppConfiguration.load(from: repositoryConfig, environment: ["MOTCUA_TRUSTED_PROXIES": "10.0.0.2,balancer"])
        }
        #expect(defaults.publicAPI.corsOrigins.isEmpty)
        let cors = try AppConfiguration.load(from: repositoryConfig, environment: ["MOTCUA_CORS_ORIGINS": "https://dichvucong.gov.vn, http://localhost:3000"])
        #expect(cors.publicAPI.corsOrigins == ["https://dichvucong.gov.vn", "http://localhost:3000"])
        #expect(throws: CalendarError.invalidConfiguration(
            file: "motcua.json", key: "publicAPI.corsOrigins[0]", reason: "'https://dichvucong.gov.vn/nop' is not an origin (https://host[:port], no path)")) {
            try AppConfiguration.load(from: repositoryConfig, environment: ["MOTCUA_CORS_ORIGINS": "https://dichvucong.gov.vn/nop"])
        }
        let zero = try scratchConfig(["motcua.json": #"{"auth": {"concurrentPasswordChecks": 0}}"#])
        #expect(throws: CalendarError.invalidConfiguration(file: "motcua.json", key: "auth.concurrentPasswordChecks", reason: "must be between 1 and 64")) {
            try AppConfiguration.load(from: zero, environment: [:])
        }
    }

    @Test("Bad values are refused at load, naming the variable or key")
    func badValues() throws {
        #expect(throws: CalendarError.invalidConfiguration(file: "environment", key: "MOTCUA_PORT", reason: "'http' is not a whole number")) {
            try AppConfiguration.load(from: repositoryConfig, environment: ["MOTCUA_PORT": "http"])
        }
        #expect(throws: CalendarError.invalidConfiguration(file: "motcua.json", key: "server.port", reason: "70000 is not a port number")) {
            try AppConfiguration.load(from: repositoryConfig, environment: ["MOTCUA_PORT": "70000"])
        }
        #expect(throws: CalendarError.invalidConfiguration(
            file: "motcua.json", key: "storage.commitDelayMicros", reason: "must be between 0 and 100000 (0.1 s)")) {
            try AppConfiguration.load(from: repositoryConfig, environment: ["MOTCUA_COMMIT_DELAY_US": "-5"])
        }
        let directory = try scratchConfig(["motcua.json": #"{"logging": {"level": "loud"}}"#])
        #expect(throws: CalendarError.invalidConfiguration(file: "motcua.json", key: "logging.level", reason: "'loud' is not a log level")) {
            try AppConfiguration.load(from: directory, environment: [:])
        }
    }

    @Test("Form sets: a dossier gets the set in force when it was received; the older shape still loads; a bad set is refused naming the key")
    func formSets() throws {
        let shipped = try AppConfiguration.load(from: repositoryConfig, environment: [:]).forms
        func set(_ instant: String, _ settings: FormSettings = shipped) -> String {
            settings.set(at: WorkCalendar.parse(instant)!).id
        }
        #expect(set("2025-09-14T16:59:00+07:00") == "TT 01/2018/TT-VPCP")
        #expect(set("2025-09-15T00:00:00+07:00") == "TT 03/2025/TT-VPCP" && set("2026-03-02T08:00:00+07:00") == "TT 03/2025/TT-VPCP")
        let new = try #require(shipped.sets["TT 03/2025/TT-VPCP"]), old = try #require(shipped.sets["TT 01/2018/TT-VPCP"])
        #expect(new.forms.keys.sorted() == ["01", "02", "03", "04", "05", "06", "07"] && old.forms.keys.sorted() == ["01", "02", "03", "04", "05", "06"])
        #expect(new.form(.stopNotice)?.title == "Thông báo dừng giải quyết hồ sơ" && new.form(.trackingBook)?.number == "07")
        #expect(old.form(.trackingBook)?.number == "05" && old.form(.stopNotice) == nil)
        // A deployment that keeps the 2018 forms.
        var kept = shipped
        kept.circular = "TT 01/2018/TT-VPCP"
        #expect(set("2026-03-02T08:00:00+07:00", kept) == "TT 01/2018/TT-VPCP")

        let legacy = try scratchConfig(["motcua.json": #"{"forms": {"circular": "Thông tư số 01/2018/TT-VPCP", "forms": {"01": {"number": "01", "title": "A"}, "02": {"number": "02", "title": "B"}, "03": {"number": "03", "title": "C"}, "04": {"number": "04", "title": "D"}}}}"#])
        let loaded = try AppConfiguration.load(from: legacy, environment: [:]).forms
        #expect(loaded.set(at: Date()).form(.apology)?.title == "D" && loaded.set(at: Date()).name == "Thông tư số 01/2018/TT-VPCP")
        let unknown = try scratchConfig(["motcua.json": #"{"forms": {"circular": "TT 09/2030", "sets": {"TT 03/2025/TT-VPCP": {"name": "x", "effectiveFrom": "2025-09-15", "forms": {"01": {"kind": "receipt", "title": "a"}, "02": {"kind": "supplementation", "title": "b"}, "03": {"kind": "refusal", "title": "c"}, "04": {"kind": "apology", "title": "d"}}}}}}"#])
        #expect(throws: CalendarError.invalidConfiguration(file: "motcua.json", key: "forms.circular", reason: "'TT 09/2030' is not one of forms.sets (TT 03/2025/TT-VPCP)")) {
            try AppConfiguration.load(from: unknown, environment: [:])
        }
        let missing = try scratchConfig(["motcua.json": #"{"forms": {"circular": "X", "sets": {"X": {"name": "x", "effectiveFrom": "2025-09-15", "forms": {"01": {"kind": "receipt", "title": "a"}}}}}}"#])
        #expect(throws: CalendarError.invalidConfiguration(file: "motcua.json", key: "forms.sets.X.forms", reason: "needs a form of kind supplementation")) {
            try AppConfiguration.load(from: missing, environment: [:])
        }
    }

    @Test("Notification templates: the shipped set loads; an unknown placeholder or kind, or a gateway without secret, is refused")
    func notificationTemplates() throws {
        let shipped = try AppConfiguration.load(from: repositoryConfig, environment: [:]).notifications
        #expect(Set(shipped.templates.keys) == Set(NotificationSettings.kinds) && shipped.gatewayURL == nil)
        let good = #"{"templates": {"received": "{code}", "supplementationRequested": "{items}", "feeRequested": "{amount}", "resultReady": "x", "apologized": "{appointment}", "returned": "y"}}"#
        let unknown = good.replacingOccurrences(of: "{items}", with: "{ngay}")
        let directory = try scratchConfig(["motcua.json": #"{"notifications": {"templates": "tin.json"}}"#, "tin.json": unknown])
        #expect(throws: CalendarError.invalidConfiguration(file: "tin.json", key: "templates.supplementationRequested", reason: "uses an unknown placeholder {ngay}")) {
            try AppConfiguration.load(from: directory, environment: [:])
        }
        let missingKind = try scratchConfig(["motcua.json": #"{"notifications": {"templates": "tin.json"}}"#, "tin.json": #"{"templates": {"received": "{code}"}}"#])
        #expect(throws: CalendarError.invalidConfiguration(file: "tin.json", key: "templates.supplementationRequested", reason: "is required")) {
            try AppConfiguration.load(from: missingKind, environment: [:])
        }
        #expect(throws: CalendarError.invalidConfiguration(
            file: "motcua.json", key: "notifications.webhookSecret", reason: "a gateway needs a 'whsec_' secret of at least 24 bytes in base64")) {
            try AppConfiguration.load(from: repositoryConfig, environment: ["MOTCUA_NOTIFY_URL": "http://127.0.0.1:8090/messages"])
        }
        let configured = try AppConfiguration.load(from: repositoryConfig, environment: [
            "MOTCUA_NOTIFY_URL": "http://127.0.0.1:8090/messages", "MOTCUA_NOTIFY_SECRET": "whsec_" + String(repeating: "A", count: 40),
            "MOTCUA_WATCH_SECONDS": "30",
        ])
        #expect(configured.notifications.gatewayURL == "http://127.0.0.1:8090/messages" && configured.watch.sweepSeconds == 30)
        #expect(configured.watch.policy == NearDuePolicy(workingSeconds: 8 * 3600, share: 0.2))
    }
}

@Suite("Directive targets as data")
struct DirectiveLoaderTests {
    static let valid = #"""
        {"id": "thu-2026", "title": "Chỉ thị thử", "issuedBy": "UBND thử", "issuedOn": "2026-01-05", "source": "test",
         "scope": {"agencies": ["000.00.15.H42"], "includeSubordinates": true},
         "targets": [{"indicator": "onlineDossierShare", "comparator": ">", "threshold": 0.3, "deadline": "2026-12-31", "text": "Trên 30%"}]}
        """#

    func load(_ directive: String, main: String = "{}") throws -> [Directive] {
        let directory = try scratchConfig(["motcua.json": main])
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("directives"), withIntermediateDirectories: true)
        try directive.write(to: directory.appendingPathComponent("directives/thu.json"), atomically: true, encoding: .utf8)
        return try AppConfiguration.load(from: directory, environment: [:]).directives
    }

    @Test("The shipped directives load: Kỳ Anh 30-CT/ThU (2019) and Đoan Hùng (2021), with their thresholds and deadlines")
    func shipped() throws {
        let directives = try AppConfiguration.load(from: repositoryConfig, environment: [:]).directives
        #expect(directives.map(\.id) == ["doan-hung-2021", "ky-anh-30-ct-thu-2019"])
        let doanHung = try #require(directives.first { $0.id == "doan-hung-2021" })
        #expect(doanHung.targets.map(\.indicator) == [.level4DossierShare, .level3DossierShare, .postalReceivedShare, .postalReturnedShare, .overdueDossiers])
        #expect(doanHung.targets.map(\.threshold) == [0.10, 0.20, 0.10, 0.15, 0])
        #expect(doanHung.targets.allSatisfy { $0.deadline == LocalDate(year: 2021, month: 12, day: 31)! })
        let kyAnh = try #require(directives.first { $0.id == "ky-anh-30-ct-thu-2019" })
        #expect(kyAnh.issuedOn == LocalDate(year: 2019, month: 7, day: 26)! && kyAnh.targets.first?.threshold == 0.35)
    }

    @Test("A directive with an unknown indicator, a bad comparator or threshold, or a deployment binding a missing one, is refused naming file and key")
    func refused() throws {
        #expect(try load(Self.valid).map(\.id) == ["thu-2026"])
        #expect(try load(Self.valid, main: #"{"statistics": {"directives": []}}"#).isEmpty)
        let unknown = Self.valid.replacingOccurrences(of: "onlineDossierShare", with: "happiness")
        #expect(throws: CalendarError.invalidConfiguration(
            file: "directives/thu.json", key: "targets[0].indicator",
            reason: "unknown indicator 'happiness'; known: \(Indicator.allCases.map(\.rawValue).joined(separator: ", "))")) { try load(unknown) }
        let percent = Self.valid.replacingOccurrences(of: "0.3", with: "30")
        #expect(throws: CalendarError.invalidConfiguration(
            file: "directives/thu.json", key: "targets[0] (onlineDossierShare)",
            reason: "targets[0] (onlineDossierShare): threshold 30.0 is a share and must lie in 0…1 (35% is 0.35)")) { try load(percent) }
        let comparator = Self.valid.replacingOccurrences(of: #""comparator": ">""#, with: #""comparator": "~""#)
        #expect(throws: CalendarError.self) { try load(comparator) }
        #expect(throws: CalendarError.invalidConfiguration(
            file: "motcua.json", key: "statistics.directives", reason: "'khong-co' has no file in directives/; present: thu-2026")) {
            try load(Self.valid, main: #"{"statistics": {"directives": ["khong-co"]}}"#)
        }
    }
}

@Suite("Demo presets in Seeds/")
struct DemoPresetTests {
    @Test("The Hà Tĩnh 2015–2018 preset: online under 10%, many more postal returns than postal intakes, in its years; bad shares are refused")
    func presets() throws {
        let seeds = repositoryConfig.deletingLastPathComponent().appendingPathComponent("Seeds")
        let profiles = try SeedLoader.loadDemoProfiles(from: seeds)
        #expect(profiles.map(\.id) == ["standard", "ha-tinh-2015-2018"])
        let haTinh = try #require(profiles.last)
        #expect(haTinh.online < 0.10 && haTinh.postalReturn > 5 * haTinh.postalIntake)
        #expect(haTinh.from == LocalDate(year: 2015, month: 1, day: 1) && haTinh.to == LocalDate(year: 2018, month: 12, day: 31))
        var bad = haTinh
        bad.online = 9
        #expect(bad.problems() == ["online: 9.0 is a share and must lie in 0…1"])
    }
}

import ArgumentParser
import Foundation
import MotCuaDemo
import Synchronization
import Logging
import MotCuaConfig
import MotCuaCore
import MotCuaPostgres
import MotCuaServer
import MotCuaStore
import ServiceLifecycle

/// Everything `serve`, `migrate` and `seed` share: configuration, calendars, catalogue, store.
struct ServerOptions: ParsableArguments {
    @Option(name: .long, help: "Thư mục cấu hình (mặc định: $MOTCUA_CONFIG hoặc ./Config).")
    var config: String?

    @Option(name: .long, help: "Thư mục dữ liệu mẫu (mặc định: $MOTCUA_SEEDS hoặc ./Seeds).")
    var seeds: String?

    @Option(name: .customLong("data-dir"), help: "Thư mục lưu cơ sở dữ liệu (mặc định theo cấu hình: data).")
    var dataDirectory: String?

    struct Loaded {
        var configuration: AppConfiguration
        var calendars: WorkCalendars
        var catalogue: Catalogue
        var seedsDirectory: URL
    }

    func load() throws -> Loaded {
        do {
            let directory = try ConfigLoader.locateDirectory(explicit: config)
            var configuration = try AppConfiguration.load(from: directory)
            if let dataDirectory { configuration.dataDirectory = dataDirectory }
            let calendars = try ConfigLoader.loadCalendars(from: directory)
            let seedsDirectory = SeedLoader.locateDirectory(explicit: seeds)
            let catalogue: Catalogue
            do {
                catalogue = try SeedLoader.loadCatalogue(from: seedsDirectory)
            } catch {
                throw UserError(message: "Dữ liệu danh mục không hợp lệ – \(error.description)", hint: "Sửa tệp trong thư mục Seeds/ rồi chạy lại.", exitCode: 78)
            }
            return Loaded(configuration: configuration, calendars: calendars, catalogue: catalogue, seedsDirectory: seedsDirectory)
        } catch let error as CalendarError {
            throw UserError.configuration(error)
        }
    }

    /// Opens (migrating) the store the configuration names: the SQLite file in the data
    /// directory (created if needed), or the PostgreSQL database at `storage.postgresURL`.
    /// Nothing starts when it cannot be opened: one sentence naming the setting, exit 74 (78 for
    /// a URL that cannot be read).
    func openStore(_ configuration: AppConfiguration, logger: Logger = Logger(label: "motcua.store")) async throws -> OpenedStore {
        switch configuration.backend {
        case .sqlite:
            do {
                try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
                let store = try SQLiteStore(
                    path: configuration.databasePath, commitDelay: Double(configuration.commitDelayMicros) / 1_000_000,
                    progress: LayoutProgressPrinter().report)
                return OpenedStore(store: store, location: store.path)
            } catch {
                throw UserError(
                    message: "Không mở được cơ sở dữ liệu \(configuration.databasePath): \(error)",
                    hint: "Kiểm tra quyền ghi thư mục dữ liệu (--data-dir hoặc MOTCUA_DATA_DIR).", exitCode: 74)
            }
        case .postgres:
            let url = configuration.postgresURL ?? ""
            do {
                // The blobs and the access key stay in the data directory (shared by the instances).
                try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
            } catch {
                throw UserError(
                    message: "Không tạo được thư mục dữ liệu \(configuration.dataDirectory): \(error)",
                    hint: "Kiểm tra quyền ghi thư mục dữ liệu (--data-dir hoặc MOTCUA_DATA_DIR).", exitCode: 74)
            }
            do {
                let store = try await PostgresStore.connect(
                    url: url, poolSize: configuration.postgresPoolSize, logger: logger, progress: LayoutProgressPrinter().report)
                return OpenedStore(store: store, location: store.location)
            } catch let error as PostgresStoreError {
                throw UserError.postgres(error)
            }
        }
    }
}

/// A store and where it is (a file, or a server without its password).
struct OpenedStore {
    var store: any DossierStore
    var location: String
}

extension UserError {
    /// A PostgreSQL store that cannot be opened, in one sentence naming the setting.
    static func postgres(_ error: PostgresStoreError) -> UserError {
        let setting = "storage.postgresURL (MOTCUA_DATABASE_URL)"
        let hint = "Kiểm tra \(setting) và máy chủ PostgreSQL. Chi tiết: \(error.description)"
        switch error.kind {
        case .badURL:
            return UserError(message: "Địa chỉ PostgreSQL trong \(setting) không hợp lệ.", hint: hint, exitCode: 78)
        case .authentication:
            return UserError(message: "PostgreSQL từ chối tên đăng nhập hoặc mật khẩu trong \(setting).", hint: hint, exitCode: 74)
        case .noDatabase:
            return UserError(message: "Máy chủ PostgreSQL không có cơ sở dữ liệu ghi trong \(setting).", hint: hint, exitCode: 74)
        case .unreachable:
            return UserError(message: "Không kết nối được máy chủ PostgreSQL ghi trong \(setting).", hint: hint, exitCode: 74)
        case .migration, .other:
            return UserError(message: "Không chuẩn bị được cơ sở dữ liệu PostgreSQL ghi trong \(setting).", hint: hint, exitCode: 74)
        }
    }
}

func makeLogger(level: String) -> Logger {
    LoggingSystem.bootstrap { label in
        LineLogHandler(label: label, level: Logger.Level(rawValue: level) ?? .info)
    }
    return Logger(label: "motcua")
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Chạy máy chủ MotCua (mặc định 127.0.0.1:8080).",
        discussion: """
            Lần chạy đầu tiên tạo thư mục dữ liệu và tệp SQLite, nạp danh mục và tạo một tài khoản \
            quản trị với mật khẩu ngẫu nhiên (chỉ in ra một lần). Với --demo: tạo cán bộ mẫu cho \
            từng vai trò (in mật khẩu mới mỗi lần chạy) và vài trăm hồ sơ mẫu.
            """
    )

    @OptionGroup var options: ServerOptions

    @Flag(name: .long, help: "Tạo tài khoản và hồ sơ mẫu để dùng thử.")
    var demo = false

    @Option(name: .long, help: "Địa chỉ lắng nghe (mặc định theo cấu hình: 127.0.0.1).")
    var host: String?

    @Option(name: .long, help: "Cổng lắng nghe (mặc định theo cấu hình: 8080).")
    var port: Int?

    func run() async throws {
        var loaded = try options.load()
        if let host { loaded.configuration.host = host }
        if let port { loaded.configuration.port = port }
        let logger = makeLogger(level: loaded.configuration.logLevel)
        let opened = try await options.openStore(loaded.configuration, logger: logger)
        let store = opened.store
        let now = Date()
        let report = try await Bootstrap.seed(store: store, catalogue: loaded.catalogue, now: now)
        logger.info("catalogue seeded", metadata: [
            "database": "\(opened.location)", "agencies": "\(loaded.catalogue.tree.agencies.count)",
            "procedures": "\(loaded.catalogue.procedures.count)", "inherited": "\(report.dossiersInherited)",
        ])
        if let admin = try await Bootstrap.ensureAdministrator(
            store: store, catalogue: loaded.catalogue, bcryptCost: loaded.configuration.bcryptCost, now: now) {
            say("""
                Đã tạo tài khoản quản trị đầu tiên (mật khẩu chỉ hiển thị MỘT lần, hãy lưu lại):
                  tên đăng nhập: \(admin.username)
                  mật khẩu:      \(admin.password)
                """)
        }
        let secrets: AccessSecrets
        let blobs: BlobStore
        do {
            secrets = try AccessSecrets.load(loaded.configuration)
            blobs = try BlobStore(directory: loaded.configuration.blobPath)
        } catch {
            throw UserError(
                message: "Không chuẩn bị được khóa mã bí mật hoặc thư mục tệp trong \(loaded.configuration.dataDirectory): \(error)",
                hint: "Kiểm tra quyền ghi thư mục dữ liệu (--data-dir hoặc MOTCUA_DATA_DIR).", exitCode: 74)
        }
        if demo {
            say("Đang tạo dữ liệu mẫu…")
            let result = try await Bootstrap.demo(
                store: store, blobs: blobs, catalogue: loaded.catalogue, calendars: loaded.calendars,
                file: loaded.seedsDirectory.appendingPathComponent("demo.json"),
                bcryptCost: loaded.configuration.bcryptCost, now: now, logger: logger)
            say("Tài khoản mẫu (--demo, mật khẩu mới mỗi lần khởi động):")
            printLogins(result.logins)
            say(result.dossiers > 0 ? "Đã tạo \(result.dossiers) hồ sơ mẫu." : "Hồ sơ mẫu đã có sẵn từ lần chạy trước.")
        }
        // Seeding and the demo leave tens of MB of log behind: fold it into the database before
        // serving. Not worth refusing to start over: the checkpointer will get to it.
        do {
            try await (store as? SQLiteStore)?.truncateLog()
        } catch {
            logger.warning("could not fold the write-ahead log into the database", metadata: ["error": "\(error)"])
        }
        let dependencies = AppDependencies(
            configuration: loaded.configuration, store: store, calendars: loaded.calendars, catalogue: loaded.catalogue,
            secrets: secrets, blobs: blobs, logger: logger)
        let host = loaded.configuration.host, port = loaded.configuration.port
        let app = buildApplication(dependencies) { channel in
            let address = "\(host):\(channel.localAddress?.port ?? port)"
            say("MotCua đang chạy tại http://\(address) (Ctrl-C để dừng). Tài liệu API: http://\(address)/openapi.json")
        }
        var services: [any Service] = [
            Listener(app, address: "\(host):\(port)", setting: "--host/--port (MOTCUA_HOST/MOTCUA_PORT, server.host/server.port)"),
            Housekeeping(store: store, logger: logger),
            OverdueWatch(
                store: store, interval: .seconds(loaded.configuration.watch.sweepSeconds), now: { Date() }, logger: logger,
                metrics: dependencies.metrics),
            AbandonmentWatch(
                store: store, settings: loaded.configuration.supplementation, calendars: loaded.calendars, now: { Date() }, logger: logger),
        ]
        let metricsHost = loaded.configuration.metrics.host
        if let metricsApp = buildMetricsApplication(dependencies, onServerRunning: { channel in
            let address = "\(metricsHost):\(channel.localAddress?.port ?? 0)"
            logger.info("metrics served on their own listener", metadata: ["address": "http://\(address)/metrics"])
        }) {
            services.append(Listener(
                metricsApp, address: "\(metricsHost):\(loaded.configuration.metrics.port ?? 0)",
                setting: "MOTCUA_METRICS_PORT (metrics.host/metrics.port)"))
        }
        let tree = loaded.catalogue.tree
        if let relay = NotificationRelay(
            store: store, settings: loaded.configuration.notifications, agencyName: { tree.agencies[$0]?.name ?? $0 }, logger: logger,
            metrics: dependencies.metrics) {
            services.append(relay)
        } else {
            logger.info("no notification gateway configured: notifications wait in the outbox")
        }
        if let relay = PostalRelay(dependencies: dependencies) {
            services.append(relay)
        } else {
            logger.info("no post office configured (postal.partnerURL): postal orders wait in the outbox")
        }
        if let relay = PortalRelay(dependencies: dependencies) {
            services.append(relay)
        } else {
            logger.info("no national portal configured (portal.url): the portal's messages wait in the outbox")
        }
        let group = ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch let error as ListenError {
            throw UserError.listen(error)
        }
        logger.info("stopped")
    }
}

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Tạo hoặc nâng cấp cơ sở dữ liệu (các bước migration có tên).")

    @OptionGroup var options: ServerOptions

    func run() async throws {
        let loaded = try options.load()
        let opened = try await options.openStore(loaded.configuration)
        let applied = try await opened.store.appliedMigrations()
        say("Cơ sở dữ liệu \(opened.location): đã áp dụng \(applied.count) bước: \(applied.joined(separator: ", "))")
    }
}

struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed", abstract: "Nạp danh mục cơ quan và thủ tục từ Seeds/ (chạy lại nhiều lần không sao).",
        discussion: """
            --demo N thêm N hồ sơ mẫu qua đúng quy trình xử lý (kênh nộp, mức độ trực tuyến, bổ sung, phí, BCCI, đánh giá) \
            và in tài khoản mẫu. Các mẫu phân bố nằm trong Seeds/demo-profiles.json (standard, ha-tinh-2015-2018).
            """)

    @OptionGroup var options: ServerOptions

    @Option(name: .long, help: "Thêm N hồ sơ mẫu (kèm tài khoản mẫu).")
    var demo: Int?

    @Option(name: .long, help: "Mẫu phân bố của hồ sơ mẫu: standard (mặc định) hoặc ha-tinh-2015-2018.")
    var preset: String = DemoProfile.standard.id

    @Option(name: .long, help: "Hồ sơ mẫu nộp từ ngày này (YYYY-MM-DD; mặc định theo mẫu phân bố).")
    var from: String?

    @Option(name: .long, help: "… đến ngày này (YYYY-MM-DD).")
    var to: String?

    func validate() throws {
        if let demo, !(1...10_000_000).contains(demo) { throw ValidationError("--demo phải từ 1 đến 10.000.000.") }
        for (name, value) in [("--from", from), ("--to", to)] where value != nil && LocalDate(iso: value!) == nil {
            throw ValidationError("\(name) phải là ngày dạng YYYY-MM-DD.")
        }
        if let from = from.flatMap({ LocalDate(iso: $0) }), let to = to.flatMap({ LocalDate(iso: $0) }), to < from {
            throw ValidationError("--to phải sau --from.")
        }
    }

    func run() async throws {
        let loaded = try options.load()
        let store = try await options.openStore(loaded.configuration).store
        let report = try await Bootstrap.seed(store: store, catalogue: loaded.catalogue, now: Date())
        say("""
            Danh mục: \(loaded.catalogue.tree.agencies.count) cơ quan, \(loaded.catalogue.procedures.count) thủ tục.
            Thay đổi lần này: \(report.agenciesChanged) cơ quan, \(report.proceduresChanged) thủ tục; \
            \(report.dossiersInherited) hồ sơ chuyển sang cơ quan kế thừa.
            """)
        guard let demo else { return }
        let profiles: [DemoProfile]
        do {
            profiles = try SeedLoader.loadDemoProfiles(from: loaded.seedsDirectory)
        } catch {
            throw UserError(message: "Mẫu phân bố không hợp lệ – \(error.description)", hint: "Sửa Seeds/demo-profiles.json rồi chạy lại.", exitCode: 78)
        }
        guard var profile = profiles.first(where: { $0.id == preset }) else {
            throw UserError(
                message: "Không có mẫu phân bố '\(preset)'.", hint: "Dùng một trong: \(profiles.map(\.id).joined(separator: ", ")).", exitCode: 64)
        }
        if let from = from.flatMap({ LocalDate(iso: $0) }) { profile.from = from }
        if let to = to.flatMap({ LocalDate(iso: $0) }) { profile.to = to }
        var logger = Logger(label: "motcua.seed")
        logger.logLevel = .warning
        let bar = ProgressBar(total: demo, label: "Tạo hồ sơ mẫu")
        let blobs: BlobStore
        do {
            blobs = try BlobStore(directory: loaded.configuration.blobPath)
        } catch {
            throw UserError(
                message: "Không chuẩn bị được thư mục tệp \(loaded.configuration.blobPath): \(error)",
                hint: "Kiểm tra quyền ghi thư mục dữ liệu (--data-dir hoặc MOTCUA_DATA_DIR).", exitCode: 74)
        }
        let result = try await Bootstrap.demo(
            store: store, blobs: blobs, catalogue: loaded.catalogue, calendars: loaded.calendars,
            file: loaded.seedsDirectory.appendingPathComponent("demo.json"), bcryptCost: loaded.configuration.bcryptCost, now: Date(),
            logger: logger, count: demo, profile: profile, progress: { done, total in bar.update(done) })
        bar.finish()
        say("Đã tạo \(result.dossiers) hồ sơ mẫu theo mẫu \(profile.id). Tài khoản mẫu (mật khẩu mới):")
        printLogins(result.logins)
    }
}

/// The demo logins, one a line, each username whole (padded to the longest, never cut) so it can be copied.
func printLogins(_ logins: [Bootstrap.DemoLogin]) {
    let width = logins.map(\.username.count).max() ?? 0
    for login in logins {
        let name = login.username + String(repeating: " ", count: width - login.username.count)
        say("  \(name)  \(login.password)  \(login.role.vietnameseName), \(login.agencyID)")
    }
}

/// A progress bar on standard error: redrawn in place on a terminal, a line every 10% otherwise.
final class ProgressBar: @unchecked Sendable {
    let total: Int
    let label: String
    let terminal = isatty(2) == 1
    private let lock = NSLock()
    private var shown = -1
    private let started = Date()

    init(total: Int, label: String) {
        self.total = max(total, 1)
        self.label = label
    }

    func update(_ done: Int) {
        lock.lock()
        defer { lock.unlock() }
        let percent = done * 100 / total
        guard percent != shown, terminal || percent % 10 == 0 else { return }
        shown = percent
        let width = 30, filled = done * width / total
        let rate = Double(done) / max(Date().timeIntervalSince(started), 0.001)
        let line = "\(label) [\(String(repeating: "█", count: filled))\(String(repeating: "·", count: width - filled))] \(percent)% \(done)/\(total) (\(Int(rate))/s)"
        FileHandle.standardError.write(Data(((terminal ? "\r" : "") + line + (terminal ? "" : "\n")).utf8))
    }

    func finish() {
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

/// Prints the rewrite of a database into the slim layout (issue #21) as it goes: a line when it
/// starts, then at most one every two seconds, and one when it ends.
final class LayoutProgressPrinter: Sendable {
    private let state = Mutex<(started: ContinuousClock.Instant?, printed: ContinuousClock.Instant?)>((nil, nil))

    @Sendable func report(_ progress: LayoutProgress) {
        let now = ContinuousClock.now
        let line: String? = state.withLock { state in
            let first = state.started == nil
            if first { state.started = now }
            let done = progress.done >= progress.total
            guard first || done || state.printed.map({ now - $0 >= .seconds(2) }) ?? true else { return nil }
            state.printed = now
            let percent = progress.total == 0 ? 100 : progress.done * 100 / progress.total
            let seconds = (now - state.started!).components.seconds
            return first
                ? "Đang chuyển \(progress.total) hồ sơ sang cách lưu mới (một lần, có thể dừng và chạy lại để tiếp tục)…"
                : "  \(progress.done)/\(progress.total) hồ sơ (\(percent)%), \(seconds) giây"
        }
        if let line { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }
}

import ArgumentParser
import Foundation
import Logging
import MotCuaConfig
import MotCuaCore
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

    /// Creates the data directory and opens (migrating) the SQLite database.
    func openStore(_ configuration: AppConfiguration) throws -> SQLiteStore {
        do {
            try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
            return try SQLiteStore(path: configuration.databasePath)
        } catch {
            throw UserError(
                message: "Không mở được cơ sở dữ liệu \(configuration.databasePath): \(error)",
                hint: "Kiểm tra quyền ghi thư mục dữ liệu (--data-dir hoặc MOTCUA_DATA_DIR).", exitCode: 74)
        }
    }
}

func makeLogger(level: String) -> Logger {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = Logger.Level(rawValue: level) ?? .info
        return handler
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
        let store = try options.openStore(loaded.configuration)
        let now = Date()
        let report = try await Bootstrap.seed(store: store, catalogue: loaded.catalogue, now: now)
        logger.info("catalogue seeded", metadata: [
            "database": "\(store.path)", "agencies": "\(loaded.catalogue.tree.agencies.count)",
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
        if demo {
            say("Đang tạo dữ liệu mẫu…")
            let result = try await Bootstrap.demo(
                store: store, catalogue: loaded.catalogue, calendars: loaded.calendars,
                file: loaded.seedsDirectory.appendingPathComponent("demo.json"),
                bcryptCost: loaded.configuration.bcryptCost, now: now, logger: logger)
            say("Tài khoản mẫu (--demo, mật khẩu mới mỗi lần khởi động):")
            for login in result.logins {
                say("  \(login.username.padding(toLength: 18, withPad: " ", startingAt: 0)) \(login.password)  \(login.role.vietnameseName), \(login.agencyID)")
            }
            say(result.dossiers > 0 ? "Đã tạo \(result.dossiers) hồ sơ mẫu." : "Hồ sơ mẫu đã có sẵn từ lần chạy trước.")
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
        let dependencies = AppDependencies(
            configuration: loaded.configuration, store: store, calendars: loaded.calendars, catalogue: loaded.catalogue,
            secrets: secrets, blobs: blobs, logger: logger)
        let host = loaded.configuration.host, port = loaded.configuration.port
        let app = buildApplication(dependencies) { channel in
            let address = "\(host):\(channel.localAddress?.port ?? port)"
            say("MotCua đang chạy tại http://\(address) (Ctrl-C để dừng). Tài liệu API: http://\(address)/openapi.json")
        }
        var services: [any Service] = [
            app, Housekeeping(store: store, logger: logger),
            OverdueWatch(store: store, interval: .seconds(loaded.configuration.watch.sweepSeconds), now: { Date() }, logger: logger),
        ]
        let tree = loaded.catalogue.tree
        if let relay = NotificationRelay(
            store: store, settings: loaded.configuration.notifications, agencyName: { tree.agencies[$0]?.name ?? $0 }, logger: logger) {
            services.append(relay)
        } else {
            logger.info("no notification gateway configured: notifications wait in the outbox")
        }
        let group = ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.info("stopped")
    }
}

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Tạo hoặc nâng cấp cơ sở dữ liệu (các bước migration có tên).")

    @OptionGroup var options: ServerOptions

    func run() async throws {
        let loaded = try options.load()
        let store = try options.openStore(loaded.configuration)
        let applied = try store.appliedMigrations()
        say("Cơ sở dữ liệu \(store.path): đã áp dụng \(applied.count) bước: \(applied.joined(separator: ", "))")
    }
}

struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed", abstract: "Nạp danh mục cơ quan và thủ tục từ Seeds/ (chạy lại nhiều lần không sao).")

    @OptionGroup var options: ServerOptions

    func run() async throws {
        let loaded = try options.load()
        let store = try options.openStore(loaded.configuration)
        let report = try await Bootstrap.seed(store: store, catalogue: loaded.catalogue, now: Date())
        say("""
            Danh mục: \(loaded.catalogue.tree.agencies.count) cơ quan, \(loaded.catalogue.procedures.count) thủ tục.
            Thay đổi lần này: \(report.agenciesChanged) cơ quan, \(report.proceduresChanged) thủ tục; \
            \(report.dossiersInherited) hồ sơ chuyển sang cơ quan kế thừa.
            """)
    }
}

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
public struct AppConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var dataDirectory: String
    public var sqliteFile: String
    public var sessionHours: Int
    public var bcryptCost: Int
    public var logLevel: String
    public var maxBodyBytes: Int
    /// Form numbers and titles (Thông tư 01/2018/TT-VPCP by default).
    public var forms: FormSettings

    public var databasePath: String {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent(sqliteFile).path
    }

    struct File: Decodable {
        var server: Server?
        var storage: Storage?
        var auth: Auth?
        var logging: Logging?
        var limits: Limits?
        var forms: FormSettings?

        struct Server: Decodable { var host: String?; var port: Int? }
        struct Storage: Decodable { var dataDirectory: String?; var sqliteFile: String? }
        struct Auth: Decodable { var sessionHours: Int?; var bcryptCost: Int? }
        struct Logging: Decodable { var level: String? }
        struct Limits: Decodable { var maxBodyBytes: Int? }
    }

    /// Loads and validates; throws naming the file (or the variable) and the key.
    public static func load(
        from directory: URL, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(CalendarError) -> AppConfiguration {
        let file = try ConfigLoader.decode(File.self, from: ConfigLoader.mainFile(in: directory))
        var config = AppConfiguration(
            host: file.server?.host ?? "127.0.0.1",
            port: file.server?.port ?? 8080,
            dataDirectory: file.storage?.dataDirectory ?? "data",
            sqliteFile: file.storage?.sqliteFile ?? "motcua.sqlite",
            sessionHours: file.auth?.sessionHours ?? 12,
            bcryptCost: file.auth?.bcryptCost ?? 12,
            logLevel: file.logging?.level ?? "info",
            maxBodyBytes: file.limits?.maxBodyBytes ?? 1_048_576,
            forms: file.forms ?? .circular01of2018)
        func integer(_ name: String) throws(CalendarError) -> Int? {
            guard let text = environment[name] else { return nil }
            guard let value = Int(text) else {
                throw .invalidConfiguration(file: "environment", key: name, reason: "'\(text)' is not a whole number")
            }
            return value
        }
        if let host = environment["MOTCUA_HOST"] { config.host = host }
        if let port = try integer("MOTCUA_PORT") { config.port = port }
        if let dir = environment["MOTCUA_DATA_DIR"] { config.dataDirectory = dir }
        if let name = environment["MOTCUA_SQLITE_FILE"] { config.sqliteFile = name }
        if let hours = try integer("MOTCUA_SESSION_HOURS") { config.sessionHours = hours }
        if let cost = try integer("MOTCUA_BCRYPT_COST") { config.bcryptCost = cost }
        if let level = environment["MOTCUA_LOG_LEVEL"] { config.logLevel = level }
        if let bytes = try integer("MOTCUA_MAX_BODY_BYTES") { config.maxBodyBytes = bytes }

        let main = "motcua.json"
        guard (0...65535).contains(config.port) else {
            throw .invalidConfiguration(file: main, key: "server.port", reason: "\(config.port) is not a port number")
        }
        guard (1...720).contains(config.sessionHours) else {
            throw .invalidConfiguration(file: main, key: "auth.sessionHours", reason: "must be between 1 and 720")
        }
        guard (4...16).contains(config.bcryptCost) else {
            throw .invalidConfiguration(file: main, key: "auth.bcryptCost", reason: "must be between 4 and 16")
        }
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(config.logLevel) else {
            throw .invalidConfiguration(file: main, key: "logging.level", reason: "'\(config.logLevel)' is not a log level")
        }
        guard (1024...104_857_600).contains(config.maxBodyBytes) else {
            throw .invalidConfiguration(file: main, key: "limits.maxBodyBytes", reason: "must be between 1 KiB and 100 MiB")
        }
        for number in ["01", "02", "03", "04"] where config.forms.forms[number] == nil {
            throw .invalidConfiguration(file: main, key: "forms.forms.\(number)", reason: "is required")
        }
        return config
    }
}

/// Which circular's forms the desk prints, with their numbers and official titles.
public struct FormSettings: Sendable, Equatable, Codable {
    public var circular: String
    public var forms: [String: Form]

    public struct Form: Sendable, Equatable, Codable {
        public var number: String
        public var title: String
    }

    /// Thông tư 01/2018/TT-VPCP.
    public static let circular01of2018 = FormSettings(
        circular: "Thông tư số 01/2018/TT-VPCP",
        forms: [
            "01": Form(number: "01", title: "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
            "02": Form(number: "02", title: "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
            "03": Form(number: "03", title: "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
            "04": Form(number: "04", title: "Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
        ])
}

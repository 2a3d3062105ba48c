import Foundation
import MotCuaJSON

/// The officer's session on disk: `~/.config/motcua/session.json` (or `$XDG_CONFIG_HOME/motcua`,
/// or `$MOTCUA_HOME`), readable by its owner only (0600 in a 0700 directory).
struct StoredSession: Codable {
    var server: String
    var username: String
    var token: String
    var expiresAt: Date

    static var directory: URL {
        let environment = ProcessInfo.processInfo.environment
        if let home = environment["MOTCUA_HOME"], !home.isEmpty { return URL(fileURLWithPath: home) }
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return URL(fileURLWithPath: xdg).appendingPathComponent("motcua") }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".config/motcua")
    }

    static var file: URL { directory.appendingPathComponent("session.json") }

    static func load() -> StoredSession? {
        guard let data = FileManager.default.contents(atPath: file.path) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(StoredSession.self, from: data)
    }

    func save() throws {
        let data = try JSONWriter(dateFormat: .iso8601, prettyPrinted: true).data(self)
        try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // Written under a temporary name with the final mode, then renamed: never readable by others, never half-written.
        let temporary = Self.directory.appendingPathComponent(".session.\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw UserError(message: L("Không ghi được phiên đăng nhập vào \(Self.file.path).", "Cannot write the session to \(Self.file.path)."), hint: nil, exitCode: 73)
        }
        guard rename(temporary.path, Self.file.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw UserError(message: L("Không ghi được phiên đăng nhập vào \(Self.file.path).", "Cannot write the session to \(Self.file.path)."), hint: nil, exitCode: 73)
        }
    }

    static func remove() { try? FileManager.default.removeItem(at: file) }
}

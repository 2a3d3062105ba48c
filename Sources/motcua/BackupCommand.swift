import ArgumentParser
import Crypto
import Foundation
import MotCuaConfig
import MotCuaJSON
import MotCuaStore

/// What a backup holds, written last into the archive as `manifest.json`, and checked by
/// `motcua restore` before it keeps anything.
struct BackupManifest: Codable {
    struct Blob: Codable { var sha256: String; var bytes: Int }
    var format = "motcua-backup-1"
    var createdAt: Date
    var source: String
    /// SHA-256 (hex) and size of `motcua.sqlite` in the archive.
    var databaseSHA256: String
    var databaseBytes: Int
    /// Rows per table of that database.
    var counts: [String: Int]
    /// Every uploaded file, named by its content's SHA-256.
    var blobs: [Blob]
    var accessKey: Bool
}

/// `motcua backup --to FILE`: one ustar archive (`tar -tf FILE` lists it) with a consistent
/// snapshot of the SQLite database, taken while the server keeps serving, the uploaded files the
/// database may refer to (each stored once, by its content's name), the access-secret key, and a
/// manifest of counts and checksums.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Sao lưu trực tuyến (máy chủ vẫn chạy): cơ sở dữ liệu, tệp đính kèm, khóa mã bí mật, kèm bảng kê kiểm tra.",
        discussion: """
            Ghi một tệp lưu trữ tar: ảnh chụp nhất quán của cơ sở dữ liệu SQLite (VACUUM INTO), các tệp đính kèm \
            (mỗi tệp một lần, theo mã SHA-256), tệp khóa mã bí mật và manifest.json (số dòng từng bảng, mã kiểm tra). \
            Với PostgreSQL, dùng pg_dump (xem docs/operations.md). Khôi phục bằng: motcua restore --from TỆP --data-dir THƯ-MỤC.
            """)

    @OptionGroup var options: ServerOptions

    @Option(name: .long, help: "Tệp sao lưu sẽ tạo (chưa tồn tại), ví dụ motcua-2026-11-29.tar.")
    var to: String

    func run() async throws {
        let configuration = try options.load().configuration
        guard configuration.backend == .sqlite else {
            throw UserError(
                message: "Cơ sở dữ liệu là PostgreSQL: hãy sao lưu bằng công cụ của PostgreSQL (pg_basebackup kèm lưu trữ WAL để khôi phục đến từng thời điểm, hoặc pg_dump -Fc); motcua backup chỉ sao lưu SQLite.",
                hint: "Sau khi bắt đầu sao lưu cơ sở dữ liệu, chép thư mục tệp đính kèm \(configuration.blobPath) và tệp khóa mã bí mật; xem docs/operations.md.",
                exitCode: 65)
        }
        let database = configuration.databasePath
        guard FileManager.default.fileExists(atPath: database) else {
            throw UserError(message: "Không có cơ sở dữ liệu \(database).", hint: "Chỉ rõ --data-dir của máy chủ cần sao lưu.", exitCode: 66)
        }
        let target = URL(fileURLWithPath: to)
        guard !FileManager.default.fileExists(atPath: target.path) else {
            throw UserError(message: "Tệp \(to) đã có; không ghi đè.", hint: "Chọn một tên tệp mới.", exitCode: 65)
        }
        let work = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let began = Date()

        // 1. The database, as one consistent snapshot.
        let snapshot = work.appendingPathComponent("motcua.sqlite")
        let expected = (try? FileManager.default.attributesOfItem(atPath: database)[.size] as? Int) ?? 1
        let snapshotBar = ProgressBar(total: max(expected, 1), label: "cơ sở dữ liệu (byte)")
        let watcher = Task {
            while !Task.isCancelled {
                let size = (try? FileManager.default.attributesOfItem(atPath: snapshot.path)[.size] as? Int) ?? 0
                snapshotBar.update(min(size, expected))
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        do {
            try SQLiteBackup.snapshot(of: database, to: snapshot.path)
        } catch {
            watcher.cancel()
            throw UserError(message: "Không chụp được cơ sở dữ liệu \(database): \(error)", hint: "Kiểm tra quyền đọc và chỗ trống trên đĩa.", exitCode: 74)
        }
        watcher.cancel()
        snapshotBar.update(expected)
        snapshotBar.finish()
        let counts = try SQLiteBackup.counts(path: snapshot.path)
        let referenced = try SQLiteBackup.referencedFiles(path: snapshot.path)

        // 2. The archive: the snapshot, then every blob (after the snapshot: a file is on disk
        // before the transaction that refers to it commits, so none the snapshot names is missing).
        guard FileManager.default.createFile(atPath: target.path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = FileHandle(forWritingAtPath: target.path) else {
            throw UserError(message: "Không tạo được tệp \(to).", hint: "Kiểm tra quyền ghi thư mục.", exitCode: 73)
        }
        var complete = false
        defer {
            try? handle.close()
            if !complete { try? FileManager.default.removeItem(at: target) }
        }
        let tar = TarWriter(handle: handle)
        let databaseBytes = (try FileManager.default.attributesOfItem(atPath: snapshot.path)[.size] as? Int) ?? 0
        var hasher = SHA256()
        let input = try FileHandle(forReadingFrom: snapshot)
        while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        try input.close()
        let databaseSHA = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        try tar.add("motcua.sqlite", from: snapshot)

        let blobs = Self.blobFiles(in: URL(fileURLWithPath: configuration.blobPath))
        let missing = referenced.subtracting(blobs.map(\.sha256))
        let blobBar = ProgressBar(total: max(blobs.count, 1), label: "tệp đính kèm")
        var manifestBlobs: [BackupManifest.Blob] = []
        for (index, blob) in blobs.enumerated() {
            try tar.add("blobs/\(blob.sha256.prefix(2))/\(blob.sha256)", from: blob.url)
            manifestBlobs.append(.init(sha256: blob.sha256, bytes: blob.bytes))
            blobBar.update(index + 1)
        }
        blobBar.finish()
        let keyFile = URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent(configuration.publicAPI.accessKeyFile)
        let hasKey = FileManager.default.fileExists(atPath: keyFile.path)
        if hasKey { try tar.add("access-secret.key", from: keyFile) }
        let manifest = BackupManifest(
            createdAt: began, source: database, databaseSHA256: databaseSHA, databaseBytes: databaseBytes, counts: counts, blobs: manifestBlobs,
            accessKey: hasKey)
        try tar.add("manifest.json", data: try JSONWriter(dateFormat: .iso8601, prettyPrinted: true).data(manifest))
        try tar.finish()
        complete = true

        let size = (try? FileManager.default.attributesOfItem(atPath: target.path)[.size] as? Int) ?? 0
        let seconds = max(Date().timeIntervalSince(began), 0.001)
        say("Đã sao lưu vào \(to): \(counts["dossiers"] ?? 0) hồ sơ, \(counts["dossier_events"] ?? 0) bước trên phiếu kiểm soát, "
            + "\(blobs.count) tệp đính kèm; \(String(format: "%.1f", Double(size) / 1_048_576)) MB trong \(String(format: "%.1f", seconds)) giây "
            + "(\(String(format: "%.1f", Double(size) / 1_048_576 / seconds)) MB/giây).")
        if !missing.isEmpty {
            say("Cảnh báo: \(missing.count) tệp mà hồ sơ tham chiếu không có trong kho tệp (đã thiếu từ trước khi sao lưu).")
        }
    }

    /// The blob store's files whose name is their SHA-256 (partial writes and strays skipped).
    static func blobFiles(in root: URL) -> [(sha256: String, url: URL, bytes: Int)] {
        guard let shards = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return [] }
        var files: [(String, URL, Int)] = []
        for shard in shards.sorted() where shard.count == 2 {
            let directory = root.appendingPathComponent(shard)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?.sorted() ?? []
            where name.count == 64 && name.hasPrefix(shard) && name.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) {
                let url = directory.appendingPathComponent(name)
                files.append((name, url, (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0))
            }
        }
        return files
    }
}

/// `motcua restore --from FILE --data-dir D`: unpacks a backup into an empty data directory and
/// checks it against its manifest (the database's checksum and row counts, every file's content
/// against its name, `PRAGMA integrity_check`) before saying it is done; on any failure the
/// directory is left empty.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Khôi phục một bản sao lưu vào một thư mục dữ liệu trống, có kiểm tra với bảng kê.")

    @Option(name: .long, help: "Tệp sao lưu (do motcua backup tạo).")
    var from: String

    @Option(name: .customLong("data-dir"), help: "Thư mục dữ liệu mới (chưa có hoặc trống).")
    var dataDirectory: String

    func run() async throws {
        guard let handle = FileHandle(forReadingAtPath: from) else {
            throw UserError(message: "Không đọc được tệp sao lưu \(from).", hint: nil, exitCode: 66)
        }
        defer { try? handle.close() }
        let target = URL(fileURLWithPath: dataDirectory)
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: target.path)) ?? []
        guard existing.isEmpty else {
            throw UserError(message: "Thư mục \(dataDirectory) đã có dữ liệu; không khôi phục đè.", hint: "Chọn một thư mục trống.", exitCode: 65)
        }
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        var complete = false
        defer {
            if !complete {
                for name in (try? FileManager.default.contentsOfDirectory(atPath: target.path)) ?? [] {
                    try? FileManager.default.removeItem(at: target.appendingPathComponent(name))
                }
            }
        }
        do {
            let report = try unpack(TarReader(handle: handle), into: target)
            complete = true
            say("Đã khôi phục vào \(dataDirectory): \(report.dossiers) hồ sơ, \(report.events) bước trên phiếu kiểm soát, \(report.blobs) tệp đính kèm; "
                + "mã kiểm tra và số dòng khớp bảng kê, PRAGMA integrity_check: ok.")
            say("Chạy máy chủ: motcua serve --data-dir \(dataDirectory)")
        } catch let error as UserError {
            throw error
        } catch {
            throw UserError(message: "Bản sao lưu hỏng: \(error)", hint: "Thư mục \(dataDirectory) được để trống.", exitCode: 65)
        }
    }

    struct Report { var dossiers: Int; var events: Int; var blobs: Int }

    func unpack(_ tar: TarReader, into target: URL) throws -> Report {
        var blobHashes: [String: String] = [:]
        var databaseHash = ""
        var manifest: BackupManifest?
        while let entry = try tar.next() {
            if entry.name == "manifest.json" {
                let decoder = JSONDecoder()
                decoder.dateDecodingStrategy = .iso8601
                manifest = try decoder.decode(BackupManifest.self, from: try tar.read(size: entry.size))
                continue
            }
            let isBlob = entry.name.hasPrefix("blobs/") && entry.name.split(separator: "/").count == 3
            guard isBlob || entry.name == "motcua.sqlite" || entry.name == "access-secret.key", !entry.name.contains("..") else {
                throw TarError.corrupt("có mục lạ \(entry.name)")
            }
            let url = target.appendingPathComponent(entry.name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]),
                  let output = FileHandle(forWritingAtPath: url.path) else { throw TarError.corrupt("không ghi được \(entry.name)") }
            var hasher = SHA256()
            try tar.copy(size: entry.size, to: output) { hasher.update(data: $0) }
            try output.synchronize()
            try output.close()
            let hash = hasher.finalize().map { String(format: "%02x", $0) }.joined()
            if isBlob { blobHashes[url.lastPathComponent] = hash } else if entry.name == "motcua.sqlite" { databaseHash = hash }
        }
        guard let manifest, manifest.format == "motcua-backup-1" else { throw TarError.corrupt("thiếu manifest.json") }
        guard databaseHash == manifest.databaseSHA256 else { throw TarError.corrupt("mã kiểm tra của cơ sở dữ liệu khác bảng kê") }
        for (name, hash) in blobHashes where name != hash { throw TarError.corrupt("tệp \(name) không đúng nội dung mà tên của nó cam kết") }
        guard Set(blobHashes.keys) == Set(manifest.blobs.map(\.sha256)) else { throw TarError.corrupt("thiếu hoặc thừa tệp đính kèm so với bảng kê") }
        let database = target.appendingPathComponent("motcua.sqlite").path
        let integrity = try SQLiteBackup.integrityCheck(path: database)
        guard integrity == ["ok"] else { throw TarError.corrupt("PRAGMA integrity_check: \(integrity.prefix(3).joined(separator: "; "))") }
        let counts = try SQLiteBackup.counts(path: database)
        guard counts == manifest.counts else { throw TarError.corrupt("số dòng khác bảng kê") }
        return Report(dossiers: counts["dossiers"] ?? 0, events: counts["dossier_events"] ?? 0, blobs: blobHashes.count)
    }
}

import Crypto
import Foundation
import MotCuaStore
import NIOCore
import NIOPosix
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Uploaded files, stored content-addressed: `<root>/<first two hex digits>/<sha256>`.
///
/// A file is written (temporary name, fsync, rename, fsync of the directory) before the database
/// transaction that refers to it commits, so an acknowledged dossier never points at a missing
/// file. Files a failed request wrote are deleted again unless a dossier refers to them or another
/// request in flight uses them (`pins`).
public final class BlobStore: Sendable {
    public let root: URL
    private let pins = Mutex<[String: Int]>([:])

    public init(directory: String) throws {
        root = URL(fileURLWithPath: directory, isDirectory: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("tmp"), withIntermediateDirectories: true)
    }

    public static func sha256Hex(_ bytes: ByteBuffer) -> String {
        bytes.withUnsafeReadableBytes { SHA256.hash(data: $0) }.map { String(format: "%02x", $0) }.joined()
    }

    func path(_ sha256: String) -> URL {
        root.appendingPathComponent(String(sha256.prefix(2))).appendingPathComponent(sha256)
    }

    /// Whether `sha256` names a blob (64 lower-case hex digits) at all.
    static func isValidName(_ sha256: String) -> Bool {
        sha256.utf8.count == 64 && sha256.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// Writes the bytes (known by their hash) and pins them until `unpin`; `created` is false when
    /// the same content was already stored.
    public func put(_ bytes: ByteBuffer, sha256: String) async throws -> Bool {
        pins.withLock { $0[sha256, default: 0] += 1 }
        do {
            return try await NIOThreadPool.singleton.runIfActive { [root] in
                try Self.writeDurably(bytes, to: root, sha256: sha256)
            }
        } catch {
            unpin([sha256])
            throw error
        }
    }

    public func unpin(_ hashes: [String]) {
        pins.withLock { pins in
            for hash in hashes {
                let count = (pins[hash] ?? 1) - 1
                pins[hash] = count > 0 ? count : nil
            }
        }
    }

    /// After a failed request: unpins its files and deletes those it created that nothing uses.
    public func discard(created: [String], pinned: [String], store: any DossierStore) async {
        unpin(pinned)
        for hash in created {
            // A dossier that commits later must have pinned the file before, so the check below
            // (no pin, no reference) cannot race with a new reference.
            guard (try? await store.isFileReferenced(sha256: hash)) == false else { continue }
            pins.withLock { pins in
                if pins[hash] == nil { unlink(path(hash).path) }
            }
        }
    }

    public func read(_ sha256: String) async throws -> ByteBuffer {
        let url = path(sha256)
        return try await NIOThreadPool.singleton.runIfActive {
            ByteBuffer(data: try Data(contentsOf: url))
        }
    }

    /// How many blobs are stored (tests, admin).
    public func count() -> Int {
        let shards = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return shards.filter { $0 != "tmp" }.reduce(0) { total, shard in
            total + ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(shard).path))?.count ?? 0)
        }
    }

    private static func writeDurably(_ bytes: ByteBuffer, to root: URL, sha256: String) throws -> Bool {
        let shard = root.appendingPathComponent(String(sha256.prefix(2)))
        let final = shard.appendingPathComponent(sha256)
        if access(final.path, F_OK) == 0 { return false }
        var newShard = false
        if mkdir(shard.path, 0o750) == 0 { newShard = true } else if errno != EEXIST { throw posixError("mkdir") }
        let temporary = root.appendingPathComponent("tmp").appendingPathComponent("\(sha256).\(UUID().uuidString)")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL, 0o640)
        guard fd >= 0 else { throw posixError("open") }
        var ok = false
        defer {
            if !ok { unlink(temporary.path) }
        }
        do {
            defer { close(fd) }
            try bytes.withUnsafeReadableBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw posixError("write")
                    }
                    offset += written
                }
            }
            guard fsync(fd) == 0 else { throw posixError("fsync") }
        }
        guard rename(temporary.path, final.path) == 0 else { throw posixError("rename") }
        ok = true
        try syncDirectory(shard)
        if newShard { try syncDirectory(root) }
        return true
    }

    private static func syncDirectory(_ url: URL) throws {
        let fd = open(url.path, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { throw posixError("open directory") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw posixError("fsync directory") }
    }

    private static func posixError(_ call: String) -> any Error {
        NSError(domain: NSPOSIXErrorDomain, code: Int(errno), userInfo: [NSLocalizedDescriptionKey: "\(call): \(String(cString: strerror(errno)))"])
    }
}

import Foundation
import MotCuaTestSupport
import Testing
@testable import MotCuaStore

/// The backup's container on its own: what `TarWriter` writes, GNU tar lists and unpacks, and
/// `TarReader` reads back; a damaged archive is said to be damaged.
@Suite("Backup archive (ustar)")
struct TarArchiveTests {
    /// An archive with a file copied from disk (over one block, not a whole number of them), an
    /// empty one, and a blob path as the backup names them.
    static func archive() throws -> (URL, [(String, Data)]) {
        let directory = TestScratch.path("motcua-tar")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let source = directory.appendingPathComponent("motcua.sqlite")
        let big = Data((0..<1300).map { UInt8($0 % 251) })
        try big.write(to: source)
        let blob = "blobs/ab/" + String(repeating: "ab", count: 32)
        let entries = [("motcua.sqlite", big), ("manifest.json", Data(#"{"phiên bản":1}"#.utf8)), ("empty", Data()), (blob, Data("%PDF-1.7".utf8))]
        let url = directory.appendingPathComponent("backup.tar")
        #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
        let handle = try FileHandle(forWritingTo: url)
        let writer = TarWriter(handle: handle)
        var copied = 0
        try writer.add("motcua.sqlite", from: source) { copied += $0 }
        #expect(copied == big.count)
        for (name, data) in entries.dropFirst() { try writer.add(name, data: data) }
        try writer.finish()
        try handle.close()
        return (url, entries)
    }

    @Test("What TarWriter writes, TarReader reads back entry by entry, padded to 512-byte blocks")
    func roundTrip() throws {
        let (url, entries) = try Self.archive()
        let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int
        // Headers, contents padded to blocks, and the two empty blocks at the end.
        #expect(size == 512 * 4 + 1536 + 512 + 0 + 512 + 1024)
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let reader = TarReader(handle: handle)
        var read: [(String, Data)] = []
        while let (name, size) = try reader.next() { read.append((name, try reader.read(size: size))) }
        #expect(read.map(\.0) == entries.map(\.0) && read.map(\.1) == entries.map(\.1))
    }

    @Test("GNU tar unpacks the same bytes, with the files' mode")
    func gnuTarReadsIt() throws {
        let (url, entries) = try Self.archive()
        let out = url.deletingLastPathComponent().appendingPathComponent("unpacked")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: FileManager.default.isExecutableFile(atPath: "/usr/bin/tar") ? "/usr/bin/tar" : "/bin/tar")
        process.arguments = ["-xf", url.path, "-C", out.path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")
        for (name, data) in entries {
            #expect(FileManager.default.contents(atPath: out.appendingPathComponent(name).path) == data, "\(name)")
        }
        let mode = try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent("motcua.sqlite").path)[.posixPermissions] as? Int
        #expect(mode == 0o600, "the backup's files are for the service's account only")
    }

    @Test("A name of 100 bytes or more is refused before anything is written")
    func longName() throws {
        #expect(throws: TarError.self) { try TarWriter.header(name: String(repeating: "đ", count: 50), size: 1, mode: 0o600) }
        #expect(try TarWriter.header(name: String(repeating: "a", count: 99), size: 1, mode: 0o600).count == 512)
    }

    @Test("A flipped byte in a header, or an archive cut in an entry, is said to be damaged")
    func damaged() throws {
        let (url, _) = try Self.archive()
        var bytes = try Data(contentsOf: url)
        bytes[10] ^= 0x01  // inside the first header's name
        let flipped = url.deletingLastPathComponent().appendingPathComponent("flipped.tar")
        try bytes.write(to: flipped)
        let handle = try FileHandle(forReadingFrom: flipped)
        defer { try? handle.close() }
        #expect { try TarReader(handle: handle).next() } throws: { "\($0)".contains("mã kiểm tra") }

        let cut = url.deletingLastPathComponent().appendingPathComponent("cut.tar")
        try Data(try Data(contentsOf: url).prefix(512 + 700)).write(to: cut)
        let cutHandle = try FileHandle(forReadingFrom: cut)
        defer { try? cutHandle.close() }
        let reader = TarReader(handle: cutHandle)
        let first = try #require(try reader.next())
        #expect { try reader.read(size: first.size) } throws: { "\($0)".contains("kết thúc giữa chừng") }
    }
}

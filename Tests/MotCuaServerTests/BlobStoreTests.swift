import Foundation
import MotCuaStore
import MotCuaTestSupport
import NIOCore
import Testing
@testable import MotCuaServer

/// Uploaded files by their content: written durably under their hash, stored once whoever sends
/// them, and deleted after a failed request only when nothing else holds them.
@Suite("The blob store")
struct BlobStoreTests {
    func store() throws -> BlobStore { try BlobStore(directory: TestScratch.path("motcua-blobs").path) }

    @Test("A file is stored under its SHA-256, in a shard of its first two digits, and read back; the same content once")
    func putAndRead() async throws {
        let blobs = try store()
        let bytes = ByteBuffer(string: "%PDF-1.7\n% giấy khai sinh\n")
        let hash = BlobStore.sha256Hex(bytes)
        #expect(hash.count == 64 && BlobStore.isValidName(hash))
        #expect(try await blobs.put(bytes, sha256: hash))
        let path = blobs.root.appendingPathComponent(String(hash.prefix(2))).appendingPathComponent(hash).path
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try await blobs.read(hash) == bytes)
        #expect(try await blobs.put(bytes, sha256: hash) == false, "already there: not written again")
        #expect(blobs.count() == 1)
        // Nothing left half-written aside.
        #expect(try FileManager.default.contentsOfDirectory(atPath: blobs.root.appendingPathComponent("tmp").path).isEmpty)
        blobs.unpin([hash, hash])
    }

    @Test("A name is 64 lower-case hex digits, nothing else", arguments: [
        (String(repeating: "a", count: 64), true), (String(repeating: "0", count: 64), true), (String(repeating: "A", count: 64), false),
        (String(repeating: "a", count: 63), false), (String(repeating: "g", count: 64), false), ("../" + String(repeating: "a", count: 61), false), ("", false),
    ])
    func names(name: String, valid: Bool) {
        #expect(BlobStore.isValidName(name) == valid)
    }

    @Test("After a failed request, its new files go unless another request holds them or a dossier refers to them")
    func discard() async throws {
        let blobs = try store()
        let store = try SQLiteStore(path: TestScratch.path("motcua-blobs-db", suffix: ".sqlite").path)
        let lonely = ByteBuffer(string: "only this request")
        let shared = ByteBuffer(string: "two requests at once")
        let (a, b) = (BlobStore.sha256Hex(lonely), BlobStore.sha256Hex(shared))
        #expect(try await blobs.put(lonely, sha256: a))
        #expect(try await blobs.put(shared, sha256: b))
        #expect(try await blobs.put(shared, sha256: b) == false)  // a second request pins it too
        await blobs.discard(created: [a, b], pinned: [a, b], store: store)
        #expect((try? await blobs.read(a)) == nil, "nothing else held it: deleted")
        #expect(try await blobs.read(b) == shared, "the other request still holds it")
        blobs.unpin([b])
        await blobs.discard(created: [b], pinned: [], store: store)
        #expect((try? await blobs.read(b)) == nil)
        #expect(blobs.count() == 0)
    }

    @Test("Reading a file that is not there is an error, not empty bytes")
    func missing() async throws {
        let blobs = try store()
        await #expect(throws: (any Error).self) { _ = try await blobs.read(String(repeating: "b", count: 64)) }
    }

    @Test("Many writers of the same content at once: one file, every writer told the truth about creating it")
    func concurrentWriters() async throws {
        let blobs = try store()
        let bytes = ByteBuffer(string: String(repeating: "dữ liệu ", count: 10_000))
        let hash = BlobStore.sha256Hex(bytes)
        let created = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 { group.addTask { try await blobs.put(bytes, sha256: hash) } }
            var results: [Bool] = []
            for try await result in group { results.append(result) }
            return results
        }
        #expect(created.contains(true), "someone wrote it")
        #expect(blobs.count() == 1)
        #expect(try await blobs.read(hash) == bytes)
        #expect(try FileManager.default.contentsOfDirectory(atPath: blobs.root.appendingPathComponent("tmp").path).isEmpty)
    }
}

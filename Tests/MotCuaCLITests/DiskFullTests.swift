import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MotCuaTestSupport
import Testing

@Suite("A full disk", .serialized)
struct DiskFullTests {
    /// Runs a program; its exit status.
    func run(_ path: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test("On a full data volume (a 24 MB tmpfs), an upload answers 503 storage-full with Retry-After, a database write succeeds or is refused the same way, nothing half-written; all works again once space returns")
    func fullVolume() async throws {
        // Mounting needs root (and a machine that lets root mount: this one does). Where it
        // cannot, the same two refusals are shown without a mount by `StorageFullTests` (SQLite
        // full through max_page_count, and the ENOSPC of a file write), which always run.
        let volume = TestScratch.path("motcua-full")
        try FileManager.default.createDirectory(at: volume, withIntermediateDirectories: true)
        guard geteuid() == 0, (try? run("/bin/mount", ["-t", "tmpfs", "-o", "size=24m", "tmpfs", volume.path])) == 0 else {
            print("disk full on a tmpfs: not run here (mounting needs root); StorageFullTests cover the refusals")
            return
        }
        defer { _ = try? run("/bin/umount", ["-l", volume.path]) }
        let data = volume.appendingPathComponent("data")
        let server = try ServerProcess(dataDirectory: data)
        defer { server.stop() }
        try server.waitUntilListening()
        let base = try #require(server.baseURL)
        let admin = try await server.adminSession()
        func submit(_ index: Int) async throws -> (Int, [String: Any], String?) {
            let (body, type) = PostalCrashTests.application(agencyID: admin.agencyID, index: index, documents: admin.documents)
            var request = URLRequest(url: base.appendingPathComponent("api/v1/public/dossiers"))
            request.httpMethod = "POST"
            request.httpBody = body
            request.setValue(type, forHTTPHeaderField: "Content-Type")
            let (answer, response) = try await URLSession.shared.data(for: request)
            let http = response as? HTTPURLResponse
            return (http?.statusCode ?? 0, (try? JSONSerialization.jsonObject(with: answer)) as? [String: Any] ?? [:], http?.value(forHTTPHeaderField: "Retry-After"))
        }
        let (first, filed, _) = try await submit(0)
        #expect(first == 201)

        // Fill the volume to the last byte.
        let filler = volume.appendingPathComponent("filler")
        #expect(FileManager.default.createFile(atPath: filler.path, contents: nil))
        let handle = try FileHandle(forWritingTo: filler)
        let chunk = Data(count: 1 << 20)
        while (try? handle.write(contentsOf: chunk)) != nil {}
        try? handle.close()
        func blobFiles() throws -> [String] {
            let root = data.appendingPathComponent("blobs").path
            return try FileManager.default.subpathsOfDirectory(atPath: root).filter { path in
                var directory: ObjCBool = false
                return FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &directory) && !directory.boolValue
            }
        }
        let blobsBefore = try blobFiles()

        let (status, problem, retryAfter) = try await submit(1)
        #expect(status == 503 && problem["type"] as? String == "/problems/storage-full" && retryAfter == "60", "\(status) \(problem)")
        let (loginStatus, loginProblem) = try await fetch(
            base.appendingPathComponent("api/v1/auth/login"), method: "POST", json: ["username": "admin", "password": admin.password])
        // A small write may still fit (SQLite rewrites its log from the start after a
        // checkpoint, in blocks it already has); if it does not, it is the same clean refusal.
        #expect(loginStatus == 201 || (loginStatus == 503 && loginProblem["type"] as? String == "/problems/storage-full"), "\(loginStatus) \(loginProblem)")
        // The refused upload left no file behind (nor half a file).
        #expect(try blobFiles() == blobsBefore)

        // Emptied before it is removed: a child process that another test started while the
        // filler was open inherits its descriptor, and a removed file's blocks stay taken until
        // every descriptor is closed (this test saw the volume stay full, the whole suite running).
        #expect(truncate(filler.path, 0) == 0)
        try FileManager.default.removeItem(at: filler)
        // As a client told Retry-After would: on a loaded machine (the whole suite at once) one
        // refusal was seen just after the space came back (1 run in 6); a second try is 201.
        var (again, refiled, _) = try await submit(2)
        for _ in 0..<3 where again == 503 {
            try await Task.sleep(for: .seconds(1))
            (again, refiled, _) = try await submit(2)
        }
        #expect(again == 201, "\(refiled)")
        let (_, login) = try await fetch(base.appendingPathComponent("api/v1/auth/login"), method: "POST", json: ["username": "admin", "password": admin.password])
        let token = try #require(login["token"] as? String)
        for code in [filed["code"], refiled["code"]].compactMap({ $0 as? String }) {
            #expect(try await fetch(base.appendingPathComponent("api/v1/dossiers/\(code)"), token: token).0 == 200)
        }
        let (_, list) = try await fetch(base.appendingPathComponent("api/v1/dossiers"), token: token)
        #expect(list["total"] as? Int == 2, "the refused application left nothing: \(list["total"] ?? "?")")
    }
}

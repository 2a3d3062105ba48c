import Foundation
import Logging
import MotCuaTestSupport
import Testing
@testable import MotCuaServer

@Suite("Server log lines")
struct LineLogHandlerTests {
    /// Logs through a handler that writes to a scratch file, and returns what was written.
    func lines(level: Logger.Level = .info, _ body: (inout Logger) -> Void) throws -> [String] {
        let url = TestScratch.path("log", suffix: ".txt")
        #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var logger = Logger(label: "motcua") { label in
            LineLogHandler(label: label, level: level, fileDescriptor: handle.fileDescriptor, metadataProvider: nil)
        }
        body(&logger)
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    @Test("Lines as swift-log's stream handler writes them: time, level, label, sorted metadata, source, message")
    func format() throws {
        let written = try lines { logger in
            logger[metadataKey: "hb.request.id"] = "abc"
            logger[metadataKey: "officer"] = "motcua.songtri"
            logger.info("dossier filed", metadata: ["code": "000.07.01.H25-261124-0001", "officer": "override"], source: "MotCuaServer")
            logger.debug("not written at info")
            logger.warning("no metadata of its own", source: "S")
        }
        #expect(written.count == 3 && written[2].isEmpty, "\(written)")
        let pattern = #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} /#
        #expect(written[0].prefixMatch(of: pattern) != nil, "\(written[0])")
        #expect(written[0].hasSuffix(
            " info motcua: code=000.07.01.H25-261124-0001 hb.request.id=abc officer=override [MotCuaServer] dossier filed"), "\(written[0])")
        #expect(written[1].hasSuffix(" warning motcua: hb.request.id=abc officer=motcua.songtri [S] no metadata of its own"), "\(written[1])")
    }

    @Test("An error's message and type join the metadata; the level filters")
    func errorsAndLevels() throws {
        struct Broken: Error, CustomStringConvertible { var description: String { "đĩa đầy" } }
        let written = try lines(level: .error) { logger in
            logger.warning("dropped")
            logger.error("write failed", error: Broken())
        }
        #expect(written.count == 2)
        #expect(written[0].contains(" error motcua: error.message=đĩa đầy error.type="), "\(written[0])")
        #expect(written[0].contains("Broken"), "\(written[0])")
        #expect(written[0].hasSuffix("write failed"), "\(written[0])")
    }

    @Test("A background pass that fails is an error line, but not when the server stops and cuts it short")
    func failedPasses() async throws {
        struct Broken: Error {}
        let written = try lines(level: .info) { logger in
            logger.passFailed("overdue watch failed", error: Broken())
            logger.passFailed("housekeeping failed", error: CancellationError())
        }
        #expect(written.count == 2 && written[0].contains(" error motcua: error=Broken") && written[0].hasSuffix("overdue watch failed"), "\(written)")
        // Any error, once the task is cancelled (a query interrupted by the shutdown fails with the driver's own error).
        let url = TestScratch.path("log", suffix: ".txt")
        #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        let logger = Logger(label: "motcua") { LineLogHandler(label: $0, level: .info, fileDescriptor: handle.fileDescriptor, metadataProvider: nil) }
        let pass = Task {
            while !Task.isCancelled { await Task.yield() }
            logger.passFailed("abandoned supplementation watch failed", error: Broken())
        }
        pass.cancel()
        await pass.value
        #expect(try String(contentsOf: url, encoding: .utf8).isEmpty)
    }

    @Test("The timestamp is the local time of the second it is asked for")
    func timestamp() {
        let now = time(nil)
        #expect(LineLogHandler.timestamp(now: now) == LineLogHandler.format(now))
        #expect(LineLogHandler.timestamp(now: now + 1) == LineLogHandler.format(now + 1))
        #expect(LineLogHandler.format(now) != LineLogHandler.format(now + 1))
        #expect(LineLogHandler.format(0).hasPrefix("19"), "\(LineLogHandler.format(0))")
    }
}

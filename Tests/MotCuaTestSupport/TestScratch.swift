import Foundation

/// Where the tests put their files: one directory per test run, under the system's temporary
/// directory, removed when the test process exits (a crashed run leaves it for inspection).
public enum TestScratch {
    public static let root: URL = {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("motcua-tests-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: TestScratch.root) }
        return root
    }()

    /// A fresh path under the run's directory: `<prefix>-<UUID><suffix>`, not created.
    public static func path(_ prefix: String, suffix: String = "") -> URL {
        root.appendingPathComponent("\(prefix)-\(UUID().uuidString)\(suffix)")
    }
}

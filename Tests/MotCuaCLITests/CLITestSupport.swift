import Foundation

/// The repository root, for `--config` paths.
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// The built `motcua` executable (it sits beside the test bundle).
func motcuaExecutable() throws -> URL { try builtExecutable("motcua") }

/// A built executable of the package (`motcua`, `postal-sim`).
func builtExecutable(_ name: String) throws -> URL {
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
    let candidates = [binary] + [
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(name),
    ]
    guard let executable = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: binary.path])
    }
    return executable
}

/// Runs the built `motcua` executable and captures its output (two minutes at most).
func motcua(_ arguments: [String], environment: [String: String] = [:], directory: URL = repositoryRoot, input: String? = nil) throws -> CommandResult {
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "MOTCUA_CONFIG")
    env.merge(environment) { $1 }
    return try runCommand(try motcuaExecutable().path, arguments, environment: env, directory: directory, input: input)
}

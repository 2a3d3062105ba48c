import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Child processes for the CLI tests, spawned with `posix_spawn` and reaped with `waitpid` on
/// their own pid. Foundation's `Process` learns of exits through SIGCHLD, which on Linux can be
/// delivered to a thread that does not watch for it; `waitUntilExit` then waits for ever (seen
/// with tmux's short-lived client). Every wait here has a deadline, after which the child is
/// killed and the test fails with a sentence saying what it was waiting for.
final class Subprocess: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let pid: pid_t
    let command: String
    /// The parent's ends of the pipes asked for (nil: /dev/null in the child).
    let input: Int32?, output: Int32?, error: Int32?
    private let lock = NSLock()
    private var status: Int32?
    /// Pipes are made and handed over under one lock, so that no other child spawned by these
    /// tests can inherit an end between `pipe` and `FD_CLOEXEC`.
    private static let spawnLock = NSLock()

    /// Spawns `executable` (in `directory`, through `env -C`) with the given arguments and environment.
    init(_ executable: String, _ arguments: [String], environment: [String: String], directory: URL?,
         input wantsInput: Bool = false, output wantsOutput: Bool = true, error wantsError: Bool = true) throws {
        let program = directory == nil ? [executable] : ["/usr/bin/env", "-C", directory!.path, executable]
        command = (program + arguments).joined(separator: " ")
        Self.spawnLock.lock()
        defer { Self.spawnLock.unlock() }
        func pipeEnds() throws -> (read: Int32, write: Int32) {
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else { throw Failure(description: "pipe failed: \(errno)") }
            _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
            return (ends[0], ends[1])
        }
        let stdin = wantsInput ? try pipeEnds() : nil
        let stdout = wantsOutput ? try pipeEnds() : nil
        let stderr = wantsError ? try pipeEnds() : nil
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (source, target) in [(stdin?.read, Int32(0)), (stdout?.write, 1), (stderr?.write, 2)] {
            if let source {
                posix_spawn_file_actions_adddup2(&actions, source, target)
            } else {
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A fresh signal mask and default dispositions: the test runner's threads block some.
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = (program + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, program[0], &actions, &attributes, argv, envp)
        // The child's ends belong to the child alone.
        [stdin?.read, stdout?.write, stderr?.write].compactMap { $0 }.forEach { close($0) }
        guard result == 0 else {
            [stdin?.write, stdout?.read, stderr?.read].compactMap { $0 }.forEach { close($0) }
            throw Failure(description: "cannot start \(program[0]): \(String(cString: strerror(result)))")
        }
        pid = child
        input = stdin?.write
        output = stdout?.read
        error = stderr?.read
    }

    /// The exit status (128 + signal when killed by a signal), once the child has ended.
    var exitStatus: Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let status { return status }
        var raw: Int32 = 0
        guard waitpid(pid, &raw, WNOHANG) == pid else { return nil }
        let code = raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
        status = code
        return code
    }

    /// Waits for the child to end; past the deadline it is killed and `Failure` is thrown.
    @discardableResult
    func wait(seconds: Double) throws -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let code = exitStatus { return code }
            usleep(5_000)
        }
        signal(SIGKILL)
        while exitStatus == nil { usleep(5_000) }
        throw Failure(description: "`\(command)` did not finish within \(Int(seconds)) s and was killed")
    }

    func signal(_ number: Int32) {
        if exitStatus == nil { kill(pid, number) }
    }
}

/// Reads a file descriptor to its end on a thread of its own, so that a child never blocks on a
/// full pipe while the test waits for something else.
final class Drain: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = Data()
    private var ended = false

    init(_ descriptor: Int32) {
        let thread = Thread { [self] in
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = Glibc.read(descriptor, &chunk, chunk.count)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                lock.lock()
                buffer.append(contentsOf: chunk[0..<count])
                lock.unlock()
            }
            close(descriptor)
            lock.lock()
            ended = true
            lock.unlock()
        }
        thread.start()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: buffer, as: UTF8.self)
    }

    var isFinished: Bool {
        lock.lock()
        defer { lock.unlock() }
        return ended
    }

    /// The text once the writer has closed its end (or what there is at the deadline).
    func finished(seconds: Double) -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while !isFinished && Date() < deadline { usleep(2_000) }
        return text
    }
}

/// Runs a command to its end with a deadline, feeding `input` and capturing both outputs.
func runCommand(_ executable: String, _ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
                directory: URL? = nil, input: String? = nil, seconds: Double = 120) throws -> CommandResult {
    let child = try Subprocess(executable, arguments, environment: environment, directory: directory, input: input != nil)
    let stdout = Drain(child.output!), stderr = Drain(child.error!)
    if let descriptor = child.input, let input {
        let bytes = Array(input.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
    }
    let status = try child.wait(seconds: seconds)
    // Grandchildren that kept the pipes (a daemonising tmux server does not) cannot hold us up.
    return CommandResult(status: status, stdout: stdout.finished(seconds: 5), stderr: stderr.finished(seconds: 5))
}

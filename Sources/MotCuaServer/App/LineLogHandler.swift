import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The server's log handler: the same lines as swift-log's `StreamLogHandler`
/// (`2026-11-23T22:33:45+0700 info motcua: code=… officer=… [MotCuaServer] dossier filed`), at a
/// fraction of the cost per line, since the server writes one for every dossier it files:
/// - the timestamp is formatted once per second, not with `localtime` and `strftime` for every
///   line (glibc takes a process-wide lock in `localtime`);
/// - the metadata is rendered when a line is written, not each time a request's logger gains a key;
/// - a line goes out in one `write(2)`, with no stdio lock and flush around it. Lines are never
///   interleaved (one call per line) and never held back in a buffer.
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let fileDescriptor: Int32

    /// Writes to standard error, like `StreamLogHandler.standardError`.
    public init(label: String, level: Logger.Level = .info, fileDescriptor: Int32 = 2,
                metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.label = label
        self.logLevel = level
        self.fileDescriptor = fileDescriptor
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, provided in provided }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            merged.merge(explicit) { _, explicit in explicit }
        }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        var line = LineLogHandler.timestamp()
        line.reserveCapacity(160)
        line += " \(event.level)"
        if !label.isEmpty { line += " \(label)" }
        line += ":"
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(value)"
        }
        line += " [\(event.source)] \(event.message)\n"
        LineLogHandler.write(line, to: fileDescriptor)
    }

    /// Writes all of `line`, retrying after a signal or a partial write.
    static func write(_ line: String, to fileDescriptor: Int32) {
        var line = line
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(fileDescriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return  // nowhere to report a failing log stream
                }
            }
        }
    }

    private static let clock = Mutex<(second: Int, text: String)>((-1, ""))

    /// `yyyy-MM-ddTHH:mm:ss±hhmm` in local time, as `StreamLogHandler` writes it.
    static func timestamp(now: time_t = time(nil)) -> String {
        clock.withLock { cached in
            if cached.second != Int(now) {
                cached = (Int(now), format(now))
            }
            return cached.text
        }
    }

    static func format(_ seconds: time_t) -> String {
        var seconds = seconds
        var parts = tm()
        guard localtime_r(&seconds, &parts) != nil else { return "<unknown>" }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

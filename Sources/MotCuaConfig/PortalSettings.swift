import Foundation
import MotCuaCore

/// The national public-service portal (Cổng DVCQG): where the dossiers' changes go, and how.
public struct PortalSettings: Sendable, Equatable {
    /// The portal's API base: messages are `POST {url}/dossiers/sync` and `…/progress`. None:
    /// messages wait in the outbox (the start log says so) and reconciliation is unavailable.
    public var url: String?
    /// Sent as `Authorization: Bearer …` with every request.
    public var apiKey: String?
    /// How long transient failures (408, 425, 429, 5xx, timeouts) are retried, from the message's
    /// creation or its manual retry, before it becomes a dead letter.
    public var retryHours: Double
    public var backoffSeconds: Double
    public var maxBackoffSeconds: Double
    public var pollSeconds: Double
    public var timeoutSeconds: Double
    /// Dossiers whose messages are in flight at once (each dossier's go one at a time, in order).
    public var window: Int
    /// Messages sent per second at most: sending competes with the desks for the server's CPU
    /// (each message costs about what two intakes do), and a province makes far fewer.
    public var maxPerSecond: Double

    struct File: Decodable {
        var url: String?
        var apiKey: String?
        var retryHours: Double?
        /// Replaced by `retryHours` (issue #17); refused with a sentence saying so.
        var maxAttempts: Int?
        var backoffSeconds: Double?
        var maxBackoffSeconds: Double?
        var pollSeconds: Double?
        var timeoutSeconds: Double?
        var window: Int?
        var maxPerSecond: Double?
    }

    init(_ file: File?) {
        url = file?.url
        apiKey = file?.apiKey
        retryHours = file?.retryHours ?? 24
        backoffSeconds = file?.backoffSeconds ?? 1
        maxBackoffSeconds = file?.maxBackoffSeconds ?? 600
        pollSeconds = file?.pollSeconds ?? 1
        timeoutSeconds = file?.timeoutSeconds ?? 10
        window = file?.window ?? 16
        maxPerSecond = file?.maxPerSecond ?? 100
    }

    /// Applies `MOTCUA_PORTAL_URL` / `MOTCUA_PORTAL_API_KEY` and checks every value.
    mutating func finish(environment: [String: String], file main: String) throws(CalendarError) {
        if let url = environment["MOTCUA_PORTAL_URL"], !url.isEmpty { self.url = url }
        if let key = environment["MOTCUA_PORTAL_API_KEY"], !key.isEmpty { apiKey = key }
        if let url, URL(string: url).map({ ["http", "https"].contains($0.scheme ?? "") && $0.host != nil }) != true {
            throw .invalidConfiguration(file: main, key: "portal.url", reason: "'\(url)' is not an http(s) URL")
        }
        guard retryHours > 0, retryHours <= 24 * 30, backoffSeconds > 0, maxBackoffSeconds >= backoffSeconds, pollSeconds > 0,
              timeoutSeconds > 0 else {
            throw .invalidConfiguration(file: main, key: "portal", reason: "retryHours above 0 and at most 720; backoff, poll and timeout positive; maxBackoffSeconds ≥ backoffSeconds")
        }
        guard maxPerSecond >= 1, maxPerSecond <= 100_000 else {
            throw .invalidConfiguration(file: main, key: "portal.maxPerSecond", reason: "must be between 1 and 100000 messages a second")
        }
        guard (1...256).contains(window) else {
            throw .invalidConfiguration(file: main, key: "portal.window", reason: "must be between 1 and 256 dossiers in flight")
        }
    }
}

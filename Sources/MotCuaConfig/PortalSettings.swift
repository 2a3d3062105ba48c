import Foundation
import MotCuaCore

/// The national public-service portal (Cổng DVCQG): where the dossiers' changes go, and how.
public struct PortalSettings: Sendable, Equatable {
    /// The portal's API base: messages are `POST {url}/dossiers/sync` and `…/progress`. None:
    /// messages wait in the outbox (the start log says so) and reconciliation is unavailable.
    public var url: String?
    /// Sent as `Authorization: Bearer …` with every request.
    public var apiKey: String?
    /// Transient failures (408, 425, 429, 5xx, timeouts) are retried for `retryHours` (24) from
    /// the message's creation or its manual retry, before it becomes a dead letter.
    public var timing: DeliveryTiming

    static let defaultTiming = DeliveryTiming(backoffSeconds: 1, maxBackoffSeconds: 600, pollSeconds: 1)
    /// Dossiers whose messages are in flight at once (each dossier's go one at a time, in order).
    public var window: Int
    /// Messages sent per second at most: sending competes with the desks for the server's CPU
    /// (each message costs about what two intakes do), and a province makes far fewer.
    public var maxPerSecond: Double

    struct File: Decodable {
        var url: String?
        var apiKey: String?
        var window: Int?
        var maxPerSecond: Double?
    }

    init(_ file: File?, timing: DeliveryTiming.File?) {
        url = file?.url
        apiKey = file?.apiKey
        self.timing = Self.defaultTiming.reading(timing)
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
        try timing.check(section: "portal", file: main)
        guard maxPerSecond >= 1, maxPerSecond <= 100_000 else {
            throw .invalidConfiguration(file: main, key: "portal.maxPerSecond", reason: "must be between 1 and 100000 messages a second")
        }
        guard (1...256).contains(window) else {
            throw .invalidConfiguration(file: main, key: "portal.window", reason: "must be between 1 and 256 dossiers in flight")
        }
    }
}

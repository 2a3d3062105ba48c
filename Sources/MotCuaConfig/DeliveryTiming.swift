import Foundation
import MotCuaCore

/// How an outbox reaches its partner (the post office, the notification gateway, the national
/// portal): transient failures retried for `retryHours` from the message's creation or its
/// manual retry, with a growing backoff; a poll for the messages due; each call's timeout.
/// Written in each partner's section of `motcua.json`, beside the section's own keys.
public struct DeliveryTiming: Sendable, Equatable {
    public var retryHours: Double
    public var backoffSeconds: Double
    public var maxBackoffSeconds: Double
    public var pollSeconds: Double
    public var timeoutSeconds: Double

    public init(retryHours: Double = 24, backoffSeconds: Double, maxBackoffSeconds: Double, pollSeconds: Double, timeoutSeconds: Double = 10) {
        self.retryHours = retryHours
        self.backoffSeconds = backoffSeconds
        self.maxBackoffSeconds = maxBackoffSeconds
        self.pollSeconds = pollSeconds
        self.timeoutSeconds = timeoutSeconds
    }

    /// The keys as a section writes them.
    struct File: Decodable {
        var retryHours: Double?
        /// Replaced by `retryHours` (issue #17); refused with a sentence saying so.
        var maxAttempts: Int?
        var backoffSeconds: Double?
        var maxBackoffSeconds: Double?
        var pollSeconds: Double?
        var timeoutSeconds: Double?
    }

    /// The sections of `motcua.json` that carry these keys, read beside their own.
    struct Sections: Decodable {
        var postal: File?
        var notifications: File?
        var portal: File?
    }

    /// `file`'s values where it gives them, these elsewhere.
    func reading(_ file: File?) -> DeliveryTiming {
        DeliveryTiming(
            retryHours: file?.retryHours ?? retryHours, backoffSeconds: file?.backoffSeconds ?? backoffSeconds,
            maxBackoffSeconds: file?.maxBackoffSeconds ?? maxBackoffSeconds, pollSeconds: file?.pollSeconds ?? pollSeconds,
            timeoutSeconds: file?.timeoutSeconds ?? timeoutSeconds)
    }

    /// Refuses a section that still counts attempts (issue #17), or whose values cannot work.
    static func check(_ sections: Sections, file: String) throws(CalendarError) {
        for (section, attempts) in [
            ("postal", sections.postal?.maxAttempts), ("notifications", sections.notifications?.maxAttempts),
            ("portal", sections.portal?.maxAttempts),
        ] where attempts != nil {
            throw .invalidConfiguration(
                file: file, key: "\(section).maxAttempts",
                reason: "replaced by \(section).retryHours: transient failures are retried for a time (default 24), not a number of attempts")
        }
    }

    /// Checks the values of `section`.
    func check(section: String, file: String) throws(CalendarError) {
        guard retryHours > 0, retryHours <= 24 * 30, backoffSeconds > 0, maxBackoffSeconds >= backoffSeconds, pollSeconds > 0,
              timeoutSeconds > 0 else {
            throw .invalidConfiguration(
                file: file, key: section,
                reason: "retryHours above 0 and at most 720; backoff, poll and timeout positive; maxBackoffSeconds ≥ backoffSeconds")
        }
    }
}

import Foundation
import Synchronization

/// A token bucket per client: `perMinute` sustained, `burst` at once. Answers how long to wait
/// when the bucket is empty.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    private let buckets = Mutex<[String: Bucket]>([:])
    let ratePerSecond: Double
    let burst: Double

    init(perMinute: Int, burst: Int) {
        ratePerSecond = Double(perMinute) / 60
        self.burst = Double(burst)
    }

    /// Takes a token for `client`; nil when allowed, else the seconds to wait (Retry-After).
    func take(_ client: String, now: Date) -> Int? {
        buckets.withLock { buckets in
            if buckets.count > 100_000 {
                // Forget clients whose bucket has refilled anyway.
                buckets = buckets.filter { now.timeIntervalSince($0.value.updated) * ratePerSecond + $0.value.tokens < burst }
            }
            var bucket = buckets[client] ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = min(burst, bucket.tokens + max(0, now.timeIntervalSince(bucket.updated)) * ratePerSecond)
            bucket.updated = now
            defer { buckets[client] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - bucket.tokens) / ratePerSecond).rounded(.up)))
        }
    }
}

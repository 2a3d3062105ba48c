import Foundation
import MotCuaAPI
import MotCuaConfig
import MotCuaStore

/// When failed logins lock a username or a client address out, and for how long: pure rules
/// over the records the store keeps (`SecurityStore`), so that every instance applies them to
/// the same counts.
///
/// - Each failure counts under the username (lowercased, so that changing case does not reset
///   it) and under the client's address. A failure later than `window` after the previous one
///   starts the count again.
/// - At `perUser` failures of a username, or `perAddress` from an address, the key is locked for
///   `firstLock`; each further failure doubles the lock, up to `window` (30 s, 60 s, … 15 min
///   with the defaults).
/// - While a key is locked, a login under it is refused with 429 and `Retry-After` before any
///   password is checked: a flood costs a read, not a bcrypt.
/// - A successful login clears its username's count (not the address's: one good password
///   must not reset an address that is trying many accounts).
struct LoginThrottle: Sendable {
    var perUser: Int
    var perAddress: Int
    var window: TimeInterval
    var firstLock: TimeInterval

    init(_ settings: LoginSettings) {
        perUser = settings.failuresPerUser
        perAddress = settings.failuresPerAddress
        window = TimeInterval(settings.failureWindowMinutes) * 60
        firstLock = TimeInterval(settings.firstLockSeconds)
    }

    static func userKey(_ username: String) -> String { "user:" + username.lowercased() }
    static func addressKey(_ address: String) -> String { "address:" + address }

    func threshold(of key: String) -> Int {
        key.hasPrefix("address:") ? perAddress : perUser
    }

    /// The record after one more failure at `now`.
    func next(_ key: String, _ stored: LoginFailures?, now: Date) -> LoginFailures {
        let continuing = stored.map { now.timeIntervalSince($0.lastAt) <= window } ?? false
        let count = continuing ? stored!.count + 1 : 1
        let over = count - threshold(of: key)
        var lockedUntil = stored?.lockedUntil.flatMap { $0 > now ? $0 : nil }
        if over >= 0 {
            let lock = min(firstLock * pow(2, Double(min(over, 30))), window)
            lockedUntil = max(lockedUntil ?? now, now.addingTimeInterval(lock))
        }
        return LoginFailures(count: count, lastAt: now, lockedUntil: lockedUntil)
    }

    /// Until when `records` refuse a login at `now` (the latest of their locks), or nil.
    func lockedUntil(_ records: [String: LoginFailures], now: Date) -> Date? {
        records.values.compactMap(\.lockedUntil).filter { $0 > now }.max()
    }
}

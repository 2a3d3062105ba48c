import Foundation
import Hummingbird
import MotCuaStore
import Synchronization

/// Rendered dossier details by code and version. A version's rendering never changes (events are
/// append-only), so a hit needs only the version check against the database; the agencies that may
/// see the dossier are kept with it so scoping is still enforced. A rendering that depends on the
/// clock (the citizen's "late" flag) also carries the instant it stops being true.
final class DetailCache: Sendable {
    struct Entry: Sendable {
        var version: Int
        var visibleTo: Set<String>
        var response: Response
        var validUntil: Date = .distantFuture
    }

    private let entries = Mutex<[String: Entry]>([:])
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    func get(code: String, version: Int, now: Date = Date.distantPast) -> Entry? {
        entries.withLock { entries in
            guard let entry = entries[code], entry.version == version, now < entry.validUntil else { return nil }
            return entry
        }
    }

    func put(code: String, version: Int, visibleTo: Set<String> = [], response: Response, validUntil: Date = .distantFuture) {
        entries.withLock { entries in
            // Crude but bounded: when full, start over rather than track recency.
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[code] = Entry(version: version, visibleTo: visibleTo, response: response, validUntil: validUntil)
        }
    }
}

/// Sessions looked up recently, so that not every request reads the sessions table. Entries live
/// `ttl` seconds at most (5 s) and never past the session's own expiry; logout on this server
/// evicts at once, and every other instance on the same database honours it within `ttl`.
final class SessionCache: Sendable {
    private let entries = Mutex<[String: (officer: Officer, expiresAt: Date, cachedAt: Date)]>([:])
    let ttl: TimeInterval

    init(ttl: TimeInterval = 5) {
        self.ttl = ttl
    }

    func get(_ tokenHash: String, now: Date) -> Officer? {
        entries.withLock { entries in
            guard let entry = entries[tokenHash] else { return nil }
            guard entry.expiresAt > now, now.timeIntervalSince(entry.cachedAt) < ttl, now >= entry.cachedAt else {
                entries[tokenHash] = nil
                return nil
            }
            return entry.officer
        }
    }

    func put(_ tokenHash: String, officer: Officer, expiresAt: Date, now: Date) {
        entries.withLock { entries in
            if entries.count >= 50_000 { entries.removeAll(keepingCapacity: true) }
            entries[tokenHash] = (officer, expiresAt, now)
        }
    }

    func remove(_ tokenHash: String) {
        _ = entries.withLock { $0.removeValue(forKey: tokenHash) }
    }
}

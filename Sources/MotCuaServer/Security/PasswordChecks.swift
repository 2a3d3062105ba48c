import Foundation
import HummingbirdBcrypt
import MotCuaAPI
import NIOPosix
import Synchronization

/// bcrypt, a few at a time. A password check costs ~250 ms of one core at cost 12 (deliberately):
/// unbounded, 32 connections of wrong passwords kept both cores busy with bcrypt and a valid
/// officer's login took 6.2 s. The checks beyond `limit` wait their turn here (a waiter whose
/// request is cancelled leaves the queue), and the rest of the server keeps its cores.
final class PasswordChecks: Sendable {
    private struct State {
        var running = 0
        var waiting: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextID: UInt64 = 0
        var performed = 0
    }

    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// How many checks ran since start (tests show that throttled logins run none).
    var performed: Int { state.withLock { $0.performed } }

    enum Outcome: Equatable {
        case matched, mismatched
        /// Not checked: `lockedUntil` found a lock once this check's turn came.
        case locked(until: Date)
    }

    /// Checks `password` against `hash` when its turn comes, unless `lockedUntil` (asked then)
    /// finds a lock: requests that queued up behind a flood's first attempts see the failures
    /// those recorded, and are refused without running bcrypt.
    func check(
        _ password: String, hash: String, lockedUntil: @Sendable () async throws -> Date?
    ) async throws -> Outcome {
        try await acquire()
        do {
            if let until = try await lockedUntil() {
                release()
                return .locked(until: until)
            }
            state.withLock { $0.performed += 1 }
            let matched = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
            release()
            return matched ? .matched : .mismatched
        } catch {
            release()
            throw error
        }
    }

    /// A hash of the configured cost for a password nobody has: an unknown username costs the
    /// same check as a known one, so the answer's time does not tell which usernames exist.
    func decoyHash(cost: Int) async throws -> String {
        if let hash = decoy.withLock({ $0 }) { return hash }
        let hash = try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(UUID().uuidString, cost: UInt8(cost)) }
        decoy.withLock { $0 = hash }
        return hash
    }

    private let decoy = Mutex<String?>(nil)

    private func acquire() async throws {
        let id: UInt64? = state.withLock { state in
            if state.running < limit {
                state.running += 1
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: Bool = state.withLock { state in
                    // A permit may have come free between the two locks.
                    if state.running < limit {
                        state.running += 1
                        return true
                    }
                    state.waiting.append((id, continuation))
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.waiting.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiting.remove(at: index).continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard !state.waiting.isEmpty else {
                state.running -= 1
                return nil
            }
            // The permit passes to the first waiter: `running` stays.
            return state.waiting.removeFirst().continuation
        }
        next?.resume()
    }
}

import Foundation
import Synchronization

/// The deadlines of the store's calls in flight (`PostgresStore.timed`), all watched by one loop
/// that wakes every `tick`.
///
/// Each call used to start a task that slept for its whole timeout (15 s) and was never woken
/// early: at 10,000 detail reads a second, 150,000 sleeping tasks and their timers stood at any
/// time, and each fired 15 s later for nothing. One loop and a dictionary cost a lock per call
/// instead. A call times out between `timeout` and `timeout + tick` after it started.
final class Deadlines: Sendable {
    private struct Entry {
        var at: ContinuousClock.Instant
        var expire: @Sendable () -> Void
    }

    private struct State {
        var next: UInt64 = 0
        var entries: [UInt64: Entry] = [:]
    }

    private let state = Mutex(State())
    let tick: Duration

    init(tick: Duration = .milliseconds(100)) {
        self.tick = tick
    }

    /// Watches a call: `expire` runs once, from the loop, if the call is still watched `timeout`
    /// from now. Returns the key that `remove` takes when the call ends.
    func add(after timeout: Duration, now: ContinuousClock.Instant = .now, expire: @escaping @Sendable () -> Void) -> UInt64 {
        state.withLock { state in
            state.next += 1
            state.entries[state.next] = Entry(at: now + timeout, expire: expire)
            return state.next
        }
    }

    func remove(_ key: UInt64) {
        _ = state.withLock { $0.entries.removeValue(forKey: key) }
    }

    var count: Int { state.withLock { $0.entries.count } }

    /// Runs (outside the lock) and forgets the calls whose deadline is `now` or earlier.
    func expire(now: ContinuousClock.Instant = .now) {
        let due: [@Sendable () -> Void] = state.withLock { state in
            let keys = state.entries.filter { $0.value.at <= now }.map(\.key)
            return keys.compactMap { state.entries.removeValue(forKey: $0)?.expire }
        }
        for expire in due { expire() }
    }

    /// The loop: every `tick` until cancelled (the store's `close`).
    func watch() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: tick)
            expire()
        }
    }
}

/// One answer for a continuation that several tasks race to give.
final class Gate<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var early: Result<T, any Error>?
    private var cancelWork: (@Sendable () -> Void)?
    private var done = false
    private var failed = false

    func arm(_ continuation: CheckedContinuation<T, any Error>) {
        let ready: Result<T, any Error>? = lock.withLock {
            if let early { return early }
            self.continuation = continuation
            return nil
        }
        if let ready { continuation.resume(with: ready) }
    }

    var isFinished: Bool { lock.withLock { done } }

    /// `cancel` runs when the gate fails (a timeout, the caller cancelled), at once if it already has.
    func onTimeout(_ cancel: @escaping @Sendable () -> Void) {
        let now: Bool = lock.withLock {
            guard done else {
                cancelWork = cancel
                return false
            }
            return failed
        }
        if now { cancel() }
    }

    func finish(_ result: Result<T, any Error>) {
        let (continuation, cancel): (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) = lock.withLock {
            guard !done else { return (nil, nil) }
            done = true
            if case .failure = result { failed = true }
            guard let continuation = self.continuation else {
                early = result
                return (nil, nil)
            }
            self.continuation = nil
            if case .failure = result { return (continuation, cancelWork) }
            return (continuation, nil)
        }
        cancel?()
        continuation?.resume(with: result)
    }
}

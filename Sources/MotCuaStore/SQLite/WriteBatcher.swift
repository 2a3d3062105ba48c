import Foundation
import GRDB

/// Group commit: concurrent write requests are run one after another inside a single SQLite
/// transaction, each in its own savepoint, and acknowledged together once that transaction is
/// durably committed. One fsync then covers many intakes, while every request keeps its own
/// all-or-nothing outcome (a failing request rolls back its savepoint only) and none is
/// acknowledged before it is on disk.
///
/// The writes run on one dedicated thread that blocks on SQLite, so that neither the
/// concurrency pool's threads nor extra executor hops are spent on it.
final class WriteBatcher: @unchecked Sendable {
    typealias Work = @Sendable (Database) throws -> any Sendable

    struct Job {
        let work: Work
        let continuation: CheckedContinuation<any Sendable, any Error>
        /// Runs alone, between two transactions (a checkpoint cannot run inside one).
        var outsideTransaction = false
    }

    let writer: any DatabaseWriter
    let maxBatch: Int
    /// Under load, how long a batch may wait to fill up to `fillTo` before it is written.
    let commitDelay: TimeInterval
    /// The batch size past which the writer stops waiting.
    let fillTo = 16
    private let condition = NSCondition()
    private var pending: [Job] = []
    private var stopped = false
    private var running = false
    /// Work arrived while the last batch ran: checked before its callers are answered, so that
    /// a caller's next write cannot pass for load.
    private var underLoad = false
    private var delayed = 0
    private var lastActivity = ContinuousClock.now

    /// Writes waiting for the writer.
    private var commitObserver: (@Sendable (_ transactions: Int, _ took: Duration) -> Void)?

    var pendingCount: Int { condition.withLock { pending.count } }

    /// Told of every commit: how many requests it carried and how long it took (the metrics).
    func observeCommits(_ observer: @escaping @Sendable (_ transactions: Int, _ took: Duration) -> Void) {
        condition.withLock { commitObserver = observer }
    }

    /// Batches that waited for company (the commit delay applied).
    var delayedBatches: Int { condition.withLock { delayed } }

    init(writer: any DatabaseWriter, maxBatch: Int = 256, commitDelay: TimeInterval = 0.001) {
        self.writer = writer
        self.maxBatch = maxBatch
        self.commitDelay = commitDelay
        let thread = Thread { [self] in self.run() }
        thread.name = "motcua-writer"
        thread.start()
    }

    /// Ends the writer thread once the queued work is done.
    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await enqueue(work, outsideTransaction: false)
    }

    /// Runs `work` on the writer's connection between two batches, outside any transaction.
    func betweenBatches<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await enqueue(work, outsideTransaction: true)
    }

    private func enqueue<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T, outsideTransaction: Bool) async throws -> T {
        do {
            return try await enqueueRaw(work, outsideTransaction: outsideTransaction)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
            // The disk is full: the transaction rolled back (SQLite guarantees it), nothing was
            // written. Said as such, so that the request answers 503 and a retry may succeed
            // once space returns.
            throw StoreError.storageFull
        }
    }

    private func enqueueRaw<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T, outsideTransaction: Bool) async throws -> T {
        let result = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<any Sendable, any Error>) in
            condition.lock()
            if stopped {
                condition.unlock()
                continuation.resume(throwing: DatabaseError(resultCode: .SQLITE_MISUSE, message: "the store is closed"))
                return
            }
            pending.append(Job(work: { try work($0) }, continuation: continuation, outsideTransaction: outsideTransaction))
            if pending.count == 1 || pending.count >= fillTo { condition.signal() }
            condition.unlock()
        }
        return result as! T
    }

    /// How long the writer has had nothing to do: zero while it works or has work waiting.
    var idleTime: Duration {
        condition.lock()
        defer { condition.unlock() }
        return pending.isEmpty && !running ? ContinuousClock.now - lastActivity : .zero
    }

    private func run() {
        while true {
            condition.lock()
            if running {
                running = false
                lastActivity = .now
            }
            while pending.isEmpty && !stopped { condition.wait() }
            if pending.isEmpty && stopped {
                condition.unlock()
                return
            }
            // Commit delay: when work arrived while the last batch ran (and only then: a writer
            // that was idle starts at once), wait up to `commitDelay` for the batch to fill. Every
            // commit rewrites the last page of each table and index it touches and syncs the log,
            // so at 5–6 intakes a commit those shared pages made most of the log written; fuller
            // batches spend less CPU and I/O per intake.
            if underLoad && commitDelay > 0 && pending.count < fillTo {
                delayed += 1
                let deadline = Date().addingTimeInterval(commitDelay)
                while pending.count < fillTo && !stopped && condition.wait(until: deadline) {}
            }
            running = true
            if pending[0].outsideTransaction {
                let job = pending.removeFirst()
                condition.unlock()
                let result = Result { try writer.writeWithoutTransaction { try job.work($0) } }
                condition.withLock { underLoad = false }
                job.continuation.resume(with: result)
                continue
            }
            let batch = Array(pending.prefix { !$0.outsideTransaction }.prefix(maxBatch))
            pending.removeFirst(batch.count)
            condition.unlock()
            let started = ContinuousClock.now
            do {
                let outcomes = try writer.write { db -> [Result<any Sendable, any Error>] in
                    var outcomes: [Result<any Sendable, any Error>] = []
                    outcomes.reserveCapacity(batch.count)
                    for job in batch {
                        var value: (any Sendable)?
                        do {
                            try db.inSavepoint {
                                value = try job.work(db)
                                return .commit
                            }
                            outcomes.append(.success(value!))
                        } catch {
                            // A full disk (or an I/O error) makes SQLite roll the whole
                            // transaction back: the writes before this one are gone too, and a
                            // savepoint opened now would commit on its own. The batch fails
                            // whole, nothing of it written.
                            if !db.isInsideTransaction {
                                if let error = error as? DatabaseError, error.resultCode == .SQLITE_FULL { throw StoreError.storageFull }
                                throw error
                            }
                            outcomes.append(.failure(error))
                        }
                    }
                    return outcomes
                }
                let observer = condition.withLock {
                    underLoad = !pending.isEmpty
                    return commitObserver
                }
                observer?(batch.count, ContinuousClock.now - started)
                for (job, outcome) in zip(batch, outcomes) { job.continuation.resume(with: outcome) }
            } catch {
                condition.withLock { underLoad = !pending.isEmpty }
                for job in batch { job.continuation.resume(throwing: error) }
            }
        }
    }
}

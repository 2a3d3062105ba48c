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
    }

    let writer: any DatabaseWriter
    let maxBatch: Int
    private let condition = NSCondition()
    private var pending: [Job] = []
    private var stopped = false

    init(writer: any DatabaseWriter, maxBatch: Int = 256) {
        self.writer = writer
        self.maxBatch = maxBatch
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
        let result = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<any Sendable, any Error>) in
            condition.lock()
            if stopped {
                condition.unlock()
                continuation.resume(throwing: DatabaseError(resultCode: .SQLITE_MISUSE, message: "the store is closed"))
                return
            }
            pending.append(Job(work: { try work($0) }, continuation: continuation))
            condition.signal()
            condition.unlock()
        }
        return result as! T
    }

    private func run() {
        while true {
            condition.lock()
            while pending.isEmpty && !stopped { condition.wait() }
            if pending.isEmpty && stopped {
                condition.unlock()
                return
            }
            let batch = Array(pending.prefix(maxBatch))
            pending.removeFirst(batch.count)
            condition.unlock()
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
                            outcomes.append(.failure(error))
                        }
                    }
                    return outcomes
                }
                for (job, outcome) in zip(batch, outcomes) { job.continuation.resume(with: outcome) }
            } catch {
                for job in batch { job.continuation.resume(throwing: error) }
            }
        }
    }
}

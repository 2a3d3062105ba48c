import GRDB
import Synchronization

/// Group commit: concurrent write requests are run one after another inside a single SQLite
/// transaction, each in its own savepoint, and acknowledged together once that transaction is
/// durably committed. One fsync then covers many intakes, while every request keeps its own
/// all-or-nothing outcome (a failing request rolls back its savepoint only) and none is
/// acknowledged before it is on disk.
final class WriteBatcher: Sendable {
    typealias Work = @Sendable (Database) throws -> any Sendable

    struct Job: Sendable {
        let work: Work
        let continuation: CheckedContinuation<any Sendable, any Error>
    }

    struct State {
        var pending: [Job] = []
        var draining = false
    }

    let writer: any DatabaseWriter
    let maxBatch: Int
    let state = Mutex(State())

    init(writer: any DatabaseWriter, maxBatch: Int = 256) {
        self.writer = writer
        self.maxBatch = maxBatch
    }

    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let result = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<any Sendable, any Error>) in
            let startDrain = state.withLock { state -> Bool in
                state.pending.append(Job(work: { try work($0) }, continuation: continuation))
                if state.draining { return false }
                state.draining = true
                return true
            }
            if startDrain {
                Task { await self.drain() }
            }
        }
        return result as! T
    }

    private func drain() async {
        while true {
            let batch = state.withLock { state -> [Job] in
                let batch = Array(state.pending.prefix(maxBatch))
                state.pending.removeFirst(batch.count)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                let outcomes = try await writer.write { db -> [Result<any Sendable, any Error>] in
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

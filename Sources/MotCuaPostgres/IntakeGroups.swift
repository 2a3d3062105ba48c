import Foundation
import MotCuaCore
import MotCuaStore

/// A new dossier decided and encoded, waiting for its code.
struct PreparedIntake: Sendable {
    var agencyID: String
    var day: LocalDate
    /// Decided with a stand-in code, replaced in `data` and `events` by the allocated one.
    var new: NewDossier
    var data: String
    var procedureVersion: Int
    var events: [(DossierEvent, String)]
    var idempotencyKey: IdempotencyKey?
}

/// Intakes of one agency and day, filed together.
///
/// A dossier code comes from the agency's counter row for the day, locked from its update until
/// the transaction commits (so codes are unique and a rolled-back intake gives its number back).
/// Filed one transaction each, the intakes of one desk would take turns on that lock through
/// every commit's flush to disk: ~300 a second for two desks here, whatever the pool size. So the
/// intakes of one agency and day that arrive while a group is being written wait for the next
/// group, and each group is one transaction (`PostgresStore.fileGroup`), as SQLite's writer
/// batches everything: one flush serves the whole group. Other instances form groups of their
/// own and take turns with them on the row lock.
actor IntakeGroups {
    struct Key: Hashable {
        var agencyID: String
        var day: LocalDate
    }

    struct Waiting {
        var intake: PreparedIntake
        var continuation: CheckedContinuation<String, any Error>
    }

    /// At most this many intakes in one transaction.
    let maxGroup = 64
    private var waiting: [Key: [Waiting]] = [:]
    private var writing: Set<Key> = []

    func file(_ intake: PreparedIntake, store: PostgresStore) async throws -> String {
        let key = Key(agencyID: intake.agencyID, day: intake.day)
        return try await withCheckedThrowingContinuation { continuation in
            waiting[key, default: []].append(Waiting(intake: intake, continuation: continuation))
            if !writing.contains(key) {
                writing.insert(key)
                Task { await self.drain(key, store: store) }
            }
        }
    }

    /// Writes groups for `key` until nobody waits.
    private func drain(_ key: Key, store: PostgresStore) async {
        while let group = take(key) {
            do {
                let results = try await store.fileGroup(group.map(\.intake))
                for (waiter, result) in zip(group, results) { waiter.continuation.resume(with: result) }
            } catch {
                for waiter in group { waiter.continuation.resume(throwing: error) }
            }
        }
    }

    private func take(_ key: Key) -> [Waiting]? {
        guard var queue = waiting[key], !queue.isEmpty else {
            waiting[key] = nil
            writing.remove(key)
            return nil
        }
        let group = Array(queue.prefix(maxGroup))
        queue.removeFirst(group.count)
        waiting[key] = queue
        return group
    }
}

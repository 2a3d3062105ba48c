import Foundation
import MotCuaCore
import Testing
@testable import MotCuaStore

/// The national portal's outbox: one message per event, written with it, delivered in version
/// order per dossier, a dead letter holding back only its own dossier.
@Suite("Portal outbox, on every backend")
struct PortalOutboxTests {
    let now = WorkCalendar.parse("2026-03-02T09:00:00+07:00")!
    let lease: TimeInterval = 25

    func refuse(_ store: any DossierStore, _ code: String, at: Date) async throws -> Dossier {
        let context = DecisionContext(actor: desk, now: at, calendar: calendar)
        return try await store.apply(code: code) { try Lifecycle.decide(.refuse(reason: "Thiếu giấy tờ"), dossier: $0, context: context) }
    }

    @Test("Every event is a message; only the dossier's oldest unacknowledged one is ever due", arguments: Backend.all)
    func ordered(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let filed = try await file(store, intake(), at: now)
        let other = try await file(store, intake("Trần Văn Bình"), at: now)
        var messages = try await store.portalMessages(dossierID: filed.id)
        #expect(messages.map(\.sequence) == Array(1...filed.version))
        #expect(messages.map(\.id) == (1...filed.version).map { "\(filed.id).\($0)" })
        #expect(messages.first?.nextAt != nil && messages.dropFirst().allSatisfy { $0.nextAt == nil && $0.status == .pending })
        #expect(messages.allSatisfy { $0.agencyID == desk.agencyID && $0.code == filed.code })

        // A later change adds a message that waits behind the unacknowledged ones.
        let refused = try await refuse(store, filed.code, at: now + 60)
        messages = try await store.portalMessages(dossierID: filed.id)
        #expect(messages.count == refused.version && messages.last?.kind == .sync && messages.last?.nextAt == nil)

        // One claim: the head of each dossier, and nothing again within the lease.
        var claimed = try await store.claimDuePortalMessages(now: now + 61, lease: lease, limit: 50)
        #expect(Set(claimed.map(\.id)) == ["\(filed.id).1", "\(other.id).1"])
        #expect(try await store.claimDuePortalMessages(now: now + 62, lease: lease, limit: 50).isEmpty)

        // Each acknowledgement hands the turn to the next version, and only to it.
        var sent: [Int] = []
        var message = try #require(claimed.first { $0.dossierID == filed.id })
        for step in 0..<refused.version {
            sent.append(message.sequence)
            try await store.recordPortalDelivery(message, outcome: .delivered(at: now + 70 + Double(step)))
            claimed = try await store.claimDuePortalMessages(now: now + 80 + Double(step), lease: lease, limit: 50)
                .filter { $0.dossierID == filed.id }
            #expect(claimed.count <= 1)
            guard let next = claimed.first else { break }
            message = next
        }
        #expect(sent == Array(1...refused.version))
        #expect(try await store.portalMessages(dossierID: filed.id).allSatisfy { $0.status == .delivered && $0.deliveredAt != nil })
    }

    @Test("A dead letter holds back only its own dossier, says so, and a manual retry resumes it in order", arguments: Backend.all)
    func deadLetter(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let filed = try await file(store, intake(), at: now)
        let other = try await file(store, intake("Trần Văn Bình"), at: now)
        let first = try #require(try await store.claimDuePortalMessages(now: now + 1, lease: lease, limit: 50).first { $0.dossierID == filed.id })
        try await store.recordPortalDelivery(first, outcome: .dead(error: "HTTP 422: dueAt"))
        let messages = try await store.portalMessages(dossierID: filed.id)
        #expect(messages[0].status == .dead && messages[0].lastError == "HTTP 422: dueAt")
        #expect(messages.dropFirst().allSatisfy { $0.status == .pending && $0.nextAt == nil && $0.lastError?.contains(first.id) == true })
        #expect(try await store.deadPortalMessages(agencies: nil, limit: 10).map(\.id) == [first.id])
        #expect(try await store.deadPortalMessages(agencies: ["000.07.01.H25"], limit: 10).isEmpty)
        // Held back is not retrying: the metric for a partner away counts only messages with a next attempt.
        let held = try #require(try await store.outboxSummaries().first { $0.outbox == "portal" })
        #expect(held.dead == 1 && held.retrying == 0)
        // The other dossier goes on (its head was claimed above; take it again after the lease).
        let later = try await store.claimDuePortalMessages(now: now + 1 + lease + 1, lease: lease, limit: 50)
        #expect(later.map(\.dossierID) == [other.id])

        #expect(try await store.retryPortalMessage(id: first.id, now: now + 100))
        #expect(try await !store.retryPortalMessage(id: first.id, now: now + 100))
        let retried = try #require(try await store.claimDuePortalMessages(now: now + 100, lease: lease, limit: 50).first { $0.dossierID == filed.id })
        #expect(retried.id == first.id && retried.attempts == 0 && retried.retrySince == now + 100)
        try await store.recordPortalDelivery(retried, outcome: .delivered(at: now + 101))
        let next = try await store.claimDuePortalMessages(now: now + 102, lease: lease, limit: 50).filter { $0.dossierID == filed.id }
        #expect(next.map(\.sequence) == [2])
        // A late refusal from an instance whose lease ran out does not undo the delivery.
        try await store.recordPortalDelivery(retried, outcome: .dead(error: "HTTP 400"))
        #expect(try await store.portalMessages(dossierID: filed.id).first?.status == .delivered)
        let summary = try #require(try await store.outboxSummaries().first { $0.outbox == "portal" })
        #expect(summary.dead == 0 && summary.pending > 0)
    }

    @Test("Reconciliation reads our side, re-sends a dossier from a version on, and the figures count sync and delay", arguments: Backend.all)
    func ledgerAndFigures(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let filed = try await file(store, intake(), at: now)
        // Deliver everything, each 2 s after its event.
        while true {
            let due = try await store.claimDuePortalMessages(now: now + 3_600, lease: lease, limit: 50)
            if due.isEmpty { break }
            for message in due {
                try await store.recordPortalDelivery(message, outcome: .delivered(at: message.createdAt + 2))
            }
        }
        let day = WorkCalendar.localDate(of: now)
        let (from, to) = (WorkCalendar.instant(day), WorkCalendar.instant(day.adding(days: 1)))
        let ledger = try await store.portalLedger(agencies: [desk.agencyID], from: from, to: to)
        #expect(ledger == [PortalLedgerEntry(
            dossierID: filed.id, code: filed.code, agencyID: desk.agencyID, version: filed.version, status: filed.status,
            dueAt: filed.dueAt, unsent: 0, dead: 0)])
        #expect(try await store.portalLedger(agencies: [desk.agencyID], from: to, to: to + 86_400).isEmpty)

        var figures = try await store.portalSyncFigures(agencies: nil, from: from, to: to)
        #expect(figures.map(\.agencyID) == [desk.agencyID])
        #expect(figures[0].dossiers == 1 && figures[0].synced == 1 && figures[0].delays == Array(repeating: 2, count: filed.version))
        #expect(figures[0].delay(percentile: 0.5) == 2)

        // The portal holds version 1 only: versions 2… go again, in order.
        #expect(try await store.resendPortalMessages(dossierID: filed.id, after: 1, now: now + 4_000) == filed.version - 1)
        #expect(try await store.resendPortalMessages(dossierID: filed.id, after: 1, now: now + 4_000) == 0)
        let again = try await store.claimDuePortalMessages(now: now + 4_000, lease: lease, limit: 50)
        #expect(again.map(\.sequence) == [2])
        figures = try await store.portalSyncFigures(agencies: [desk.agencyID], from: from, to: to)
        #expect(figures[0].synced == 0 && figures[0].dossiers == 1)
    }
}

@Suite("Sync delay percentiles")
struct PortalFigureTests {
    @Test("Nearest rank: the median and p95 of 1…20 are 10 and 19; none without delays")
    func percentiles() {
        let figures = PortalSyncFigures(agencyID: "a", dossiers: 1, synced: 1, delays: (1...20).map(Double.init))
        #expect(figures.delay(percentile: 0.5) == 10 && figures.delay(percentile: 0.95) == 19 && figures.delay(percentile: 1) == 20)
        #expect(PortalSyncFigures(agencyID: "a", dossiers: 0, synced: 0, delays: []).delay(percentile: 0.5) == nil)
    }
}

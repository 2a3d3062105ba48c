import Foundation
import MotCuaCore
import Testing
@testable import MotCuaStore

/// The notification and postal outboxes as every instance sees them: written with the change
/// that caused them, claimed under a lease (so that two relays never send one message at once,
/// and another takes over when the holder dies), retried, dead-lettered, summed up.
@Suite("Notification and postal outboxes, on every backend")
struct OutboxStoreTests {
    let now = WorkCalendar.parse("2026-03-02T09:00:00+07:00")!
    let lease: TimeInterval = 30

    static let citizen = Actor(id: "citizen", name: "Trần Thị Bình", role: .citizen, agencyID: desk.agencyID)
    static let address = PostalAddress(recipient: "Trần Thị Bình", phone: "0912345678", street: "Xóm 2", ward: "phường Sông Trí", province: "tỉnh Hà Tĩnh")

    /// An online dossier whose paper the post office collects: a pickup order enters the outbox with it.
    func submitForPickup(_ store: any DossierStore, at time: Date) async throws -> Dossier {
        let procedure = try #require(catalogue.procedures.first { $0.code == "1.001193" })
        let files = procedure.documents.enumerated().map { index, document in
            StoredFile(sha256: String(repeating: "\(index % 10)", count: 64), name: "\(index).pdf", contentType: "application/pdf", size: 10, document: document.name)
        }
        let submission = OnlineSubmission(
            procedure: procedure, agencyID: desk.agencyID, level: 4,
            applicant: Applicant(name: "Trần Thị Bình", idNumber: "042190000123", phone: "0912345678", address: "Xóm 2"),
            returnMethod: .post, postalPickup: true, postalAddress: Self.address, files: files)
        let context = DecisionContext(actor: Self.citizen, now: time, calendar: calendar)
        let id = UUID().uuidString
        return try await store.fileDossier(agencyID: desk.agencyID, day: WorkCalendar.localDate(of: time), idempotencyKey: nil) { code in
            try Lifecycle.submit(submission, code: code, id: id, context: context)
        }.0
    }

    @Test("A received dossier's notice is written with it, claimed once within its lease, and again after it", arguments: Backend.all)
    func notificationLease(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let filed = try await file(store, intake(), at: now)
        let written = try await store.notifications(dossierID: filed.id)
        #expect(written.map(\.kind) == [.received])
        #expect(written.first?.status == .pending && written.first?.attempts == 0 && written.first?.code == filed.code)

        let claimed = try await store.claimDueNotifications(now: now + 1, lease: lease, limit: 10)
        #expect(claimed.map(\.id) == written.map(\.id))
        // Another relay asking within the lease gets nothing: the first one holds it.
        #expect(try await store.claimDueNotifications(now: now + 2, lease: lease, limit: 10).isEmpty)
        // The holder died: after the lease another takes it over.
        let taken = try await store.claimDueNotifications(now: now + 1 + lease + 1, lease: lease, limit: 10)
        #expect(taken.map(\.id) == written.map(\.id))
        try await store.recordDelivery(taken[0].id, outcome: .delivered(at: now + 40))
        let delivered = try await store.notifications(dossierID: filed.id)
        #expect(delivered.first?.status == .delivered && delivered.first?.deliveredAt == now + 40)
        #expect(try await store.claimDueNotifications(now: now + 10_000, lease: lease, limit: 10).isEmpty)
    }

    @Test("Concurrent claims share out the due notices: none twice, none left out", arguments: Backend.all)
    func concurrentClaims(backend: Backend) async throws {
        let store = try await backend.makeStore()
        var ids: Set<String> = []
        for index in 0..<24 {
            let filed = try await file(store, intake("Người nộp \(index)"), at: now)
            ids.formUnion(try await store.notifications(dossierID: filed.id).map(\.id))
        }
        let at = now + 5
        let batches = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<6 {
                group.addTask { try await store.claimDueNotifications(now: at, lease: 60, limit: 5).map(\.id) }
            }
            var all: [[String]] = []
            for try await batch in group { all.append(batch) }
            return all
        }
        let flat = batches.flatMap { $0 }
        #expect(flat.count == Set(flat).count, "no notice claimed twice")
        #expect(Set(flat) == ids.intersection(flat))
        #expect(batches.allSatisfy { $0.count <= 5 })
        // What the six took at once plus what is left is everything, each once.
        let rest = try await store.claimDueNotifications(now: at, lease: 60, limit: 100).map(\.id)
        #expect(Set(flat).isDisjoint(with: rest))
        #expect(Set(flat).union(rest) == ids)
    }

    @Test("A retry waits for its time, a dead letter is never claimed, and the summary counts both", arguments: Backend.all)
    func retriesAndDeadLetters(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let first = try await file(store, intake("Một"), at: now)
        let second = try await file(store, intake("Hai"), at: now)
        let claimed = try await store.claimDueNotifications(now: now + 1, lease: lease, limit: 10)
        #expect(claimed.count == 2)
        let one = try #require(claimed.first { $0.dossierID == first.id })
        let two = try #require(claimed.first { $0.dossierID == second.id })
        try await store.recordDelivery(one.id, outcome: .retry(at: now + 600, error: "HTTP 503"))
        try await store.recordDelivery(two.id, outcome: .dead(error: "HTTP 400: phone"))

        let retrying = try #require(try await store.notifications(dossierID: first.id).first)
        #expect(retrying.status == .pending && retrying.attempts == 1 && retrying.nextAt == now + 600 && retrying.lastError == "HTTP 503")
        let dead = try #require(try await store.notifications(dossierID: second.id).first)
        #expect(dead.status == .dead && dead.lastError == "HTTP 400: phone")

        #expect(try await store.claimDueNotifications(now: now + 599, lease: lease, limit: 10).isEmpty)
        let due = try await store.claimDueNotifications(now: now + 600, lease: lease, limit: 10)
        #expect(due.map(\.id) == [one.id] && due.first?.attempts == 1)

        let summary = try #require(try await store.outboxSummaries().first { $0.outbox == "notifications" })
        #expect(summary.pending == 1 && summary.dead == 1 && summary.retrying == 1)
        #expect(summary.oldestPendingAt != nil)
    }

    @Test("A pickup order is written with the online dossier, claimed under a lease, and found by id and waybill", arguments: Backend.all)
    func postalOrders(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let dossier = try await submitForPickup(store, at: now)
        let orderID = "\(dossier.code)-THU"
        let order = try #require(try await store.postalOrder(id: orderID))
        #expect(order.status == .pending && order.direction == .pickup && order.dossierID == dossier.id && order.agencyID == desk.agencyID)
        #expect(try await store.postalOrders(agencies: [desk.agencyID], status: .pending, limit: 10).map(\.id) == [orderID])
        #expect(try await store.postalOrders(agencies: ["000.07.01.H25"], status: nil, limit: 10).isEmpty)
        #expect(try await store.postalOrders(agencies: nil, status: .sent, limit: 10).isEmpty)

        let claimed = try await store.claimDuePostalOrders(now: now + 1, lease: lease, limit: 10)
        #expect(claimed.map(\.id) == [orderID])
        #expect(try await store.claimDuePostalOrders(now: now + 2, lease: lease, limit: 10).isEmpty)

        try await store.recordPostalAttempt(orderID, outcome: .retry(at: now + 120, error: "timeout"))
        #expect(try await store.postalOrder(id: orderID)?.attempts == 1)
        #expect(try await store.claimDuePostalOrders(now: now + 119, lease: lease, limit: 10).isEmpty)
        #expect(try await store.claimDuePostalOrders(now: now + 120, lease: lease, limit: 10).map(\.id) == [orderID])
        try await store.recordPostalAttempt(orderID, outcome: .dead(error: "HTTP 422: receiver.phone"))
        let deadOrder = try #require(try await store.postalOrder(id: orderID))
        #expect(deadOrder.status == .dead && deadOrder.lastError == "HTTP 422: receiver.phone")
        #expect(try await store.claimDuePostalOrders(now: now + 10_000, lease: lease, limit: 10).isEmpty)
        let summary = try #require(try await store.outboxSummaries().first { $0.outbox == "postal" })
        #expect(summary.dead == 1 && summary.pending == 0)

        // An officer sends it again: due at once, its attempts counted afresh.
        #expect(try await store.retryPostalOrder(orderID, now: now + 20_000))
        #expect(try await !store.retryPostalOrder(orderID, now: now + 20_001), "only a dead letter is retried")
        let again = try await store.claimDuePostalOrders(now: now + 20_000, lease: lease, limit: 10)
        #expect(again.map(\.id) == [orderID] && again.first?.attempts == 0)
        #expect(try await store.postalOrder(waybill: "EA123456785VN") == nil)
    }

    @Test("An unknown order cannot be retried, and an empty store sums up to nothing", arguments: Backend.all)
    func emptyOutboxes(backend: Backend) async throws {
        let store = try await backend.makeStore()
        #expect(try await !store.retryPostalOrder("none-THU", now: now))
        #expect(try await store.postalOrder(id: "none-THU") == nil)
        #expect(try await store.claimDueNotifications(now: now, lease: lease, limit: 10).isEmpty)
        #expect(try await store.claimDuePostalOrders(now: now, lease: lease, limit: 10).isEmpty)
        for summary in try await store.outboxSummaries() {
            #expect(summary.pending == 0 && summary.dead == 0 && summary.retrying == 0 && summary.oldestPendingAt == nil, "\(summary.outbox)")
        }
    }
}

/// Officers, sessions and the catalogue as both backends keep them.
@Suite("Officers, sessions and the catalogue, on every backend")
struct AccountStoreTests {
    let now = WorkCalendar.parse("2026-03-02T09:00:00+07:00")!

    func officer(_ id: String, agency: String = desk.agencyID, role: Role = .desk, department: String? = nil) -> Officer {
        Officer(id: id, username: "user.\(id)", name: "Cán bộ \(id)", role: role, agencyID: agency, departmentID: department, passwordHash: "hash-\(id)")
    }

    @Test("Officers are found by id and username, listed by agency, counted; a username is taken once", arguments: Backend.all)
    func officers(backend: Backend) async throws {
        let store = try await backend.makeStore()
        #expect(try await store.officerCount() == 0)
        try await store.createOfficer(officer("a"))
        try await store.createOfficer(officer("b", role: .handler, department: "tp"))
        try await store.createOfficer(officer("c", agency: "000.07.01.H25", role: .leader))
        #expect(try await store.officerCount() == 3)
        #expect(try await store.officer(id: "b") == officer("b", role: .handler, department: "tp"))
        #expect(try await store.officer(username: "user.c")?.role == .leader)
        #expect(try await store.officer(username: "nobody") == nil)
        #expect(try await store.officer(id: "nobody") == nil)
        #expect(Set(try await store.officers(agencyID: desk.agencyID).map(\.id)) == ["a", "b"])
        #expect(try await store.officers(agencyID: "elsewhere").isEmpty)

        var clash = officer("d")
        clash.username = "user.a"
        await #expect(throws: (any Error).self) { try await store.createOfficer(clash) }
        await #expect(throws: (any Error).self) { try await store.createOfficer(officer("a")) }
        #expect(try await store.officerCount() == 3)
    }

    @Test("A new password replaces the old hash", arguments: Backend.all)
    func passwords(backend: Backend) async throws {
        let store = try await backend.makeStore()
        try await store.createOfficer(officer("a"))
        try await store.setPassword(officerID: "a", passwordHash: "new-hash")
        #expect(try await store.officer(id: "a")?.passwordHash == "new-hash")
        #expect(try await store.officer(username: "user.a")?.passwordHash == "new-hash")
    }

    @Test("Sessions: valid until they expire, gone when deleted, each token its own", arguments: Backend.all)
    func sessions(backend: Backend) async throws {
        let store = try await backend.makeStore()
        try await store.createOfficer(officer("a"))
        try await store.createOfficer(officer("b"))
        try await store.createSession(tokenHash: "t1", officerID: "a", createdAt: now, expiresAt: now + 3600)
        try await store.createSession(tokenHash: "t2", officerID: "a", createdAt: now, expiresAt: now + 7200)
        try await store.createSession(tokenHash: "t3", officerID: "b", createdAt: now, expiresAt: now + 3600)
        let (found, expires) = try #require(try await store.session(tokenHash: "t1", now: now + 60))
        #expect(found.id == "a" && expires == now + 3600)
        #expect(try await store.session(tokenHash: "t1", now: now + 3600) == nil, "expired at its instant")
        #expect(try await store.session(tokenHash: "t2", now: now + 3600)?.0.id == "a")
        try await store.deleteSession(tokenHash: "t2")
        #expect(try await store.session(tokenHash: "t2", now: now) == nil)
        #expect(try await store.session(tokenHash: "t3", now: now)?.0.id == "b", "logging one out leaves the others")
        #expect(try await store.session(tokenHash: "unknown", now: now) == nil)
        try await store.deleteSession(tokenHash: "unknown")
    }

    @Test("The catalogue reads back as saved: procedures, agencies, levels", arguments: Backend.all)
    func catalogueReadBack(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let counts = try await store.saveCatalogue(tree: catalogue.tree, procedures: catalogue.procedures)
        #expect(counts.procedures == catalogue.procedures.count)
        #expect(Set(try await store.procedures().map(\.code)) == Set(catalogue.procedures.map(\.code)))
        let birth = try #require(catalogue.procedures.first { $0.code == "1.001193" })
        #expect(try await store.procedure(code: "1.001193") == birth)
        #expect(try await store.procedure(code: "9.999999") == nil)
        let agencies = try await store.agencies()
        #expect(Set(agencies.map(\.id)) == Set(catalogue.tree.agencies.keys))
        #expect(agencies.first { $0.id == desk.agencyID } == catalogue.tree.agencies[desk.agencyID])
        #expect(Set(try await store.agencyLevels()) == Set(catalogue.tree.levels))
    }

    @Test("The store answers ping and counts what it holds", arguments: Backend.all)
    func counts(backend: Backend) async throws {
        let store = try await backend.makeStore()
        try await store.ping()
        let empty = try await store.counts()
        _ = try await file(store, intake(), at: now)
        _ = try await file(store, intake("Trần Văn Bình"), at: now)
        let after = try await store.counts()
        #expect(after.dossiers == empty.dossiers + 2)
        #expect(after.events >= empty.events + 4)
    }
}

import Foundation
import MotCuaCore
import Testing
@testable import MotCuaStore

/// Filing anywhere in the province (issue #20, part 2) in the store, on every backend: the
/// receiving desk's queue, the competent agency's queue of hand-offs, and the day counters of
/// both agencies.
@Suite("Filing anywhere in the province: store")
struct AnywhereStoreTests {
    static let competent = "000.15.02.H42"
    let now = WorkCalendar.parse("2026-03-02T09:00:00+07:00")!

    @Test("Both agencies find the dossier in their queues, and each counts it on its side", arguments: Backend.all)
    func queuesAndCounts(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let tree = catalogue.tree
        let context = DecisionContext(
            actor: desk, now: now, calendar: calendar, placeOf: { id in tree.agencies[id].flatMap { a in tree.province(of: id).map { ($0, a.level) } } })
        var across = intake("Lê Văn Cường")
        across.competentAgencyID = Self.competent
        across.files = across.documents.enumerated().map { index, document in
            StoredFile(sha256: String(repeating: "a\(index % 10)", count: 32), name: "quet.pdf", contentType: "application/pdf", size: 10, document: document.name)
        }
        let (filed, _) = try await store.fileDossier(agencyID: Self.competent, day: WorkCalendar.localDate(of: now)) { [across] code in
            try Lifecycle.file(across, code: code, id: "anywhere-1", context: context)
        }
        let ordinary = try await file(store, intake("Phạm Thị Dung"), at: now)
        #expect(filed.code.hasPrefix(Self.competent) && filed.pendingAgencyID == Self.competent && filed.receivingAgencyID == desk.agencyID)

        func codes(_ kind: QueueKind, _ agency: String) async throws -> [String] {
            try await store.queue(QueueQuery(kind: kind, agencyID: agency, now: now, limit: 50, offset: 0)).items.map(\.code)
        }
        #expect(try await codes(.incoming, Self.competent) == [filed.code])
        #expect(try await codes(.incoming, desk.agencyID) == [])
        #expect(try await codes(.receivedForOthers, desk.agencyID) == [filed.code])
        #expect(try await codes(.receivedForOthers, Self.competent) == [])
        #expect(Set(try await codes(.agency, desk.agencyID)) == [filed.code, ordinary.code], "held by A until C receives it")

        // C receives it: it leaves C's incoming queue and A's still lists it (open, taken in there).
        let officerC = Actor(id: "desk-c", name: "Hồ Thị Em", role: .desk, agencyID: Self.competent)
        let moved = try await store.apply(code: filed.code) { d in
            try Lifecycle.decide(.receiveFromAgency, dossier: d, context: DecisionContext(actor: officerC, now: now.addingTimeInterval(600), calendar: calendar))
        }
        #expect(moved.currentAgencyID == Self.competent)
        #expect(try await codes(.incoming, Self.competent) == [])
        #expect(try await codes(.agency, Self.competent) == [filed.code])
        #expect(try await codes(.receivedForOthers, desk.agencyID) == [filed.code])
        #expect(try await store.dossier(code: filed.code)?.receivingAgencyID == desk.agencyID, "read back from the row")

        // The day counters: C counts it as received elsewhere, A as received for others.
        let (a, b) = try ReportPeriod(named: "2026-03").bounds
        let tallies = try await store.statTallies(from: a, to: b, agencies: nil)
        let c = tallies.filter { $0.agencyID == Self.competent }.reduce(Tally()) { $0 + $1.tally }
        let own = tallies.filter { $0.agencyID == desk.agencyID }.reduce(Tally()) { $0 + $1.tally }
        #expect(c.received.desk == 1 && c.counts.receivedElsewhere == 1 && c.counts.receivedForOthers == 0)
        #expect(own.received.desk == 1 && own.counts.receivedElsewhere == 0 && own.counts.receivedForOthers == 1)
    }
}

import Foundation
import Testing
@testable import MotCuaCore

/// What the statistics keep of a dossier (`StatFact`), read from the dossier itself: when it was
/// received and resolved and how, its pauses, its fee, its return, its rating.
@Suite("A dossier's statistical fact")
struct StatFactTests {
    func seconds(_ text: String) -> Int64 { Int64(at(text).timeIntervalSince1970) }

    @Test("Not received: no fact; received: its receipt, agency, procedure, channel and due time")
    func receipt() throws {
        #expect(StatFact(try dossier(in: .submitted)) == nil)
        let received = try dossier(in: .received)
        let fact = try #require(StatFact(received))
        #expect(fact.dossierID == received.id && fact.agencyID == agencyA && fact.procedureCode == "1.001193" && fact.channel == .desk)
        #expect(fact.receivedAt == seconds("2026-03-02T08:00:00+07:00"))
        #expect(fact.dueAt == received.dueAt.map { Int64($0.timeIntervalSince1970) })
        #expect(fact.resolvedAt == nil && fact.resolution == nil && fact.span == 0)
        #expect(fact.level == 0 && !fact.hasFee && !fact.paidOnline && !fact.digitised && fact.rating == nil && fact.receivingAgencyID == nil)
    }

    @Test("Resolved with a result: when it was ready and how it ended against its appointment", arguments: [DossierStatus.resultReady, .returned])
    func resolved(status: DossierStatus) throws {
        let d = try dossier(in: status)
        let fact = try #require(StatFact(d))
        #expect(fact.resolvedAt == d.resultReadyAt.map { Int64($0.timeIntervalSince1970) })
        #expect(fact.resolution == .early, "ready on the first day of a three-day term")
        #expect(fact.span == fact.resolvedAt! - fact.receivedAt)
        #expect((fact.returnedAt != nil) == (status == .returned) && !fact.returnedByPost)
    }

    @Test("Refused, withdrawn or stopped: resolved as closed, at the closing", arguments: [DossierStatus.refused, .withdrawn, .stopped])
    func closed(status: DossierStatus) throws {
        let d = try dossier(in: status)
        let fact = try #require(StatFact(d))
        #expect(fact.resolution == .closed)
        #expect(fact.resolvedAt == d.closedAt.map { Int64($0.timeIntervalSince1970) })
    }

    @Test("Pauses: a supplementation wait and a fee wait are told apart; a fee makes it a dossier with a fee")
    func pauses() throws {
        var d = try dossier(in: .supplementation)
        let waiting = try #require(StatFact(d))
        #expect(waiting.supplementationFrom == seconds("2026-03-02T09:00:00+07:00") && waiting.supplementationUntil == nil)
        #expect(waiting.feeFrom == nil)
        try run(.supplementationReceived(note: nil), &d, by: officer(.desk), at: "2026-03-04T10:00:00+07:00")
        let back = try #require(StatFact(d))
        #expect(back.supplementationUntil == seconds("2026-03-04T10:00:00+07:00"))

        var fee = try dossier(in: .awaitingFee)
        let charged = try #require(StatFact(fee))
        #expect(charged.hasFee && charged.feeFrom == seconds("2026-03-02T09:00:00+07:00") && charged.feeUntil == nil)
        #expect(charged.supplementationFrom == nil, "the fee's pause is not a supplementation")
        try run(.feePaid(), &fee, by: officer(.desk), at: "2026-03-03T09:00:00+07:00")
        let paid = try #require(StatFact(fee))
        #expect(paid.feeUntil == seconds("2026-03-03T09:00:00+07:00") && !paid.paidOnline, "paid at the desk")
    }

    @Test("Returned by post and rated: the return and the citizen's score are kept")
    func returnAndRating() throws {
        var d = try dossier(in: .returned)
        #expect(try #require(StatFact(d)).returnedByPost == false)
        d.returnMethod = .post
        #expect(try #require(StatFact(d)).returnedByPost == true)
        d.rating = Rating(score: 2, comment: "Chậm", at: at("2026-03-05T09:00:00+07:00"))
        #expect(try #require(StatFact(d)).rating == 2)
    }

    @Test("Each outcome becomes its resolution")
    func outcomes() {
        #expect(StatFact.Resolution(.early) == .early && StatFact.Resolution(.onTime) == .onTime && StatFact.Resolution(.late) == .late)
        #expect(StatFact.Resolution.allCases.map(\.rawValue) == [0, 1, 2, 3], "stored as these numbers: never renumber")
    }
}

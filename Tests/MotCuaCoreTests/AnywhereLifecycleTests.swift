import Foundation
import Testing
@testable import MotCuaCore

/// Filing anywhere in the province (issue #20, part 2) in the pure lifecycle: the receiving desk
/// (A, Sông Trí) takes in a dossier for the competent agency (C, Hoành Sơn, the same province).
@Suite("Filing anywhere in the province: lifecycle")
struct AnywhereLifecycleTests {
    static let competent = "000.15.02.H42"
    static let province = "000.00.00.H42"

    static let filedAnywhere: Procedure = {
        var procedure = birthRegistration
        procedure.anywhereInProvince = true
        return procedure
    }()

    /// The seed tree's places: A and C in Hà Tĩnh at commune level, B in Phú Thọ.
    static func context(_ actor: Actor, _ now: String) -> DecisionContext {
        var context = MotCuaCoreTests.context(actor, now)
        let places: [String: (province: String, level: String)] = [
            agencyA: (province, "xa"), competent: (province, "xa"), province: (province, "tinh"), agencyB: ("000.00.00.H25N", "xa"),
        ]
        context.placeOf = { places[$0] }
        context.agencyIsActive = { places[$0] != nil }
        return context
    }

    /// An intake of every document, each with the desk's scan (but `unscanned`).
    static func intake(
        for agency: String?, procedure: Procedure = filedAnywhere, missing: [String] = [], returnAt: String? = nil, unscanned: Int? = nil
    ) -> Intake {
        var intake = Intake(
            procedure: procedure, applicant: applicant,
            documents: procedure.documents.map { ProvidedDocument(name: $0.name, originals: $0.originals, copies: $0.copies) },
            returnMethod: .desk, missingItems: missing, competentAgencyID: agency, returnAgencyID: returnAt)
        intake.files = procedure.documents.enumerated().filter { $0.offset != unscanned }.map { index, document in
            StoredFile(sha256: String(repeating: "\(index)", count: 64), name: "quet-\(index + 1).pdf", contentType: "application/pdf", size: 100, document: document.name)
        }
        return intake
    }

    @Test("Received at A: the dossier is C's, the clock starts at A's receipt, and it is handed to C at once")
    func handedOnAtReceipt() throws {
        let events = try Lifecycle.file(
            Self.intake(for: Self.competent), code: "\(Self.competent)-260302-0001", id: "d1",
            context: Self.context(officer(.desk), "2026-03-02T08:00:00+07:00"))
        #expect(events.map(\.kind) == [.created, .received, .sentToAgency])
        #expect(events[2].fromAgencyID == agencyA && events[2].toAgencyID == Self.competent && events[2].agencyID == agencyA)
        let d = try #require(Lifecycle.replay(events))
        #expect(d.agencyID == Self.competent && d.receivingAgencyID == agencyA && d.returnAgencyID == agencyA)
        #expect(d.currentAgencyID == agencyA && d.pendingAgencyID == Self.competent && d.isFiledElsewhere)
        #expect(d.receivedAt == at("2026-03-02T08:00:00+07:00"))
        let due = try #require(d.dueAt)

        // C receives it the next day: the legal due time stays the one set at A's receipt.
        var moved = d
        let received = try Lifecycle.decide(.receiveFromAgency, dossier: moved, context: Self.context(officer(.desk, agency: Self.competent), "2026-03-03T08:00:00+07:00"))
        moved = received.reduce(moved, Lifecycle.evolve)
        #expect(moved.currentAgencyID == Self.competent && moved.pendingAgencyID == nil && moved.dueAt == due)
        #expect(moved.agencyTrail == [agencyA, Self.competent])

        // The statistics count it for C, and for A as received for others.
        let fact = try #require(StatFact(moved))
        #expect(fact.agencyID == Self.competent && fact.receivingAgencyID == agencyA)
        let (a, b) = (Int64(at("2026-03-01T00:00:00+07:00").timeIntervalSince1970), Int64(at("2026-04-01T00:00:00+07:00").timeIntervalSince1970))
        #expect(Tally.of(fact, from: a, to: b).counts.receivedElsewhere == 1)
        let desk = try #require(Tally.ofReceivingDesk(fact, from: a, to: b))
        #expect(desk.agencyID == agencyA && desk.tally.counts.receivedForOthers == 1 && desk.tally.received.total == 0)
        let ordinary = try #require(StatFact(try MotCuaCoreTests.received()))
        #expect(ordinary.receivingAgencyID == nil && Tally.ofReceivingDesk(ordinary, from: a, to: b) == nil)
    }

    @Test("Registered with missing items, it stays at A until they come and A receives it: the hand-off follows that receipt")
    func handedOnAfterSupplementation() throws {
        let events = try Lifecycle.file(
            Self.intake(for: Self.competent, missing: ["Giấy chứng sinh"]), code: "C-1", id: "d2",
            context: Self.context(officer(.desk), "2026-03-02T08:00:00+07:00"))
        var d = try #require(Lifecycle.replay(events))
        #expect(d.status == .supplementation && d.pendingAgencyID == nil && d.currentAgencyID == agencyA)
        let desk = officer(.desk)
        d = try Lifecycle.decide(.supplementationReceived(note: nil), dossier: d, context: Self.context(desk, "2026-03-03T08:00:00+07:00"))
            .reduce(d, Lifecycle.evolve)
        let receipt = try Lifecycle.decide(.receive, dossier: d, context: Self.context(desk, "2026-03-03T08:05:00+07:00"))
        #expect(receipt.map(\.kind) == [.received, .sentToAgency])
        d = receipt.reduce(d, Lifecycle.evolve)
        #expect(d.pendingAgencyID == Self.competent && d.receivedAt == at("2026-03-03T08:05:00+07:00"))
    }

    @Test("The result returned at A goes back to A's desk when it is ready; returned at C, it stays")
    func resultBackToTheDesk() throws {
        for (returnAt, expected) in [(nil, [DossierEvent.Kind.resultReady, .sentToAgency]), (Self.competent, [.resultReady])] {
            var d = try #require(Lifecycle.replay(try Lifecycle.file(
                Self.intake(for: Self.competent, returnAt: returnAt), code: "C-2", id: "d3",
                context: Self.context(officer(.desk), "2026-03-02T08:00:00+07:00"))))
            let desk = officer(.desk, agency: Self.competent), leader = officer(.leader, agency: Self.competent)
            for (command, actor, time) in [
                (DossierCommand.receiveFromAgency, desk, "09:00"), (.transfer(departmentID: "TPHT"), desk, "09:10"),
                (.approve(note: nil), leader, "10:00"),
            ] {
                d = try Lifecycle.decide(command, dossier: d, context: Self.context(actor, "2026-03-02T\(time):00+07:00")).reduce(d, Lifecycle.evolve)
            }
            let ready = try Lifecycle.decide(.resultReady, dossier: d, context: Self.context(leader, "2026-03-02T11:00:00+07:00"))
            #expect(ready.map(\.kind) == expected)
            d = ready.reduce(d, Lifecycle.evolve)
            // Returned by the desk that holds the result: A's after it receives it, else C's.
            let returner = returnAt == nil ? officer(.desk) : desk
            if returnAt == nil {
                d = try Lifecycle.decide(.receiveFromAgency, dossier: d, context: Self.context(returner, "2026-03-02T14:00:00+07:00")).reduce(d, Lifecycle.evolve)
            }
            d = try Lifecycle.decide(.returnResult(method: .desk), dossier: d, context: Self.context(returner, "2026-03-02T15:00:00+07:00"))
                .reduce(d, Lifecycle.evolve)
            #expect(d.status == .returned && d.currentAgencyID == (returnAt == nil ? agencyA : Self.competent))
        }
    }

    @Test("Refused for the field at fault: no flag, another province, another level, an unknown agency, a return desk of neither")
    func refusals() throws {
        var plain = Self.filedAnywhere
        plain.anywhereInProvince = nil
        let cases: [(Intake, String)] = [
            (Self.intake(for: Self.competent, procedure: plain), "competentAgencyID"),
            (Self.intake(for: agencyB), "competentAgencyID"),
            (Self.intake(for: Self.province), "competentAgencyID"),
            (Self.intake(for: "000.99.99.H42"), "competentAgencyID"),
            (Self.intake(for: Self.competent, returnAt: agencyB), "returnAgencyID"),
            // Handed on electronically, every document handed in needs its scan.
            (Self.intake(for: Self.competent, unscanned: 1), "document-2"),
        ]
        for (intake, field) in cases {
            #expect {
                try Lifecycle.file(intake, code: "C-3", id: "d4", context: Self.context(officer(.desk), "2026-03-02T08:00:00+07:00"))
            } throws: { error in
                guard case let DomainError.invalid(problems) = error else { return false }
                return problems.contains { $0.field == field }
            }
        }
        // Naming the desk's own agency is an ordinary intake.
        let own = try Lifecycle.file(Self.intake(for: agencyA), code: "C-4", id: "d5", context: Self.context(officer(.desk), "2026-03-02T08:00:00+07:00"))
        #expect(own.map(\.kind) == [.created, .received])
        #expect(Lifecycle.replay(own)?.receivingAgencyID == nil)
    }
}

import Foundation
import Testing
@testable import MotCuaCore

/// The steps a term is divided among: which step each state is in, the shares that make a valid
/// split, the cumulative share by the end of each step, each step's due time and the outcome a
/// hand-off records.
@Suite("Steps and their splits")
struct StepSplitTests {
    @Test("Each state's step; none before receipt, while paused or once closed", arguments: DossierStatus.allCases)
    func stepOfState(status: DossierStatus) {
        let expected: [DossierStatus: ProcessingStep] = [.received: .desk, .processing: .processing, .approved: .approval, .resultReady: .return]
        #expect(ProcessingStep(status: status) == expected[status])
    }

    @Test("A split is valid when its shares are not negative and add up to one")
    func validity() {
        #expect(StepSplit.standard.isValid)
        #expect(StepSplit(desk: 0, processing: 1, approval: 0, return: 0).isValid)
        #expect(StepSplit(desk: 0.1, processing: 0.2, approval: 0.3, return: 0.4).isValid, "0.1 + 0.2 + 0.3 + 0.4 in floating point")
        #expect(!StepSplit(desk: 0.5, processing: 0.6, approval: 0, return: 0).isValid)
        #expect(!StepSplit(desk: -0.1, processing: 0.9, approval: 0.1, return: 0.1).isValid)
        #expect(!StepSplit(desk: 0.25, processing: 0.25, approval: 0.25, return: 0.2).isValid)
    }

    @Test("The cumulative share by the end of each step rises to one")
    func cumulative() {
        let split = StepSplit.standard
        let shares = ProcessingStep.allCases.map(split.cumulative(through:))
        #expect(abs(shares[0] - 0.1) < 1e-12 && abs(shares[1] - 0.7) < 1e-12 && abs(shares[2] - 0.9) < 1e-12 && shares[3] == 1)
        #expect(shares == shares.sorted())
        let odd = StepSplit(desk: 0, processing: 0, approval: 0, return: 1)
        #expect(odd.cumulative(through: .approval) == 0 && odd.cumulative(through: .return) == 1)
    }

    @Test("Each step is due at its share of the term, never after the dossier; the last one at the dossier's due time")
    func stepDues() throws {
        let d = try dossier(in: .received)
        let due = try #require(d.dueAt)
        var previous = try #require(d.receivedAt)
        for step in ProcessingStep.allCases {
            let stepDue = try #require(Lifecycle.stepDue(step, of: d, split: .standard, calendar: testCalendar), "\(step)")
            #expect(stepDue <= due && stepDue >= previous, "\(step)")
            previous = stepDue
        }
        #expect(Lifecycle.stepDue(.return, of: d, split: .standard, calendar: testCalendar) == due)
        #expect(Set(ProcessingStep.allCases.map(\.vietnameseName)).count == 4)
    }

    @Test("The hand-offs record each step's outcome against its due time")
    func outcomes() throws {
        let d = try dossier(in: .returned)
        var events = [DossierEvent]()
        // Rebuild the control sheet the helper made, to read the outcomes it stamped.
        let filed = try Lifecycle.file(completeIntake(), code: "\(agencyA)-260302-0001", id: "d1", context: context(officer(.desk), "2026-03-02T08:00:00+07:00"))
        events += filed
        var current = try #require(Lifecycle.replay(filed))
        for (command, role, time) in [
            (DossierCommand.transfer(departmentID: "TPHT"), Role.desk, "2026-03-02T09:00:00+07:00"), (.approve(note: nil), .leader, "2026-03-02T10:00:00+07:00"),
            (.resultReady, .handler, "2026-03-02T11:00:00+07:00"), (.returnResult(method: .desk), .desk, "2026-03-02T14:00:00+07:00"),
        ] {
            let new = try Lifecycle.decide(command, dossier: current, context: context(officer(role), time))
            current = new.reduce(current) { Lifecycle.evolve($0, $1) }
            events += new
        }
        #expect(current.status == d.status)
        let outcomes = Lifecycle.stepOutcomes(events)
        #expect(!outcomes.isEmpty)
        #expect(Set(outcomes.values.map(\.step)).isSubset(of: Set(ProcessingStep.allCases)))
        #expect(outcomes.values.allSatisfy { $0.outcome == .early || $0.outcome == .onTime }, "every step well within its share")
    }
}

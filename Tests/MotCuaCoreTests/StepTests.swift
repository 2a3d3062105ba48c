import Foundation
import MotCuaDemo
import Testing
@testable import MotCuaCore

extension Term {
    var workingDays: Int? { if case let .workingDays(n) = self { n } else { nil } }
}

@Suite("Per-step deadlines: the term divided among desk, processing, approval and return")
struct StepTests {
    /// A dossier of `term` received at `received`, with `pauses`.
    func dossier(received: String, term: Term, pauses: [Pause] = []) throws -> Dossier {
        var d = try Lifecycle.replay(Lifecycle.file(completeIntake(), code: "\(agencyA)-260302-0001", id: "d1", context: context(officer(.desk), received)))!
        d.term = term
        d.pauses = pauses
        d.dueAt = try testCalendar.due(from: d.receivedAt!, workingSeconds: Int64(term.workingDays ?? 0) * testCalendar.workingDaySeconds, pauses: pauses)
        return d
    }

    @Test("Each step's due time in working time, across Tết and a weekend", arguments: [
        // 5 working days from Friday 13 February 2026 at 10:00, Tết off 16–20 February.
        ("2026-02-13T10:00:00+07:00", ProcessingStep.desk, "2026-02-13T15:30:00+07:00"),
        ("2026-02-13T10:00:00+07:00", .processing, "2026-02-25T15:30:00+07:00"),
        ("2026-02-13T10:00:00+07:00", .approval, "2026-02-26T15:30:00+07:00"),
        ("2026-02-13T10:00:00+07:00", .return, "2026-02-27T10:00:00+07:00"),
        // From Monday 2 March at 08:00: 4, 28, 36 and 40 working hours.
        ("2026-03-02T08:00:00+07:00", .desk, "2026-03-02T13:30:00+07:00"),
        ("2026-03-02T08:00:00+07:00", .return, "2026-03-09T08:00:00+07:00"),
    ])
    func table(received: String, step: ProcessingStep, due: String) throws {
        let d = try dossier(received: received, term: .workingDays(5))
        #expect(Lifecycle.stepDue(step, of: d, split: .standard, calendar: testCalendar) == at(due))
    }

    @Test("A pause moves the steps after it by the working time it took, and the dossier's due time as much")
    func pauses() throws {
        let pause = Pause(start: at("2026-03-02T13:00:00+07:00"), end: at("2026-03-03T13:00:00+07:00"))
        let plain = try dossier(received: "2026-03-02T08:00:00+07:00", term: .workingDays(5))
        let paused = try dossier(received: "2026-03-02T08:00:00+07:00", term: .workingDays(5), pauses: [pause])
        let before = try #require(Lifecycle.stepDue(.processing, of: plain, split: .standard, calendar: testCalendar))
        let after = try #require(Lifecycle.stepDue(.processing, of: paused, split: .standard, calendar: testCalendar))
        // 28 of the 40 working hours, from Monday 08:00: Thursday 13:30; one working day later with the pause.
        #expect(before == at("2026-03-05T13:30:00+07:00") && after == at("2026-03-06T13:30:00+07:00"))
        #expect(Lifecycle.stepDue(.return, of: paused, split: .standard, calendar: testCalendar) == paused.dueAt)
    }

    @Test("Property: over random terms, splits, receipts across 2026 and pauses, no step is due after the dossier, and each step after the one before")
    func neverPastTheDueTime() throws {
        var random = SeededGenerator(seed: 20_260_301)
        let start = at("2026-01-01T00:00:00+07:00").timeIntervalSince1970
        for _ in 0..<400 {
            let received = Date(timeIntervalSince1970: start + Double.random(in: 0..<(360 * 86_400), using: &random))
            let term = Term.workingDays(Int.random(in: 1...60, using: &random))
            var shares = (0..<4).map { _ in Double.random(in: 0...1, using: &random) }
            let total = shares.reduce(0, +)
            shares = shares.map { $0 / total }
            let split = StepSplit(desk: shares[0], processing: shares[1], approval: shares[2], return: 1 - shares[0] - shares[1] - shares[2])
            var pauses: [Pause] = []
            if Bool.random(using: &random) {
                let pauseStart = received.addingTimeInterval(Double.random(in: 0..<(10 * 86_400), using: &random))
                pauses.append(Pause(start: pauseStart, end: pauseStart.addingTimeInterval(Double.random(in: 0..<(20 * 86_400), using: &random))))
            }
            var d = try dossier(received: WorkCalendar.format(received), term: term, pauses: pauses)
            d.dueAt = try testCalendar.due(from: d.receivedAt!, workingSeconds: Int64(term.workingDays!) * testCalendar.workingDaySeconds, pauses: pauses)
            let dues = ProcessingStep.allCases.compactMap { Lifecycle.stepDue($0, of: d, split: split, calendar: testCalendar) }
            #expect(dues.count == 4)
            #expect(dues.allSatisfy { $0 <= d.dueAt! }, "\(WorkCalendar.format(received)) \(term) \(split)")
            #expect(zip(dues, dues.dropFirst()).allSatisfy { $0 <= $1 })
        }
    }

    @Test("The hand-offs carry their step and due time; each step's outcome is on the row that ends it")
    func outcomes() throws {
        var d = try received(at: "2026-03-02T08:00:00+07:00")
        var events = try Lifecycle.file(completeIntake(), code: "\(agencyA)-260302-0001", id: "d1", context: context(officer(.desk), "2026-03-02T08:00:00+07:00"))
        #expect(events.last?.step == .desk && events.last?.stepDueAt != nil)
        events += try run(.transfer(departmentID: "TPHT"), &d, by: officer(.desk), at: "2026-03-03T09:00:00+07:00")
        #expect(events.last?.step == .processing)
        events += try run(.approve(note: nil), &d, by: officer(.leader), at: "2026-03-03T10:00:00+07:00")
        events += try run(.resultReady, &d, by: officer(.handler), at: "2026-03-03T11:00:00+07:00")
        events += try run(.returnResult(method: .desk), &d, by: officer(.desk), at: "2026-03-04T08:00:00+07:00")
        let outcomes = Lifecycle.stepOutcomes(events)
        let byStep = Dictionary(uniqueKeysWithValues: outcomes.values.map { ($0.step, $0.outcome) })
        // 3 working days (birth registration in the test catalogue): the desk had 10% of them.
        // Desk: 10% of 3 working days, due Monday 10:24, transferred Tuesday; processing due Wednesday
        // 08:48, approved Tuesday; approval due Wednesday, ready Tuesday; return due Thursday.
        #expect(byStep == [.desk: .late, .processing: .early, .approval: .early, .return: .early] && outcomes.count == 4, "\(outcomes.values.map { ($0.step, $0.outcome, WorkCalendar.format($0.dueAt)) })")
        #expect(d.dueAt! >= events.compactMap(\.stepDueAt).max()!)
    }
}

import Foundation
import MotCuaDemo
import Testing
@testable import MotCuaCore

/// The report's buckets and the indicators, on dossiers whose answers are worked out by hand.
@Suite("Statistics: report buckets, indicators, directives")
struct StatisticsTests {
    /// Seconds since 1970 at a local (Vietnam) date and hour of 2026.
    static func at(_ month: Int, _ day: Int, _ hour: Int = 9) -> Int64 {
        Int64(WorkCalendar.instant(LocalDate(year: 2026, month: month, day: day)!).timeIntervalSince1970) + Int64(hour) * 3600
    }

    static func fact(
        _ id: String, _ channel: Channel = .desk, level: Int = 0, received: Int64, resolved: Int64? = nil,
        _ resolution: StatFact.Resolution? = nil, due: Int64? = nil, supplementation: (Int64, Int64?)? = nil,
        fee: (Int64, Int64?)? = nil, returned: Int64? = nil, byPost: Bool = false
    ) -> StatFact {
        StatFact(
            dossierID: id, agencyID: "A", procedureCode: "P", channel: channel, level: level, receivedAt: received,
            resolvedAt: resolved, resolution: resolution, dueAt: due, supplementationFrom: supplementation?.0,
            supplementationUntil: supplementation?.1, feeFrom: fee?.0, feeUntil: fee?.1, returnedAt: returned, returnedByPost: byPost)
    }

    /// Twelve dossiers around June 2026, one edge case each (numbers as in the comments).
    static let cases: [StatFact] = [
        // 1. received in May, resolved 10 June early: carried over, early.
        fact("1", received: at(5, 20), resolved: at(6, 10), .early, due: at(6, 12)),
        // 2. online at level 4 on 5 June, resolved late on 20 June.
        fact("2", .online, level: 4, received: at(6, 5), resolved: at(6, 20), .late, due: at(6, 15)),
        // 3. desk, 28 June, open, due 5 July: pending within term.
        fact("3", received: at(6, 28), due: at(7, 5)),
        // 4. desk, 2 June, open, due 15 June: pending overdue.
        fact("4", received: at(6, 2), due: at(6, 15)),
        // 5. by post, 3 June, waiting for supplementation since 25 June: resolved on time (practice).
        fact("5", .postal, received: at(6, 3), due: at(6, 20), supplementation: (at(6, 25), nil)),
        // 6. received 10 May, waiting 25 May–4 June, resolved 20 June on time: not carried over
        //    (May counted it resolved), back in June (desk), resolved on time.
        fact("6", received: at(5, 10), resolved: at(6, 20), .onTime, due: at(6, 22), supplementation: (at(5, 25), at(6, 4))),
        // 7. received 10 May, waiting since 20 May: resolved in May; nowhere in June.
        fact("7", received: at(5, 10), due: at(5, 30), supplementation: (at(5, 20), nil)),
        // 8. received 8 June, withdrawn 9 June: resolved on time.
        fact("8", received: at(6, 8), resolved: at(6, 9), .closed, due: at(6, 30)),
        // 9. April to May: nowhere in June.
        fact("9", received: at(4, 10), resolved: at(5, 5), .onTime, due: at(5, 8)),
        // 10. received 10 June, waiting for the fee since 25 June, old due time 28 June: the clock
        //     is stopped, so within term.
        fact("10", received: at(6, 10), due: at(6, 28), fee: (at(6, 25), nil)),
        // 11. received 2 May, due 10 June, resolved 3 July: carried over, overdue at June's end.
        fact("11", received: at(5, 2), resolved: at(7, 3), .late, due: at(6, 10)),
        // 12. resolved 30 May, result returned by post on 2 June: only the postal return counts.
        fact("12", received: at(5, 4), resolved: at(5, 30), .onTime, due: at(6, 1), returned: at(6, 2), byPost: true),
    ]

    static func tally(_ facts: [StatFact], _ month: Int) -> Tally {
        let period = try! ReportPeriod(
            from: LocalDate(year: 2026, month: month, day: 1)!,
            to: LocalDate(year: 2026, month: month + 1, day: 1)!.adding(days: -1))
        return facts.reduce(Tally()) { $0 + Tally.of($1, from: period.bounds.from, to: period.bounds.to) }
    }

    @Test("June 2026 by hand: carried over, channels, early/on time/late, waiting at the end, resumed, withdrawn, fee pause, overdue")
    func june() {
        let t = Self.tally(Self.cases, 6)
        #expect(t.received == Tally.Received(total: 9, online: 1, desk: 5, postal: 1, carriedOver: 2))
        #expect(t.resolved == Tally.Resolved(total: 5, early: 1, onTime: 3, late: 1))
        #expect(t.pending == Tally.Pending(total: 4, withinTerm: 2, overdue: 2))
        #expect(t.isConsistent)
        #expect(t.counts.fresh == 6 && t.counts.level4 == 1 && t.counts.postal == 1)
        #expect(t.counts.returned == 1 && t.counts.returnedByPost == 1)
        // Results made in June: 1, 2 and 6 (8 was withdrawn, which is not a result).
        #expect(t.counts.finished == 3)
    }

    @Test("May 2026 by hand: the dossiers waiting for supplementation at the end count as resolved on time")
    func may() {
        let t = Self.tally(Self.cases, 5)
        // Received in May: 1, 6, 7, 11, 12 (desk); carried over from April: 9.
        #expect(t.received == Tally.Received(total: 6, online: 0, desk: 5, postal: 0, carriedOver: 1))
        // 9 and 12 resolved on time; 6 and 7 waiting at the end of May: on time.
        #expect(t.resolved == Tally.Resolved(total: 4, early: 0, onTime: 4, late: 0))
        // 1 and 11 still open on 31 May, both within term then.
        #expect(t.pending == Tally.Pending(total: 2, withinTerm: 2, overdue: 0))
    }

    @Test("A dossier spanning two periods: pending in the first, carried over and resolved in the second")
    func spanning() {
        let f = Self.fact("x", received: Self.at(6, 25), resolved: Self.at(7, 6), .onTime, due: Self.at(7, 8))
        let june = Self.tally([f], 6), july = Self.tally([f], 7)
        #expect(june.received.desk == 1 && june.pending.withinTerm == 1 && june.resolved.total == 0)
        #expect(july.received.carriedOver == 1 && july.received.desk == 0 && july.resolved.onTime == 1)
    }

    @Test("The four identities hold for every period on random dossiers")
    func identities() {
        var rng = SeededGenerator(seed: 11)
        let facts = (0..<2_000).map {
            StatFact.sample($0, from: Self.at(1, 1), days: 300, agencies: ["A", "B"], procedures: ["P", "Q", "R"], using: &rng)
        }
        for month in 1...11 {
            let t = Self.tally(facts, month)
            #expect(t.isConsistent, "month \(month): \(t)")
        }
    }

    @Test("Indicators: shares of the period's dossiers, nil when there is nothing to measure")
    func indicators() {
        let t = Self.tally(Self.cases, 6)
        let values = Dictionary(uniqueKeysWithValues: t.indicators(procedures: (online: 30, total: 88)).map { ($0.indicator, $0) })
        #expect(values[.onlineProcedureShare]?.value == 30.0 / 88)
        #expect(values[.level4DossierShare]?.value == 1.0 / 6)
        #expect(values[.onlineDossierShare]?.value == 1.0 / 6)
        #expect(values[.postalReceivedShare]?.value == 1.0 / 6)
        #expect(values[.postalReturnedShare]?.value == 1.0)
        // (early 1 + on time 3 + within term 2) of 9 handled.
        #expect(values[.onTimeRate]?.value == 6.0 / 9)
        #expect(values[.overdueDossiers]?.value == 3)
        #expect(values[.satisfaction]?.value == 1 - 3.0 / 9)
        #expect(values[.onlinePaymentRate]?.value == nil)
        let empty = Tally().indicators(procedures: (online: 0, total: 0))
        #expect(empty.allSatisfy { $0.value == nil })
    }

    @Test("A target is met, not met, or has no data; the gap is value − threshold")
    func evaluation() {
        let target = Directive.Target(
            indicator: .postalReceivedShare, comparator: .greaterThan, threshold: 0.10, deadline: LocalDate(year: 2021, month: 12, day: 31)!,
            text: "Trên 10%")
        let low = TargetEvaluation(directiveID: "d", agencyID: "A", target: target, value: IndicatorValue(indicator: .postalReceivedShare, numerator: 1, denominator: 20))
        #expect(low.status == .notMet && abs(low.gap! - (-0.05)) < 1e-12)
        let high = TargetEvaluation(directiveID: "d", agencyID: "A", target: target, value: IndicatorValue(indicator: .postalReceivedShare, numerator: 3, denominator: 20))
        #expect(high.status == .met)
        let none = TargetEvaluation(directiveID: "d", agencyID: "A", target: target, value: IndicatorValue(indicator: .postalReceivedShare, numerator: 0, denominator: 0))
        #expect(none.status == .noData && none.gap == nil)
        let zero = Directive.Target(indicator: .overdueDossiers, comparator: .atMost, threshold: 0, deadline: target.deadline, text: "Không quá hạn")
        #expect(TargetEvaluation(directiveID: "d", agencyID: "A", target: zero, value: IndicatorValue(indicator: .overdueDossiers, numerator: 0, denominator: 5)).status == .met)
        #expect(TargetEvaluation(directiveID: "d", agencyID: "A", target: zero, value: IndicatorValue(indicator: .overdueDossiers, numerator: 2, denominator: 5)).status == .notMet)
    }

}

import Foundation
import Testing
@testable import MotCuaCore

/// The report's building blocks: named periods and their bounds in Vietnam time, comparators,
/// directive checks, tallies added together, every indicator's unit and names.
@Suite("Statistics: periods, comparators, directives, tallies")
struct ReportBasicsTests {
    @Test("Named periods", arguments: [
        ("2026", "2026-01-01", "2026-12-31", 365),
        ("2024", "2024-01-01", "2024-12-31", 366),
        ("2026-H1", "2026-01-01", "2026-06-30", 181),
        ("2026-h2", "2026-07-01", "2026-12-31", 184),
        ("2026-Q1", "2026-01-01", "2026-03-31", 90),
        ("2024-Q1", "2024-01-01", "2024-03-31", 91),
        ("2026-Q4", "2026-10-01", "2026-12-31", 92),
        ("2026-02", "2026-02-01", "2026-02-28", 28),
        ("2028-02", "2028-02-01", "2028-02-29", 29),
        ("2026-12", "2026-12-01", "2026-12-31", 31),
    ])
    func named(name: String, from: String, to: String, days: Int) throws {
        let period = try ReportPeriod(named: name)
        #expect(period.from == day(from) && period.to == day(to))
        #expect(period.days == days)
    }

    @Test("Names that are not periods are refused with the forms that are", arguments: [
        "26", "2026-Q5", "2026-Q0", "2026-13", "2026-00", "2026-H3", "2026-06-01", "năm 2026", "", "1899", "2101", "2026-1",
    ])
    func badNames(name: String) {
        #expect(throws: StatisticsError.self) { try ReportPeriod(named: name) }
        do {
            _ = try ReportPeriod(named: name)
        } catch {
            #expect(error.message.contains("2026-Q2"))
        }
    }

    @Test("A period's bounds run from local midnight of its first day to local midnight after its last")
    func bounds() throws {
        let june = try ReportPeriod(named: "2026-06")
        let (from, to) = june.bounds
        #expect(WorkCalendar.format(Date(timeIntervalSince1970: TimeInterval(from))) == "2026-06-01T00:00:00+07:00")
        #expect(WorkCalendar.format(Date(timeIntervalSince1970: TimeInterval(to))) == "2026-07-01T00:00:00+07:00")
        #expect(to - from == 30 * 86_400)
        // A dossier received at 23:59 on the last day is in; at 00:00 the day after, out.
        let last = try #require(WorkCalendar.parse("2026-06-30T23:59:00+07:00"))
        #expect(Int64(last.timeIntervalSince1970) < to)
    }

    @Test("A period must not end before it starts; one day is a period")
    func explicitPeriods() throws {
        #expect(throws: StatisticsError.self) { try ReportPeriod(from: day("2026-06-02"), to: day("2026-06-01")) }
        let one = try ReportPeriod(from: day("2026-06-01"), to: day("2026-06-01"))
        #expect(one.days == 1 && one.bounds.to - one.bounds.from == 86_400)
    }

    @Test("Comparators, with a tolerance for shares computed in floating point")
    func comparators() {
        #expect(Comparator.greaterThan.holds(0.11, 0.10) && !Comparator.greaterThan.holds(0.10, 0.10))
        #expect(Comparator.atLeast.holds(0.1 + 0.2, 0.3), "0.30000000000000004 is at least 0.3")
        #expect(Comparator.atLeast.holds(0.3 - 1e-13, 0.3) && !Comparator.atLeast.holds(0.29, 0.3))
        #expect(Comparator.lessThan.holds(0.09, 0.10) && !Comparator.lessThan.holds(0.10, 0.10))
        #expect(Comparator.atMost.holds(0, 0) && Comparator.atMost.holds(0.3, 0.1 + 0.2) && !Comparator.atMost.holds(1, 0))
        #expect(Comparator.equal.holds(1.0 / 3 * 3, 1) && !Comparator.equal.holds(0.5, 0.6))
        #expect(Comparator.allCases.map(\.rawValue) == [">", ">=", "<", "<=", "="])
    }

    static func directive(id: String = "kyanh-30-ct", title: String = "Chỉ thị 30", agencies: [String] = ["H40.22"], targets: [Directive.Target]) -> Directive {
        Directive(
            id: id, title: title, issuedBy: "Huyện ủy Kỳ Anh", issuedOn: day("2019-05-01"), source: "seeds",
            scope: .init(agencies: agencies, includeSubordinates: true), targets: targets)
    }

    static func target(_ indicator: Indicator, _ threshold: Double, deadline: String = "2020-12-31") -> Directive.Target {
        Directive.Target(indicator: indicator, comparator: .atLeast, threshold: threshold, deadline: day(deadline), text: "…")
    }

    @Test("A sound directive has no problems")
    func soundDirective() {
        let directive = Self.directive(targets: [
            Self.target(.postalReceivedShare, 0.35), Self.target(.overdueDossiers, 0), Self.target(.averageProcessingDays, 2.5),
        ])
        #expect(directive.problems().isEmpty)
    }

    @Test("Each problem of a directive names the field or the target")
    func directiveProblems() {
        #expect(Self.directive(id: "Kỳ Anh", targets: [Self.target(.onTimeRate, 0.9)]).problems() == [#"id "Kỳ Anh" must be lower-case letters, digits and dashes"#])
        #expect(Self.directive(id: "", targets: [Self.target(.onTimeRate, 0.9)]).problems().count == 1)
        #expect(Self.directive(title: " ", targets: [Self.target(.onTimeRate, 0.9)]).problems() == ["title is empty"])
        #expect(Self.directive(agencies: [], targets: [Self.target(.onTimeRate, 0.9)]).problems() == ["scope.agencies is empty"])
        #expect(Self.directive(targets: []).problems() == ["targets is empty"])
        #expect(Self.directive(targets: [Self.target(.postalReceivedShare, 35)]).problems()
            == ["targets[0] (postalReceivedShare): threshold 35.0 is a share and must lie in 0…1 (35% is 0.35)"])
        #expect(Self.directive(targets: [Self.target(.overdueDossiers, 1.5)]).problems()
            == ["targets[0] (overdueDossiers): threshold 1.5 must be a whole number ≥ 0"])
        #expect(Self.directive(targets: [Self.target(.overdueDossiers, -1)]).problems().count == 1)
        #expect(Self.directive(targets: [Self.target(.averageProcessingDays, -0.5)]).problems()
            == ["targets[0] (averageProcessingDays): threshold -0.5 must be ≥ 0"])
        #expect(Self.directive(targets: [Self.target(.onTimeRate, .nan)]).problems()
            == ["targets[0] (onTimeRate): threshold must be a finite number"])
        #expect(Self.directive(targets: [Self.target(.onTimeRate, 0.9, deadline: "2019-04-30")]).problems()
            == ["targets[0] (onTimeRate): deadline 2019-04-30 is before the directive (2019-05-01)"])
        // Several at once, each said.
        #expect(Self.directive(id: "X", title: "", agencies: [], targets: [Self.target(.onTimeRate, 2)]).problems().count == 4)
    }

    @Test("Tallies add field by field, and adding nothing changes nothing")
    func addition() {
        var a = Tally()
        a.received.total = 3; a.received.desk = 2; a.received.online = 1
        a.resolved.total = 2; a.resolved.onTime = 2
        a.pending.total = 1; a.pending.withinTerm = 1
        a.counts.fresh = 3; a.counts.workingSeconds = 3600; a.counts.receivedForOthers = 1
        var b = Tally()
        b.received.total = 2; b.received.carriedOver = 2
        b.resolved.total = 1; b.resolved.late = 1
        b.pending.total = 1; b.pending.overdue = 1
        b.counts.workingSeconds = 7200; b.counts.poorlyRated = 1; b.counts.rated = 1; b.counts.receivedElsewhere = 2
        let sum = a + b
        #expect(sum.received.total == 5 && sum.received.desk == 2 && sum.received.carriedOver == 2 && sum.received.online == 1)
        #expect(sum.resolved.total == 3 && sum.resolved.onTime == 2 && sum.resolved.late == 1)
        #expect(sum.pending.total == 2 && sum.pending.withinTerm == 1 && sum.pending.overdue == 1)
        #expect(sum.counts.workingSeconds == 10_800 && sum.counts.fresh == 3 && sum.counts.rated == 1 && sum.counts.poorlyRated == 1)
        #expect(sum.counts.receivedElsewhere == 2 && sum.counts.receivedForOthers == 1)
        #expect(a + Tally() == a && Tally() + a == a)
        #expect(a + b == b + a)
    }

    @Test("Every indicator has its unit and both names; counts and days are not shares")
    func indicatorNames() {
        #expect(Set(Indicator.allCases.map(\.vietnameseName)).count == Indicator.allCases.count)
        #expect(Set(Indicator.allCases.map(\.englishName)).count == Indicator.allCases.count)
        #expect(Indicator.allCases.filter { $0.unit == .count } == [.overdueDossiers])
        #expect(Indicator.allCases.filter { $0.unit == .days } == [.averageProcessingDays])
        // A count is its numerator, whatever the denominator; a share divides; nothing to measure is nil.
        #expect(IndicatorValue(indicator: .overdueDossiers, numerator: 4, denominator: 10).value == 4)
        #expect(IndicatorValue(indicator: .onTimeRate, numerator: 4, denominator: 10).value == 0.4)
        #expect(IndicatorValue(indicator: .averageProcessingDays, numerator: 12, denominator: 4).value == 3)
        #expect(IndicatorValue(indicator: .overdueDossiers, numerator: 0, denominator: 0).value == nil)
    }

    @Test("Average processing days divide working seconds by the working day's length")
    func averageDays() {
        var t = Tally()
        t.counts.finished = 2
        t.counts.workingSeconds = 3 * 8 * 3600
        let values = Dictionary(uniqueKeysWithValues: t.indicators(procedures: (online: 1, total: 2)).map { ($0.indicator, $0.value) })
        #expect(values[.averageProcessingDays] == 1.5)
        let longDays = Dictionary(uniqueKeysWithValues: t.indicators(procedures: (online: 1, total: 2), workingDaySeconds: 12 * 3600).map { ($0.indicator, $0.value) })
        #expect(longDays[.averageProcessingDays] == 1.0)
        #expect(values[.softwareManagedShare] == .some(nil), "no dossiers handled: nothing to measure")
    }

    @Test("Across boundaries: the share of fresh dossiers another desk took in")
    func acrossBoundaries() {
        var t = Tally()
        t.received.total = 10
        t.counts.fresh = 8
        t.counts.receivedElsewhere = 2
        let value = t.indicators(procedures: (online: 0, total: 1)).first { $0.indicator == .acrossBoundariesShare }
        #expect(value?.value == 0.25 && value?.numerator == 2 && value?.denominator == 8)
    }
}

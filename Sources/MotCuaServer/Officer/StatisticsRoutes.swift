import Foundation
import Hummingbird
import MotCuaAPI
import MotCuaConfig
import MotCuaCore
import MotCuaStore

/// The service-centre report (`GET /api/v1/reports`), the national indicators
/// (`GET /api/v1/indicators`) and the directive targets with their gaps (`GET /api/v1/targets`),
/// all computed from the dossiers. An officer reads their own agency and the agencies below
/// it; an administrator reads any.
struct StatisticsRoutes: Sendable {
    let dependencies: AppDependencies

    // The answers' shapes are `MotCuaAPI`'s.
    typealias Reference = NamedReference
    typealias PeriodView = ReportPeriodView
    typealias Row = ReportRowView
    typealias Report = ReportView
    typealias IndicatorView = MotCuaAPI.IndicatorView
    typealias TargetView = MotCuaAPI.TargetView
    typealias Evaluation = TargetEvaluationView

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("reports", use: reports)
        group.get("reports/steps", use: stepReport)
        group.get("indicators", use: indicatorList)
        group.get("targets", use: targets)
    }

    /// `GET /api/v1/reports?period|from|to[&agency][&by=agency|field|procedure]`: the service
    /// centre's report.
    @Sendable func reports(_ request: Request, context: AppRequestContext) async throws -> Reply<Report> {
        let officer = try context.requireOfficer()
        let query = request.uri.queryParameters
        let period = try Self.period(query, today: WorkCalendar.localDate(of: dependencies.now()))
        let agency = try scope(query["agency"].map(String.init), officer: officer)
        let grouping: ReportGrouping
        if let by = query["by"] {
            guard let value = ReportGrouping(rawValue: String(by)) else {
                throw Problem.typed(.validation, errors: [FieldProblem(field: "by", reason: "Chỉ nhận agency, field hoặc procedure.")])
            }
            grouping = value
        } else {
            grouping = .agency
        }
        let tallies = try await tallies(period, agencies: agency.agencies)
        return Reply(report(tallies, period: period, agency: agency.root, by: grouping))
    }

    /// `GET /api/v1/indicators?…`: every indicator over the period, with the portal's.
    @Sendable func indicatorList(_ request: Request, context: AppRequestContext) async throws -> Reply<IndicatorList> {
        let officer = try context.requireOfficer()
        let query = request.uri.queryParameters
        let period = try Self.period(query, today: WorkCalendar.localDate(of: dependencies.now()))
        let agency = try scope(query["agency"].map(String.init), officer: officer)
        let total = try await tallies(period, agencies: agency.agencies).reduce(Tally()) { $0 + $1.tally }
        let portal = try await dependencies.store.portalSyncFigures(
            agencies: agency.agencies, from: WorkCalendar.instant(period.from), to: WorkCalendar.instant(period.to.adding(days: 1)))
        return Reply(IndicatorList(
            period: view(period), agency: agency.root.map(reference),
            items: indicators(total, agencies: agency.agencies) + Self.portalIndicators(portal)))
    }

    /// `GET /api/v1/targets[?directive][&agency][&period|from|to]`: each binding directive's
    /// targets beside their values and gaps.
    @Sendable func targets(_ request: Request, context: AppRequestContext) async throws -> Reply<TargetEvaluationList> {
        let officer = try context.requireOfficer()
        let query = request.uri.queryParameters
        var directives = dependencies.configuration.directives
        if let id = query["directive"].map(String.init) {
            directives = directives.filter { $0.id == id }
            guard !directives.isEmpty else {
                throw Problem.typed(.notFound, detail: "Không có chỉ thị '\(id)' ràng buộc hệ thống này; có: \(dependencies.configuration.directives.map(\.id).joined(separator: ", ")).")
            }
        }
        let explicitPeriod = query["from"] != nil || query["to"] != nil || query["period"] != nil ? try Self.period(query, today: WorkCalendar.localDate(of: dependencies.now())) : nil
        let requested = try query["agency"].map { try scope(String($0), officer: officer) }
        var evaluations: [Evaluation] = []
        for directive in directives {
            let roots = requested?.root.map { [$0] } ?? directive.scope.agencies
            for root in roots {
                guard let visible = try? scope(root, officer: officer) else { continue }
                let agencies = directive.scope.includeSubordinates || requested != nil ? visible.agencies : [root]
                // By default each target is judged over the year that ends on its deadline.
                let byPeriod = Dictionary(grouping: directive.targets) { target in
                    explicitPeriod ?? (try? ReportPeriod(from: LocalDate(year: target.deadline.year, month: 1, day: 1)!, to: target.deadline))!
                }
                for (period, targets) in byPeriod.sorted(by: { $0.key.to < $1.key.to }) {
                    let total = try await tallies(period, agencies: agencies).reduce(Tally()) { $0 + $1.tally }
                    let values = Dictionary(uniqueKeysWithValues: indicatorValues(total, agencies: agencies).map { ($0.indicator, $0) })
                    let views = targets.map { target -> TargetView in
                        let evaluation = TargetEvaluation(directiveID: directive.id, agencyID: root, target: target, value: values[target.indicator]!)
                        return TargetView(
                            indicator: target.indicator.rawValue, name: target.indicator.vietnameseName, unit: target.indicator.unit.rawValue,
                            comparator: target.comparator.rawValue, threshold: target.threshold, deadline: target.deadline.description,
                            text: target.text, value: evaluation.value, gap: evaluation.gap, status: evaluation.status.rawValue)
                    }
                    evaluations.append(Evaluation(
                        directive: Reference(id: directive.id, name: directive.title), issuedBy: directive.issuedBy,
                        agency: reference(root), period: view(period), targets: views))
                }
            }
        }
        return Reply(TargetEvaluationList(items: evaluations))
    }

    // MARK: helpers

    func view(_ period: ReportPeriod) -> PeriodView {
        PeriodView(
            from: period.from.description, to: period.to.description,
            judgedAt: Date(timeIntervalSince1970: TimeInterval(judgedUntil(period))))
    }

    /// The instant a report over `period` judges its pending dossiers at: the period's end, or
    /// now when that end is still ahead (never before the period's start).
    func judgedUntil(_ period: ReportPeriod) -> Int64 {
        let (from, to) = period.bounds
        return max(from, min(to, Int64(dependencies.now().timeIntervalSince1970)))
    }

    func reference(_ id: String) -> Reference {
        Reference(id: id, name: dependencies.catalogue.tree.agencies[id]?.name ?? id)
    }

    /// `period=2026-Q1`, or `from` and `to` (YYYY-MM-DD). Without `from`: the first of January
    /// of `to`'s year; without `to`: today (or `from`, when it is later); without either: the
    /// year so far.
    static func period(_ query: Hummingbird.Parameters, today: LocalDate) throws -> ReportPeriod {
        do {
            // Malformed dates are refused even beside a named period (which then wins).
            var problems: [FieldProblem] = []
            let from = query["from"].map { LocalDate(iso: $0) }
            let to = query["to"].map { LocalDate(iso: $0) }
            if from == .some(nil) { problems.append(FieldProblem(field: "from", reason: "Cần ngày bắt đầu dạng YYYY-MM-DD (hoặc period=2026-Q1).")) }
            if to == .some(nil) { problems.append(FieldProblem(field: "to", reason: "Cần ngày kết thúc dạng YYYY-MM-DD.")) }
            guard problems.isEmpty else { throw Problem.typed(.validation, errors: problems) }
            if let name = query["period"] { return try ReportPeriod(named: String(name)) }
            let end = to.flatMap { $0 } ?? max(today, from.flatMap { $0 } ?? today)
            let start = from.flatMap { $0 } ?? LocalDate(year: end.components.year, month: 1, day: 1)!
            return try ReportPeriod(from: start, to: end)
        } catch let error as StatisticsError {
            throw Problem.typed(.validation, errors: [FieldProblem(field: "period", reason: error.message)])
        }
    }

    /// `GET /api/v1/reports/steps?period|from|to&agency&by=department|officer`: the steps that
    /// ended in the period (cut at now, as the reports are), late ones counted, by department
    /// (the desk's steps under "") or by the officer answerable for each.
    @Sendable func stepReport(_ request: Request, context: AppRequestContext) async throws -> Reply<StepReportView> {
        let officer = try context.requireOfficer()
        let query = request.uri.queryParameters
        let period = try Self.period(query, today: WorkCalendar.localDate(of: dependencies.now()))
        let agency = try scope(query["agency"].map(String.init), officer: officer)
        let by = query["by"].map(String.init) ?? "department"
        guard ["department", "officer"].contains(by) else {
            throw Problem.validation(field: "by", reason: "Chỉ nhận department hoặc officer.")
        }
        let judged = judgedUntil(period)
        let tallies = try await dependencies.store.stepTallies(
            from: Double(period.bounds.from), to: Double(judged < period.bounds.to ? judged + 1 : judged), agencies: agency.agencies,
            byOfficer: by == "officer")
        let departments = Dictionary(
            dependencies.catalogue.tree.agencies.values.flatMap { $0.departments.map { ($0.id, $0.name) } }, uniquingKeysWith: { first, _ in first })
        let rows = Dictionary(grouping: tallies, by: \.key).map { key, tallies in
            let name = by == "officer" ? (tallies.compactMap(\.name).first ?? key) : key.isEmpty ? "Bộ phận Một cửa" : departments[key] ?? key
            let steps = ProcessingStep.allCases.compactMap { step in
                tallies.first { $0.step == step }.map { StepReportView.Count(step: step, total: $0.total, late: $0.late) }
            }
            return StepReportView.Row(
                key: key, name: name, total: steps.reduce(0) { $0 + $1.total }, late: steps.reduce(0) { $0 + $1.late }, steps: steps)
        }.sorted { ($0.late, $0.total, $1.key) > ($1.late, $1.total, $0.key) }
        return Reply(StepReportView(period: view(period), agency: agency.root.map(reference), by: by, rows: rows))
    }

    /// The agencies a request may read: the named one and those below it (an officer only
    /// within their own agency's tree), or, without a name, the officer's tree (all for an
    /// administrator).
    func scope(_ requested: String?, officer: Officer) throws -> (root: String?, agencies: Set<String>?) {
        let tree = dependencies.catalogue.tree
        let own = tree.subtree(officer.agencyID)
        guard let requested else {
            return officer.role == .admin ? (nil, nil) : (officer.agencyID, own)
        }
        guard tree.agencies[requested] != nil, officer.role == .admin || own.contains(requested) else {
            throw Problem.typed(.notFound, detail: "Không có cơ quan '\(requested)' trong phạm vi bạn được xem.")
        }
        return (requested, tree.subtree(requested))
    }

    /// The period's counts, cut at `judgedUntil`. Cut at now, the bound is the end of now's second:
    /// today's day counters hold everything up to now, so a dossier resolved in this very second
    /// must count as resolved, not also as still waiting (it was counted twice: 6 resolved of 4
    /// received, when the abandonment watch had closed three at the second of the report).
    func tallies(_ period: ReportPeriod, agencies: Set<String>?) async throws -> [GroupTally] {
        let judged = judgedUntil(period)
        let bound = judged < period.bounds.to ? judged + 1 : judged
        return try await dependencies.store.statTallies(from: period.bounds.from, to: bound, agencies: agencies)
    }

    func report(_ tallies: [GroupTally], period: ReportPeriod, agency: String?, by grouping: ReportGrouping) -> Report {
        let catalogue = dependencies.catalogue
        let procedures = Dictionary(uniqueKeysWithValues: catalogue.procedures.map { ($0.code, $0) })
        var rows: [String: (name: String, tally: Tally)] = [:]
        for group in tallies {
            let (key, name): (String, String) = switch grouping {
            case .agency: (group.agencyID, catalogue.tree.agencies[group.agencyID]?.name ?? group.agencyID)
            case .field:
                (procedures[group.procedureCode]?.field ?? "-", procedures[group.procedureCode]?.field ?? "Không rõ lĩnh vực")
            case .procedure: (group.procedureCode, procedures[group.procedureCode]?.name ?? group.procedureCode)
            }
            rows[key, default: (name, Tally())].tally.add(group.tally)
        }
        let total = tallies.reduce(Tally()) { $0 + $1.tally }
        return Report(
            period: view(period), agency: agency.map(reference), by: grouping.rawValue,
            rows: rows.sorted { $0.key < $1.key }.map { Row(key: $0.key, name: $0.value.name, tally: $0.value.tally) },
            total: Row(key: "total", name: "Tổng cộng", tally: total))
    }

    /// Procedures offered at level 3/4 among those the agencies' levels handle (the catalogue
    /// carries no validity dates for procedures).
    func procedureCounts(agencies: Set<String>?) -> (online: Int, total: Int) {
        let tree = dependencies.catalogue.tree
        let levels = Set((agencies.map(Array.init) ?? Array(tree.agencies.keys)).compactMap { tree.agencies[$0]?.level })
        let offered = dependencies.catalogue.procedures.filter { levels.contains($0.level) }
        return (offered.filter { $0.onlineLevel >= 3 }.count, offered.count)
    }

    func indicatorValues(_ total: Tally, agencies: Set<String>?) -> [IndicatorValue] {
        total.indicators(procedures: procedureCounts(agencies: agencies))
    }

    /// How completely and how fast the period's changes reached the national portal, beside the
    /// QĐ 766 figures: the share of dossiers whose every change was acknowledged, and the median
    /// and p95 delay from event to acknowledgement (numerator: the delay; denominator: the
    /// acknowledged messages it is taken over).
    static func portalIndicators(_ figures: [PortalSyncFigures]) -> [IndicatorView] {
        let all = PortalSyncFigures(
            agencyID: "", dossiers: figures.map(\.dossiers).reduce(0, +), synced: figures.map(\.synced).reduce(0, +),
            delays: figures.flatMap(\.delays).sorted())
        let count = Double(all.delays.count)
        return [
            IndicatorView(
                indicator: "portalSyncedShare", name: "Tỉ lệ hồ sơ đồng bộ đầy đủ lên Cổng Dịch vụ công quốc gia", unit: "ratio",
                value: all.dossiers == 0 ? nil : Double(all.synced) / Double(all.dossiers), numerator: Double(all.synced),
                denominator: Double(all.dossiers)),
            IndicatorView(
                indicator: "portalSyncDelayMedian", name: "Độ trễ đồng bộ lên Cổng Dịch vụ công quốc gia (trung vị, giây)", unit: "seconds",
                value: all.delay(percentile: 0.5), numerator: all.delay(percentile: 0.5) ?? 0, denominator: count),
            IndicatorView(
                indicator: "portalSyncDelayP95", name: "Độ trễ đồng bộ lên Cổng Dịch vụ công quốc gia (p95, giây)", unit: "seconds",
                value: all.delay(percentile: 0.95), numerator: all.delay(percentile: 0.95) ?? 0, denominator: count),
        ]
    }

    func indicators(_ total: Tally, agencies: Set<String>?) -> [IndicatorView] {
        indicatorValues(total, agencies: agencies).map {
            IndicatorView(
                indicator: $0.indicator.rawValue, name: $0.indicator.vietnameseName, unit: $0.indicator.unit.rawValue,
                value: $0.value, numerator: $0.numerator, denominator: $0.denominator)
        }
    }
}

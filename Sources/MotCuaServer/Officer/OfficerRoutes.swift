import Foundation
import Hummingbird
import MotCuaAPI
import MotCuaConfig
import MotCuaCore
import MotCuaStore

/// The officer door: catalogue, intake, search, detail, one endpoint per lifecycle command,
/// forms and the tracking book. Every route here runs behind `AuthMiddleware`; each is a named
/// handler (intake in `OfficerRoutes+Intake`, the commands in `OfficerRoutes+Commands`, the
/// reads in `OfficerRoutes+Reading`).
struct OfficerRoutes: Sendable {
    let dependencies: AppDependencies
    /// Renderings of a dossier's detail by version (a version never changes).
    let detailCache = DetailCache(capacity: 10_000)
    let procedures: [String: Procedure]

    init(dependencies: AppDependencies) {
        self.dependencies = dependencies
        procedures = Dictionary(uniqueKeysWithValues: dependencies.catalogue.procedures.map { ($0.code, $0) })
    }

    var store: any DossierStore { dependencies.store }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("procedures", use: listProcedures)
        group.get("procedures/{code}", use: procedure)
        group.get("agencies", use: agencies)
        group.get("officers", use: officers)
        group.post("dossiers", use: fileDossier)
        group.get("dossiers", use: searchDossiers)
        group.get("dossiers/{code}", use: dossierDetail)
        group.get("dossiers/{code}/forms/{form}", use: form)
        group.get("dossiers/{code}/files/{sha256}", use: downloadFile)
        group.get("books", use: trackingBook)
        group.post("dossiers/{code}/receive", use: receive)
        group.post("dossiers/{code}/request-supplementation", use: requestSupplementation)
        group.post("dossiers/{code}/supplementation-received", use: supplementationReceived)
        group.post("dossiers/{code}/refuse", use: refuse)
        group.post("dossiers/{code}/transfer", use: transfer)
        group.post("dossiers/{code}/assign", use: assign)
        group.post("dossiers/{code}/send", use: sendToAgency)
        group.post("dossiers/{code}/receive-transfer", use: receiveFromAgency)
        group.post("dossiers/{code}/request-fee", use: requestFee)
        group.post("dossiers/{code}/fee-paid", use: feePaid)
        group.post("dossiers/{code}/approve", use: approve)
        group.post("dossiers/{code}/ready", use: resultReady)
        group.post("dossiers/{code}/return", use: returnResult)
        group.post("dossiers/{code}/apologize", use: apologize)
        group.post("dossiers/{code}/withdraw", use: withdraw)
        group.post("dossiers/{code}/stop", use: stop)
        group.post("dossiers/{code}/postal-order", use: orderPostal)
    }

    /// What `decide` needs besides the dossier, for this officer now.
    func decisionContext(for officer: Officer) -> DecisionContext {
        let now = dependencies.now()
        let tree = dependencies.catalogue.tree
        let today = WorkCalendar.localDate(of: now)
        return DecisionContext(
            actor: officer.actor, now: now,
            calendar: dependencies.calendars.calendar(forAgency: officer.agencyID),
            departments: tree.agencies[officer.agencyID]?.departments ?? [],
            agencyIsActive: { tree.agencies[$0]?.isActive(on: today) ?? false },
            nearDue: dependencies.configuration.watch.policy, stepSplit: dependencies.stepSplit,
            placeOf: { id in tree.agencies[id].flatMap { agency in tree.province(of: id).map { ($0, agency.level) } } })
    }

    /// An officer sees the dossiers its agency received, holds, or was handed; anything else is 404.
    static func isVisible(_ dossier: Dossier, to officer: Officer) -> Bool {
        dossier.agencyID == officer.agencyID || dossier.agencyTrail.contains(officer.agencyID)
    }

    func visibleDossier(_ code: String, _ officer: Officer) async throws -> Dossier {
        guard code.count <= 64, let dossier = try await store.dossier(code: code) else { throw Problem.notFound }
        guard Self.isVisible(dossier, to: officer) else { throw Self.notVisible(to: officer) }
        return dossier
    }

    /// A dossier outside the officer's agencies. Its contents (the citizen's data, files and
    /// forms) are for the agencies that received, held or were handed it, whatever the role: an
    /// administrator reads every agency's reports and indicators, which count the dossier, but
    /// not the dossier itself (README, "Who sees what"). An officer is not told it exists (404);
    /// an administrator, who can see it counted, is told why not (403).
    static func notVisible(to officer: Officer) -> Problem {
        guard officer.role == .admin else { return Problem.notFound }
        return Problem.typed(
            .forbidden,
            detail: "Quản trị hệ thống xem báo cáo, chỉ số của mọi cơ quan nhưng không xem nội dung hồ sơ của cơ quan khác "
                + "(dữ liệu cá nhân của người dân); hãy dùng tài khoản cán bộ của cơ quan giải quyết hồ sơ.")
    }
}

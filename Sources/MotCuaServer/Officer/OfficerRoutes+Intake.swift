import Foundation
import Hummingbird
import MotCuaAPI
import MotCuaCore
import MotCuaStore

// `POST /api/v1/dossiers`: the desk intake, the first step of the walk in the README
// ("Architecture": route → `Lifecycle.file` → the store's one write → the receipt).

extension OfficerRoutes {
    /// Files a dossier at the officer's desk: received at once when complete (form 01), or
    /// registered with a supplementation request (form 02). Filed anywhere in the province, it is
    /// the competent agency's, and needs the desk's scans.
    @Sendable func fileDossier(_ request: Request, context: AppRequestContext) async throws -> Reply<IntakeReceipt> {
        let officer = try context.requireOfficer()
        let (body, procedure, uploads) = try await intakeBody(request, context: context)
        let decision = decisionContext(for: officer)
        guard dependencies.catalogue.tree.agencies[officer.agencyID]?.isActive(on: WorkCalendar.localDate(of: decision.now)) == true else {
            throw Problem.typed(.forbidden, detail: "Cơ quan của bạn không còn hoạt động; hồ sơ do cơ quan kế thừa tiếp nhận.")
        }
        // Filed anywhere in the province, the code is the competent agency's: it must exist
        // before one is allocated (the rest of the rule is `Lifecycle.file`'s).
        if let competent = body.competentAgencyID, dependencies.catalogue.tree.agencies[competent] == nil {
            throw Problem.validation(field: "competentAgencyID", reason: "Cơ quan '\(competent.prefix(40))' không có trong danh mục.")
        }
        var intake = Intake(
            procedure: procedure, applicant: body.applicant, documents: body.documents, returnMethod: body.returnMethod,
            channel: .desk, missingItems: body.missingItems ?? [], notApplicable: body.notApplicable ?? [], note: body.note,
            postalAddress: body.postalAddress, competentAgencyID: body.competentAgencyID, returnAgencyID: body.returnAgencyID)
        intake.files = uploads.map(\.file)
        let id = TimeOrderedID.make(at: decision.now)
        // With scans, everything is checked before a single one is written (without, the store's
        // one call decides: a second decision cost 12% of intakes, A/B in docs/benchmarks.md).
        if !uploads.isEmpty { _ = try Lifecycle.file(intake, code: "", id: id, context: decision) }
        // A refused intake rolls back its savepoint, sequence number included: no code is burnt.
        let (dossier, _) = try await FileIntake(dependencies: dependencies).storing(uploads) { [intake] in
            try await store.fileDossier(
                agencyID: body.competentAgencyID ?? officer.agencyID, day: WorkCalendar.localDate(of: decision.now),
                idempotencyKey: context.idempotencyKey
            ) { code in
                try Lifecycle.file(intake, code: code, id: id, context: decision)
            }
        }
        dependencies.metrics.intake(channel: dossier.channel.rawValue)
        context.logger.info("dossier filed", metadata: ["code": "\(dossier.code)", "status": "\(dossier.status.rawValue)"])
        return Self.intakeReply(dossier, secret: dependencies.secrets.secret(for: dossier.code))
    }

    /// The answer to a desk intake: the receipt data with the access secret to hand over (the
    /// control sheet is one GET away, at Location, which a replay keeps as the code alone: the
    /// receipt carries the access secret).
    static func intakeReply(_ dossier: Dossier, secret: String) -> Reply<IntakeReceipt> {
        Reply(IntakeReceipt(dossier, secret: secret), status: .created, headers: [.location: "/api/v1/dossiers/\(dossier.code)"])
    }

    /// A desk intake: its JSON; or a form with the JSON in its `intake` part and the desk's scans
    /// of the documents handed in as parts `document-N` (N the document's number in the
    /// procedure's list), which a dossier filed for another agency of the province needs.
    func intakeBody(_ request: Request, context: AppRequestContext) async throws -> (IntakeRequest, Procedure, [FileIntake.Upload]) {
        func checked(_ body: IntakeRequest) throws -> Procedure {
            let sizeProblems = body.sizeProblems()
            guard sizeProblems.isEmpty else { throw Problem.validation(sizeProblems) }
            guard let procedure = procedures[body.procedureCode] else {
                throw Problem.validation(field: "procedureCode", reason: "Thủ tục '\(body.procedureCode.prefix(32))' không có trong danh mục.")
            }
            return procedure
        }
        guard MultipartForm.boundary(of: request.headers[.contentType]) != nil else {
            let body = try await request.decode(as: IntakeRequest.self, context: context)
            return (body, try checked(body), [])
        }
        let files = FileIntake(dependencies: dependencies)
        let parts = try await files.parts(of: request)
        guard let part = parts.first(where: { $0.name == "intake" }) else {
            throw Problem.validation(field: "intake", reason: "Thiếu phần 'intake' (JSON) mô tả hồ sơ.")
        }
        let body = try decodeJSON(IntakeRequest.self, from: part.body, prefix: "intake")
        let procedure = try checked(body)
        let uploads = try files.checked(parts.filter { $0.name != "intake" }) { name in
            guard name.hasPrefix("document-"), let number = Int(name.dropFirst(9)), (1...procedure.documents.count).contains(number) else { return nil }
            return procedure.documents[number - 1].name
        }
        return (body, procedure, uploads)
    }
}

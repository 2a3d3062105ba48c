import Foundation
import Hummingbird
import MotCuaAPI
import MotCuaCore
import MotCuaStore

// `POST /api/v1/dossiers/{code}/{command}`: one handler per lifecycle command, in the order of
// the README's table ("Dossier lifecycle"). Each reads its body, names its `DossierCommand` and
// `run`s it: decided and stored in one transaction, answered with the dossier and its control
// sheet.

extension OfficerRoutes {
    @Sendable func receive(_ request: Request, context: AppRequestContext) async throws -> Reply<DossierView> {
        try await run(.receive, context)
    }

    @Sendable func requestSupplementation(_ request: Request, context: AppRequestContext) async throws -> Reply<DossierView> {
        let body = try await request.decode(as: SupplementationRequest.self, context: context)
        return try await run(.requestSupplementation(items: body.items, reason: body.reason), context)
    }

    @Sendable func supplementationReceived(_ request: Request, context: AppRequestContext) async throws -> Reply<DossierView> {
        try await run(.supplementationReceived(note: try await request.decode(as: NoteRequest.self, context: context).note), context)
    }

    @Sendable func refuse(_ request: Request, context: AppRequestContext) async throws -> Reply<DossierView> {
        try await run(.refuse(reason: try await request.decode(as: ReasonRequest.self, context: context).reason), context)
    }

    @Sendable func transfer(_ request: Request, context: AppRequestContext) async throws -> Reply<DossierView> {
        try await run(.transfer(departmentID: try await request.decode(as: TransferRequest.self, context: context).departmentID), context)
    }

    @Sendable func assign(_ request: Request, context: AppRequestContext) async throws -> Reply<DossierView> {
        let officer = try context.requireOfficer()
        let body = try await request.decode(as: AssignRequest.self, context: context)
        guard let handler = try await store.officer(id: body.handlerID), handler.agencyID == officer.agencyID, handler.active else {
            throw Problem.validation(field: "handlerID", reason: "Không tìm thấy cán bộ này trong cơ quan.")
        }
        return try await run(.assign(handler: handler.actor), context)
    }

    @Sendable func sendToAgency(_ request: Request, context: AppRequestContext) async throws -> Reply<DossierView> {
        let body = try await request.decode(as: SendRequest.self, context: context)
        return try await run(.sendToAgency(agencyID: body.agencyID, note: body.note), context)
    }

    @Sendable func receiveFromAgency(_ request: Request, context: AppRequestContext) async throws -> Reply<DossierView> {
        try await run(.receiveFromAgency, context)
    }

    @Sendable func requestFee(_ request: Request, context: AppRequestContext) async throws -> Reply<DossierView> {
        try await run(.requestFee(amount: try await request.decode(as: FeeRequest.self, context: context).amount), context)
    }

    @Sendable func feePaid(_ request: Request, context: AppRequestContext) async throws -> Reply<DossierView> {
        try await run(.feePaid(), context)
    }

    /// Approval takes JSON `{note}`, or a form with `note` and the electronic result file
    /// `result`, which the agency's `ResultSigner` signs before the approval is decided.
    @Sendable func approve(_ request: Request, context: AppRequestContext) async throws -> Reply<DossierView> {
        let officer = try context.requireOfficer()
        let code = try context.parameters.require("code")
        guard MultipartForm.boundary(of: request.headers[.contentType]) != nil else {
            return try await run(.approve(note: try await request.decode(as: NoteRequest.self, context: context).note), context)
        }
        let files = FileIntake(dependencies: dependencies)
        let parts = try await files.parts(of: request)
        let note = parts.first { $0.name == "note" }?.text
        if let note, note.unicodeScalars.count > 2000 { throw Problem.validation(field: "note", reason: "Dài quá 2000 ký tự.") }
        let uploads = try files.checked(parts.filter { $0.name != "note" }) { $0 == "result" ? "Kết quả giải quyết" : nil }
        guard uploads.count <= 1 else { throw Problem.validation(field: "result", reason: "Chỉ đính kèm một tệp kết quả.") }
        return try await files.storing(uploads) {
            let file = uploads.first?.file
            let signature = try await signResult(file, note: note, code: code, officer: officer, context: context)
            return try await run(.approve(note: note, resultFile: file, signature: signature), context)
        }
    }

    @Sendable func resultReady(_ request: Request, context: AppRequestContext) async throws -> Reply<DossierView> {
        try await run(.resultReady, context)
    }

    @Sendable func returnResult(_ request: Request, context: AppRequestContext) async throws -> Reply<DossierView> {
        try await run(.returnResult(method: try await request.decode(as: ReturnRequest.self, context: context).method), context)
    }

    @Sendable func apologize(_ request: Request, context: AppRequestContext) async throws -> Reply<DossierView> {
        let body = try await request.decode(as: ApologyRequest.self, context: context)
        return try await run(.apologize(reason: body.reason, newDueAt: body.newDueAt), context)
    }

    @Sendable func withdraw(_ request: Request, context: AppRequestContext) async throws -> Reply<DossierView> {
        try await run(.withdraw(reason: try await request.decode(as: ReasonRequest.self, context: context).reason), context)
    }

    @Sendable func stop(_ request: Request, context: AppRequestContext) async throws -> Reply<DossierView> {
        try await run(.stop(reason: try await request.decode(as: ReasonRequest.self, context: context).reason), context)
    }

    @Sendable func orderPostal(_ request: Request, context: AppRequestContext) async throws -> Reply<DossierView> {
        let body = try await request.decode(as: PostalOrderCommandRequest.self, context: context)
        return try await run(.orderPostal(direction: body.direction, address: body.postalAddress), context)
    }

    /// Decides and stores one command on the dossier of the path's `{code}`, in one transaction;
    /// answers with the dossier and its control sheet.
    func run(_ command: DossierCommand, _ context: AppRequestContext) async throws -> Reply<DossierView> {
        let officer = try context.requireOfficer()
        let code = try context.parameters.require("code")
        guard code.count <= 64 else { throw Problem.notFound }
        let decision = decisionContext(for: officer)
        let dossier = try await store.apply(code: code) { current in
            guard Self.isVisible(current, to: officer) else { throw StoreError.notFound }
            return try Lifecycle.decide(command, dossier: current, context: decision)
        }
        context.logger.info("dossier command", metadata: ["code": "\(code)", "command": "\(command.name)", "status": "\(dossier.status.rawValue)"])
        return Reply(DossierView(dossier, events: try await store.events(dossierID: dossier.id)))
    }

    /// The result file's signature by the approving agency's key, made once the approval is known
    /// to be allowed (the transaction checks again). An electronic result without its signature
    /// has no legal value: when signing fails, nothing is approved (503).
    func signResult(_ file: StoredFile?, note: String?, code: String, officer: Officer, context: AppRequestContext) async throws -> ResultSignature? {
        guard let file, let signer = dependencies.signer else { return nil }
        let dossier = try await visibleDossier(code, officer)
        _ = try Lifecycle.decide(.approve(note: note, resultFile: file), dossier: dossier, context: decisionContext(for: officer))
        do {
            let signature = try await signer.sign(sha256: file.sha256, dossierCode: dossier.code, agencyID: officer.agencyID, at: dependencies.now())
            context.logger.info("result signed", metadata: ["code": "\(dossier.code)", "keyID": "\(signature.keyID)"])
            return signature
        } catch {
            context.logger.error("result signing failed", metadata: ["code": "\(dossier.code)", "error": "\(error)"])
            throw Problem.typed(.unavailable, detail: "Không ký số được tệp kết quả nên chưa phê duyệt; vui lòng thử lại sau.", retryAfter: 30)
        }
    }
}

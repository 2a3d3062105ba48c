import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import MotCuaAPI
import MotCuaConfig
import MotCuaCore
import MotCuaStore
import NIOCore


// The citizen's dossier: status, supplementation upload, electronic result, withdrawal, rating;
// and the payment provider's callback.

extension PublicRoutes {
    /// `GET /api/v1/public/procedures?q&field&onlineLevel`.
    @Sendable func listProcedures(_ request: Request, context: AppRequestContext) async throws -> Reply<ProcedureList> {
        let query = request.uri.queryParameters
        let needle = query["q"].map { foldedSearchKey(String($0.prefix(200))) }
        let field = query["field"].map { foldedSearchKey(String($0)) }
        let minimumLevel = try QueryReader(query).integer("onlineLevel", 2...4, default: 1)
        let list = dependencies.catalogue.procedures.filter { procedure in
            procedure.onlineLevel >= minimumLevel
                && (needle.map { foldedSearchKey(procedure.name).contains($0) || procedure.code.contains($0) } ?? true)
                && (field.map { foldedSearchKey(procedure.field) == $0 } ?? true)
        }
        return Reply(ProcedureList(list))
    }

    @Sendable func procedure(_ request: Request, context: AppRequestContext) async throws -> Reply<ProcedureView> {
        guard let procedure = procedures[try context.parameters.require("code")] else { throw Problem.notFound }
        return Reply(ProcedureView(procedure, withDocuments: true))
    }

    /// `GET /api/v1/public/dossiers/{code}`: the status page. A version's view never changes but
    /// for the clock: served from the cache when it can be.
    @Sendable func status(_ request: Request, context: AppRequestContext) async throws -> Response {
        let code = try context.parameters.require("code")
        try authorize(request, context, code: code)
        guard let version = try await store.version(code: code) else { throw Self.notFound }
        if let cached = views.get(code: code, version: version, now: dependencies.now()) { return cached.response }
        guard let dossier = try await store.dossier(code: code) else { throw Self.notFound }
        return try await statusResponse(dossier)
    }

    @Sendable func withdraw(_ request: Request, context: AppRequestContext) async throws -> Response {
        let code = try context.parameters.require("code")
        let dossier = try await authorizedDossier(request, context, code: code)
        let body = try await decodeBody(WithdrawRequest.self, from: request, limit: 16_384)
        return try await statusResponse(try await apply(code, dossier, request, .withdraw(reason: body.reason)))
    }

    @Sendable func rate(_ request: Request, context: AppRequestContext) async throws -> Response {
        let code = try context.parameters.require("code")
        let dossier = try await authorizedDossier(request, context, code: code)
        let body = try await decodeBody(RatingRequest.self, from: request, limit: 16_384)
        return try await statusResponse(try await apply(code, dossier, request, .rate(score: body.score, comment: body.comment)))
    }

    func apply(_ code: String, _ dossier: Dossier, _ request: Request, _ command: DossierCommand) async throws -> Dossier {
        try await store.apply(code: code) { current in
            try Lifecycle.decide(command, dossier: current, context: citizenContext(current, request))
        }
    }

    // MARK: Supplementation, result, payment

    @Sendable func supplement(_ request: Request, context: AppRequestContext) async throws -> Response {
        let code = try context.parameters.require("code")
        let dossier = try await authorizedDossier(request, context, code: code)
        // Not a form at all: refused as such (400), before the state is judged.
        guard MultipartForm.boundary(of: request.headers[.contentType]) != nil else {
            throw Problem.typed(.malformedMultipart, detail: "Nội dung phải là multipart/form-data có tham số boundary.")
        }
        // Nothing is waiting: say so before reading any file.
        _ = try Lifecycle.decide(.supplementationReceived(note: nil), dossier: dossier, context: citizenContext(dossier, request))
        let parts = try await files.parts(of: request)
        let note = parts.first { $0.name == "note" }?.text
        if let note, note.unicodeScalars.count > 2000 { throw Problem.validation(field: "note", reason: "Dài quá 2000 ký tự.") }
        let items = dossier.missingItems
        let uploads = try files.checked(parts.filter { $0.name != "note" }) { name in
            guard name.hasPrefix("item-"), let number = Int(name.dropFirst(5)), (1...max(1, items.count)).contains(number), !items.isEmpty else { return nil }
            return items[number - 1]
        }
        guard !uploads.isEmpty else {
            throw Problem.validation(field: "item-1", reason: "Phải tải lên ít nhất một tệp cho các giấy tờ cần bổ sung.")
        }
        let command = DossierCommand.supplementationReceived(note: note, files: uploads.map(\.file))
        // Check the state before writing anything; the transaction checks again.
        _ = try Lifecycle.decide(command, dossier: dossier, context: citizenContext(dossier, request))
        let updated = try await files.storing(uploads) { try await apply(code, dossier, request, command) }
        context.logger.info("supplementation uploaded", metadata: ["code": "\(code)", "files": "\(uploads.count)"])
        return try await statusResponse(updated)
    }

    @Sendable func downloadResult(_ request: Request, context: AppRequestContext) async throws -> Response {
        let code = try context.parameters.require("code")
        var dossier = try await authorizedDossier(request, context, code: code)
        guard let file = dossier.resultFile, [.resultReady, .returned].contains(dossier.status) else {
            throw Problem.typed(.invalidState, detail: "Hồ sơ chưa có kết quả điện tử để tải về.")
        }
        if dossier.status == .resultReady && dossier.returnMethod == .electronic {
            // Taking the electronic result is its return (national status 10).
            do {
                dossier = try await apply(code, dossier, request, .downloadResult)
            } catch DomainError.invalidState {
                // Another download returned it a moment ago.
            }
        }
        let bytes = try await dependencies.blobs.read(file.sha256)
        let encoded = file.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "ket-qua"
        var headers: HTTPFields = [
            .contentType: file.contentType, .contentDisposition: "attachment; filename*=UTF-8''\(encoded)", .init("X-Content-SHA256")!: file.sha256,
        ]
        if let token = try await VerificationRoutes.signatureToken(store: store, sha256: file.sha256, code: dossier.code) {
            headers[.resultSignature] = token
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: bytes))
    }

    /// `POST /api/v1/payments/callback`: the payment provider's signed word (Standard Webhooks).
    @Sendable func paymentCallback(_ request: Request, context: AppRequestContext) async throws -> Reply<[String: String]> {
        let (id, body) = try await SignedWebhook.read(
            request, secret: dependencies.configuration.paymentWebhookSecret,
            unconfigured: "Thanh toán trực tuyến chưa được cấu hình trên máy chủ này.", now: dependencies.now()).pair
        if try await store.webhookSeen(source: "payment", id: id) {
            return Reply(["status": "duplicate", "webhookID": id])
        }
        let callback = try decodeJSON(PaymentCallback.self, from: body)
        guard let range = callback.reference.range(of: "-TT", options: .backwards), callback.reference.utf8.count <= 80 else {
            throw Problem.validation(field: "reference", reason: "Mã thanh toán không đúng định dạng.")
        }
        let code = String(callback.reference[..<range.lowerBound])
        guard let dossier = try await store.dossier(code: code), let payment = dossier.payment, payment.reference == callback.reference else {
            throw Problem.typed(.notFound, detail: "Không có yêu cầu nộp phí với mã thanh toán này.")
        }
        guard callback.amount == payment.amount else {
            throw Problem.validation(field: "amount", reason: "Số tiền \(callback.amount) khác số phải nộp \(payment.amount).")
        }
        var status = "already-paid"
        if payment.paidAt == nil {
            _ = try await store.apply(code: code) { current in
                let provider = Actor(id: "payment-provider", name: "Đơn vị thanh toán", role: .system, agencyID: current.currentAgencyID)
                return try Lifecycle.decide(.feePaid(reference: callback.reference), dossier: current, context: decision(provider))
            }
            status = "paid"
        }
        _ = try await store.recordWebhook(source: "payment", id: id, at: dependencies.now())
        return Reply(["status": status, "code": code, "reference": callback.reference])
    }
}

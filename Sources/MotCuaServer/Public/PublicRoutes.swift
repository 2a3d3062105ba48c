import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import MotCuaAPI
import MotCuaConfig
import MotCuaCore
import MotCuaStore
import NIOCore

extension HTTPField.Name {
    static let accessSecret = HTTPField.Name("X-Access-Secret")!
    static let apiKey = HTTPField.Name("X-API-Key")!
    static let webhookID = HTTPField.Name("webhook-id")!
    static let webhookTimestamp = HTTPField.Name("webhook-timestamp")!
    static let webhookSignature = HTTPField.Name("webhook-signature")!
    /// The electronic result's detached signature (`ResultSigning.token`).
    static let resultSignature = HTTPField.Name(ResultSigning.header)!
}

/// The citizen and portal API under `/api/v1/public`: catalogue, online submission (levels 3
/// and 4), status lookup, supplementation upload, electronic result, withdrawal and rating; and
/// the payment provider's callback under `/api/v1/payments/callback`.
///
/// A dossier opens to its code plus its access secret (`X-Access-Secret`), or to the portal's
/// API key (`X-API-Key`). A wrong secret answers exactly like an unknown code.
struct PublicRoutes {
    let dependencies: AppDependencies
    let limiter: RateLimiter
    let clientAddress: ClientAddress
    /// SHA-256 (hex) of each portal key → its id.
    let portalKeys: [String: String]
    /// Rendered status views by code and version, until the "late" flag would change.
    let views = DetailCache(capacity: 20_000)

    var store: any DossierStore { dependencies.store }
    var settings: PublicAPISettings { dependencies.configuration.publicAPI }
    var files: FileIntake { FileIntake(dependencies: dependencies) }
    var uploadLimit: Int { settings.maxUploadBytes + 1_048_576 }

    init(dependencies: AppDependencies) {
        self.dependencies = dependencies
        let api = dependencies.configuration.publicAPI
        limiter = RateLimiter(perMinute: api.lookupsPerMinute, burst: api.lookupBurst)
        clientAddress = ClientAddress(trustedProxies: dependencies.configuration.trustedProxies)
        var keys: [String: String] = [:]
        for key in api.portalKeys { keys[key.sha256.lowercased()] = key.id }
        if let raw = api.environmentPortalKey { keys[Self.sha256Hex(raw)] = "portal" }
        portalKeys = keys
    }

    static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static let notFound = Problem.typed(.notFound, detail: "Không tìm thấy hồ sơ với mã và mã bí mật đã cung cấp.")

    // MARK: Who asks

    /// The portal's key id when `X-API-Key` is present; a wrong key is a 401.
    func portalID(_ request: Request) throws -> String? {
        guard let given = request.headers[.apiKey] else { return nil }
        let hash = Self.sha256Hex(given)
        // Compare against every configured hash without stopping early.
        var found: String?
        for (stored, id) in portalKeys where Self.constantTimeEquals(stored, hash) { found = id }
        guard let found else { throw Problem(type: "/problems/unauthenticated", title: "Khóa API không hợp lệ", status: 401, detail: "Khóa API (X-API-Key) không hợp lệ.") }
        return found
    }

    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The key namespace for `Idempotency-Key`.
    func idempotencyScope(_ request: Request) -> String {
        (try? portalID(request)).flatMap { $0 }.map { "portal:\($0)" } ?? "public"
    }

    /// Lets the request at `code` through: the portal's key, or the dossier's secret; rate-limited
    /// per client address for citizens. Touches no data, so every refusal costs the same.
    func authorize(_ request: Request, _ context: AppRequestContext, code: String) throws {
        let portal = try portalID(request)
        if portal == nil, let wait = limiter.take("ip:\(clientAddress.resolve(request, context: context))", now: dependencies.now()) {
            throw Problem.typed(.rateLimited, detail: "Bạn tra cứu quá nhiều lần; vui lòng thử lại sau \(wait) giây.", retryAfter: wait)
        }
        guard code.utf8.count <= 64 else { throw Self.notFound }
        if portal == nil {
            guard let secret = request.headers[.accessSecret], dependencies.secrets.verify(secret, code: code) else { throw Self.notFound }
        }
    }

    /// The dossier behind `code`, for the portal or for whoever holds its secret.
    func authorizedDossier(_ request: Request, _ context: AppRequestContext, code: String) async throws -> Dossier {
        try authorize(request, context, code: code)
        guard let dossier = try await store.dossier(code: code) else { throw Self.notFound }
        return dossier
    }

    /// The decision context of a citizen, portal or partner acting at `actor.agencyID` now.
    func decision(_ actor: Actor, now: Date? = nil) -> DecisionContext {
        DecisionContext(
            actor: actor, now: now ?? dependencies.now(), calendar: dependencies.calendars.calendar(forAgency: actor.agencyID),
            nearDue: dependencies.configuration.watch.policy, stepSplit: dependencies.stepSplit)
    }

    /// The applicant (or the portal for them) as the actor, at the agency holding the dossier.
    func citizen(_ request: Request, name: String, agencyID: String) -> Actor {
        let portal = (try? portalID(request)).flatMap { $0 }
        return Actor(id: portal.map { "portal:\($0)" } ?? "citizen", name: name, role: .citizen, agencyID: agencyID)
    }

    func citizenContext(_ dossier: Dossier, _ request: Request) -> DecisionContext {
        decision(citizen(request, name: dossier.applicant.name, agencyID: dossier.currentAgencyID))
    }

    func agencyName(_ id: String) -> String { dependencies.catalogue.tree.agencies[id]?.name ?? id }

    func statusResponse(_ dossier: Dossier) async throws -> Response {
        let events = try await store.events(dossierID: dossier.id)
        let now = dependencies.now()
        let response = jsonResponse(PublicDossierView(dossier, events: events, agencyName: agencyName, now: now))
        views.put(code: dossier.code, version: dossier.version, response: response, validUntil: PublicDossierView.lateFlagChanges(dossier, now: now))
        return response
    }

    /// The answer to a submission; also rebuilt for a retry whose first attempt died after filing.
    func submissionResponse(_ dossier: Dossier) -> Response {
        var response = jsonResponse(SubmissionResponse(
            code: dossier.code, accessSecret: dependencies.secrets.secret(for: dossier.code), status: dossier.status,
            nationalStatus: CodeName(code: dossier.status.nationalCode, name: dossier.status.vietnameseName),
            submittedAt: dossier.submittedAt, statusURL: "/api/v1/public/dossiers/\(dossier.code)",
            notice: "Hãy lưu mã hồ sơ và mã bí mật: cần cả hai để tra cứu, bổ sung hồ sơ và nhận kết quả."), status: .created)
        // The secret is not kept with the idempotency record (`IdempotencyMiddleware.filedDossier`
        // reads the code from Location): a replay derives it again.
        response.headers[.location] = "/api/v1/public/dossiers/\(dossier.code)"
        return response
    }

    // MARK: Routes

    func register(public group: RouterGroup<AppRequestContext>, api: RouterGroup<AppRequestContext>) {
        let procedures = Dictionary(uniqueKeysWithValues: dependencies.catalogue.procedures.map { ($0.code, $0) })

        group.get("procedures") { request, _ in
            let query = request.uri.queryParameters
            let needle = query["q"].map { foldedSearchKey(String($0.prefix(200))) }
            let field = query["field"].map { foldedSearchKey(String($0)) }
            let minimumLevel = try QueryReader(query).integer("onlineLevel", 2...4, default: 1)
            let list = dependencies.catalogue.procedures.filter { procedure in
                procedure.onlineLevel >= minimumLevel
                    && (needle.map { foldedSearchKey(procedure.name).contains($0) || procedure.code.contains($0) } ?? true)
                    && (field.map { foldedSearchKey(procedure.field) == $0 } ?? true)
            }
            return jsonResponse(ProcedureList(list))
        }
        group.get("procedures/{code}") { _, context in
            guard let procedure = procedures[try context.parameters.require("code")] else { throw Problem.notFound }
            return jsonResponse(ProcedureView(procedure, withDocuments: true))
        }

        group.post("dossiers") { request, context in
            try await submit(request, context, procedures: procedures)
        }
        group.get("dossiers/{code}") { request, context in
            let code = try context.parameters.require("code")
            try authorize(request, context, code: code)
            // A version's view never changes but for the clock: serve it from the cache when we can.
            guard let version = try await store.version(code: code) else { throw Self.notFound }
            if let cached = views.get(code: code, version: version, now: dependencies.now()) { return cached.response }
            guard let dossier = try await store.dossier(code: code) else { throw Self.notFound }
            return try await statusResponse(dossier)
        }
        group.post("dossiers/{code}/supplementation") { request, context in
            try await supplement(request, context)
        }
        group.get("dossiers/{code}/result") { request, context in
            try await downloadResult(request, context)
        }
        group.post("dossiers/{code}/withdraw") { request, context in
            let code = try context.parameters.require("code")
            let dossier = try await authorizedDossier(request, context, code: code)
            let body = try await decodeBody(WithdrawRequest.self, from: request, limit: 16_384)
            return try await statusResponse(try await apply(code, dossier, request, .withdraw(reason: body.reason)))
        }
        group.post("dossiers/{code}/rating") { request, context in
            let code = try context.parameters.require("code")
            let dossier = try await authorizedDossier(request, context, code: code)
            let body = try await decodeBody(RatingRequest.self, from: request, limit: 16_384)
            return try await statusResponse(try await apply(code, dossier, request, .rate(score: body.score, comment: body.comment)))
        }
        api.post("payments/callback") { request, _ in
            try await paymentCallback(request)
        }
    }

    func apply(_ code: String, _ dossier: Dossier, _ request: Request, _ command: DossierCommand) async throws -> Dossier {
        try await store.apply(code: code) { current in
            try Lifecycle.decide(command, dossier: current, context: citizenContext(current, request))
        }
    }

    // MARK: Submission

    func submit(_ request: Request, _ context: AppRequestContext, procedures: [String: Procedure]) async throws -> Response {
        let portal = try portalID(request)  // a wrong portal key is a 401 before anything is read
        let parts = try await files.parts(of: request)
        guard let applicationPart = parts.first(where: { $0.name == "application" }) else {
            throw Problem.validation(field: "application", reason: "Thiếu phần 'application' (JSON) với thông tin hồ sơ.")
        }
        let application = try decodeJSON(SubmissionRequest.self, from: applicationPart.body, prefix: "application")
        let sizeProblems = application.sizeProblems()
        guard sizeProblems.isEmpty else { throw Problem.validation(sizeProblems) }
        guard let procedure = procedures[application.procedureCode] else {
            throw Problem.validation(field: "application.procedureCode", reason: "Thủ tục '\(application.procedureCode)' không có trong danh mục.")
        }
        let now = dependencies.now()
        let today = WorkCalendar.localDate(of: now)
        guard dependencies.catalogue.tree.agencies[application.agencyID]?.isActive(on: today) == true else {
            throw Problem.validation(field: "application.agencyID", reason: "Cơ quan '\(application.agencyID)' không tồn tại hoặc không còn hoạt động.")
        }
        var notApplicable: [String] = []
        for (index, number) in (application.notApplicable ?? []).enumerated() {
            guard (1...procedure.documents.count).contains(number) else {
                throw Problem.validation(field: "application.notApplicable[\(index)]", reason: "Không có giấy tờ số \(number) trong thành phần hồ sơ.")
            }
            notApplicable.append(procedure.documents[number - 1].name)
        }
        let uploads = try files.checked(parts.filter { $0.name != "application" }) { name in
            guard name.hasPrefix("document-"), let number = Int(name.dropFirst(9)), (1...procedure.documents.count).contains(number) else { return nil }
            return procedure.documents[number - 1].name
        }
        let submission = OnlineSubmission(
            procedure: procedure, agencyID: application.agencyID, level: application.level, applicant: application.applicant,
            returnMethod: application.returnMethod, postalPickup: application.postalPickup ?? false,
            postalAddress: application.postalAddress, files: uploads.map(\.file), notApplicable: notApplicable, note: application.note)
        let decision = decision(citizen(request, name: application.applicant.name, agencyID: application.agencyID), now: now)
        // Everything is checked before a single byte is written.
        _ = try Lifecycle.submit(submission, code: "", id: "", context: decision)

        var idempotencyKey = context.idempotencyKey
        var forwarded: (key: IdempotencyKey, fingerprint: String)?
        if let portalDossierID = application.portalDossierID {
            guard let portal else {
                throw Problem.validation(field: "application.portalDossierID", reason: "Chỉ Cổng DVCQG (với khóa API) được gửi mã hồ sơ của cổng.")
            }
            guard (1...64).contains(portalDossierID.utf8.count), portalDossierID.utf8.allSatisfy({ (33...126).contains($0) }) else {
                throw Problem.validation(field: "application.portalDossierID", reason: "Mã hồ sơ của cổng gồm 1–64 ký tự ASCII hiển thị được.")
            }
            let key = IdempotencyKey(scope: "portal-dossier:\(portal)", key: portalDossierID)
            var hash = SHA256()
            hash.update(data: Array(applicationPart.body.readableBytesView))
            for upload in uploads { hash.update(data: Array("\n\(upload.file.document)\n\(upload.file.sha256)".utf8)) }
            let fingerprint = hash.finalize().map { String(format: "%02x", $0) }.joined()
            if let earlier = try await forwardedBefore(key, fingerprint: fingerprint, now: now) { return earlier }
            idempotencyKey = key
            forwarded = (key, fingerprint)
        }

        let id = TimeOrderedID.make(at: now)
        let dossier: Dossier
        do {
            dossier = try await files.storing(uploads) {
                try await store.fileDossier(agencyID: application.agencyID, day: today, idempotencyKey: idempotencyKey) { code in
                    try Lifecycle.submit(submission, code: code, id: id, context: decision)
                }.0
            }
        } catch {
            if let forwarded { try? await store.releaseIdempotencyKey(forwarded.key) }
            throw error
        }
        if let forwarded {
            try await store.completeIdempotencyKey(forwarded.key, response: StoredResponse(
                fingerprint: forwarded.fingerprint, status: 201, headers: [StoredResponse.dossierCodeKey: dossier.code], body: Data()))
        }
        dependencies.metrics.intake(channel: dossier.channel.rawValue)
        context.logger.info("dossier submitted online", metadata: ["code": "\(dossier.code)", "level": "\(application.level)"])
        return submissionResponse(dossier)
    }

    /// The answer to a portal forward whose id was seen before: the dossier it filed (200), a 409
    /// when the id came with another body or its first forward is still being filed, nil when new
    /// (the id is then claimed, for good: a forward is recognised however late it comes again).
    func forwardedBefore(_ key: IdempotencyKey, fingerprint: String, now: Date) async throws -> Response? {
        let state = try await store.claimIdempotencyKey(key, fingerprint: fingerprint, now: now, expiresAt: now.addingTimeInterval(100 * 365 * 86_400))
        let reused = Problem.typed(
            .idempotencyKeyReused, detail: "Mã hồ sơ của cổng '\(key.key)' đã được gửi với nội dung khác; không tiếp nhận thêm hồ sơ.")
        let code: String?
        switch state {
        case .claimed:
            return nil
        case let .completed(stored):
            guard stored.fingerprint == fingerprint else { throw reused }
            code = stored.dossierCode
        case let .inProgress(storedFingerprint, _, dossierCode):
            guard storedFingerprint == fingerprint else { throw reused }
            code = dossierCode
        }
        guard let code, let dossier = try await store.dossier(code: code) else {
            throw Problem.typed(.requestInProgress, detail: "Hồ sơ với mã của cổng '\(key.key)' đang được tiếp nhận; hãy thử lại sau giây lát.")
        }
        var response = submissionResponse(dossier)
        response.status = .ok
        response.headers[.idempotentReplayed] = "true"
        return response
    }

    // MARK: Supplementation, result, payment

    func supplement(_ request: Request, _ context: AppRequestContext) async throws -> Response {
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

    func downloadResult(_ request: Request, _ context: AppRequestContext) async throws -> Response {
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

    func paymentCallback(_ request: Request) async throws -> Response {
        guard let secret = dependencies.configuration.paymentWebhookSecret, let webhooks = StandardWebhooks(secret: secret) else {
            throw Problem.typed(.unavailable, detail: "Thanh toán trực tuyến chưa được cấu hình trên máy chủ này.")
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: 65_536)
        } catch {
            throw Problem.typed(.tooLarge)
        }
        let bytes = Array(body.readableBytesView)
        let id = request.headers[.webhookID]
        do {
            try webhooks.verify(
                id: id, timestamp: request.headers[.webhookTimestamp], signature: request.headers[.webhookSignature],
                body: bytes, now: dependencies.now())
        } catch {
            throw Problem.typed(.invalidSignature, detail: error.vietnameseDescription)
        }
        guard let id else { throw Problem.typed(.invalidSignature) }
        if try await store.webhookSeen(source: "payment", id: id) {
            return jsonResponse(["status": "duplicate", "webhookID": id])
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
        return jsonResponse(["status": status, "code": code, "reference": callback.reference])
    }
}

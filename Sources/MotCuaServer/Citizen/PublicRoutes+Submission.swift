import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import MotCuaAPI
import MotCuaConfig
import MotCuaCore
import MotCuaStore
import NIOCore


extension PublicRoutes {
    // MARK: Submission

    /// `POST /api/v1/public/dossiers`: an online submission (level 3 or 4), by the applicant or
    /// forwarded by the national portal.
    @Sendable func submit(_ request: Request, context: AppRequestContext) async throws -> Response {
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
        return try submissionResponse(dossier)
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
        var response = try submissionResponse(dossier)
        response.status = .ok
        response.headers[.idempotentReplayed] = "true"
        return response
    }
}

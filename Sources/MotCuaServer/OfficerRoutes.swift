import Foundation
import HTTPTypes
import Hummingbird
import MotCuaAPI
import MotCuaConfig
import MotCuaCore
import MotCuaStore

/// The officer API: catalogue, intake, search, detail, one endpoint per lifecycle command, forms.
/// Every route here runs behind `AuthMiddleware`.
struct OfficerRoutes {
    let dependencies: AppDependencies

    var store: any DossierStore { dependencies.store }
    var limit: Int { dependencies.configuration.maxBodyBytes }

    /// An officer sees the dossiers its agency received, holds, or was handed; anything else is 404.
    static func isVisible(_ dossier: Dossier, to officer: Officer) -> Bool {
        dossier.agencyID == officer.agencyID || dossier.agencyTrail.contains(officer.agencyID)
    }

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

    func register(on group: RouterGroup<AppRequestContext>) {
        let detailCache = DetailCache(capacity: 10_000)
        let procedures = Dictionary(uniqueKeysWithValues: dependencies.catalogue.procedures.map { ($0.code, $0) })

        group.get("procedures") { request, _ in
            let query = request.uri.queryParameters
            let needle = query["q"].map { foldedSearchKey(String($0)) }
            let field = query["field"].map(String.init)
            let level = query["level"].map(String.init)
            let list = dependencies.catalogue.procedures.filter { procedure in
                (needle.map { foldedSearchKey(procedure.name).contains($0) || procedure.code.contains($0) } ?? true)
                    && (field.map { procedure.field == $0 } ?? true) && (level.map { procedure.level == $0 } ?? true)
            }
            return jsonResponse(ProcedureList(list))
        }
        group.get("procedures/{code}") { _, context in
            guard let procedure = procedures[try context.parameters.require("code")] else { throw Problem.notFound }
            return jsonResponse(ProcedureView(procedure, withDocuments: true))
        }
        group.get("agencies") { _, _ in
            let agencies = dependencies.catalogue.tree.agencies.values.sorted { $0.id < $1.id }
            return jsonResponse(AgencyList(levels: dependencies.catalogue.tree.levels, items: agencies))
        }
        group.get("officers") { _, context in
            let officer = try context.requireOfficer()
            let list = try await store.officers(agencyID: officer.agencyID).map(OfficerView.init)
            return jsonResponse(["items": list])
        }

        group.post("dossiers") { request, context in
            let officer = try context.requireOfficer()
            let (body, procedure, uploads) = try await intakeBody(request, procedures: procedures)
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
            // Everything is checked before a single scan is written.
            _ = try Lifecycle.file(intake, code: "", id: id, context: decision)
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
            return Self.intakeResponse(dossier, secret: dependencies.secrets.secret(for: dossier.code))
        }

        group.get("dossiers") { request, context in
            let officer = try context.requireOfficer()
            var query = try Self.searchQuery(request.uri.queryParameters)
            query.visibleToAgency = officer.agencyID
            let page = try await store.search(query)
            return jsonResponse(DossierList(
                total: page.total, totalIsExact: page.totalIsExact, limit: query.limit, offset: query.offset,
                nextCursor: page.next?.token, items: page.items.map { DossierView($0) }))
        }

        group.get("dossiers/{code}") { _, context in
            let officer = try context.requireOfficer()
            let code = try context.parameters.require("code")
            guard code.count <= 64, let version = try await store.version(code: code) else { throw Problem.notFound }
            // The rendering of a version never changes: serve it from the cache when we have it.
            if let cached = detailCache.get(code: code, version: version) {
                guard cached.visibleTo.contains(officer.agencyID) else { throw Self.notVisible(to: officer) }
                return cached.response
            }
            let dossier = try await visibleDossier(code, officer)
            let response = jsonResponse(DossierView(dossier, events: try await store.events(dossierID: dossier.id)))
            detailCache.put(code: code, version: dossier.version, visibleTo: Set(dossier.agencyTrail + [dossier.agencyID]), response: response)
            return response
        }

        group.get("dossiers/{code}/forms/{form}") { _, context in
            let officer = try context.requireOfficer()
            let dossier = try await visibleDossier(try context.parameters.require("code"), officer)
            let form = try context.parameters.require("form")
            let events = try await store.events(dossierID: dossier.id)
            let html = try FormRenderer(
                settings: dependencies.configuration.forms, agencies: dependencies.catalogue.tree, procedures: procedures,
                accessSecret: dependencies.secrets.secret(for: dossier.code)
            ).render(form: form, dossier: dossier, events: events)
            return Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: html)))
        }

        group.get("books") { request, context in
            try await trackingBook(request, officer: try context.requireOfficer())
        }

        command(group, "receive") { _, _ in .receive }
        command(group, "request-supplementation") { request, _ in
            let body = try await decodeBody(SupplementationRequest.self, from: request, limit: limit)
            return .requestSupplementation(items: body.items, reason: body.reason)
        }
        command(group, "supplementation-received") { request, _ in
            .supplementationReceived(note: try await decodeBody(NoteRequest.self, from: request, limit: limit).note)
        }
        command(group, "refuse") { request, _ in
            .refuse(reason: try await decodeBody(ReasonRequest.self, from: request, limit: limit).reason)
        }
        command(group, "transfer") { request, _ in
            .transfer(departmentID: try await decodeBody(TransferRequest.self, from: request, limit: limit).departmentID)
        }
        command(group, "assign") { request, officer in
            let body = try await decodeBody(AssignRequest.self, from: request, limit: limit)
            guard let handler = try await store.officer(id: body.handlerID), handler.agencyID == officer.agencyID, handler.active else {
                throw Problem.validation(field: "handlerID", reason: "Không tìm thấy cán bộ này trong cơ quan.")
            }
            return .assign(handler: handler.actor)
        }
        command(group, "send") { request, _ in
            let body = try await decodeBody(SendRequest.self, from: request, limit: limit)
            return .sendToAgency(agencyID: body.agencyID, note: body.note)
        }
        command(group, "receive-transfer") { _, _ in .receiveFromAgency }
        command(group, "request-fee") { request, _ in
            .requestFee(amount: try await decodeBody(FeeRequest.self, from: request, limit: limit).amount)
        }
        command(group, "fee-paid") { _, _ in .feePaid() }
        // Approval takes JSON `{note}`, or multipart with `note` and the electronic result file `result`.
        group.post("dossiers/{code}/approve") { request, context in
            let officer = try context.requireOfficer()
            let code = try context.parameters.require("code")
            guard MultipartForm.boundary(of: request.headers[.contentType]) != nil else {
                let note = try await decodeBody(NoteRequest.self, from: request, limit: limit).note
                return try await run(.approve(note: note), code: code, officer: officer, context: context)
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
                return try await run(.approve(note: note, resultFile: file, signature: signature), code: code, officer: officer, context: context)
            }
        }
        group.get("dossiers/{code}/files/{sha256}") { _, context in
            let officer = try context.requireOfficer()
            let dossier = try await visibleDossier(try context.parameters.require("code"), officer)
            let sha256 = try context.parameters.require("sha256")
            guard let file = ((dossier.files ?? []) + [dossier.resultFile].compactMap { $0 }).first(where: { $0.sha256 == sha256 }) else {
                throw Problem.notFound
            }
            let encoded = file.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "tep"
            let bytes: ByteBuffer
            do {
                bytes = try await dependencies.blobs.read(file.sha256)
            } catch {
                // The dossier lists a file the blob store does not hold: an integrity problem to
                // look into, and for the caller a file that is not there.
                dependencies.logger.warning(
                    "integrity: a dossier lists a file the blob store lacks",
                    metadata: ["code": "\(dossier.code)", "sha256": "\(file.sha256)", "error": "\(error)"])
                throw Problem.notFound
            }
            var headers: HTTPFields = [.contentType: file.contentType, .contentDisposition: "attachment; filename*=UTF-8''\(encoded)"]
            if file.sha256 == dossier.resultFile?.sha256,
               let token = try await VerificationRoutes.signatureToken(store: store, sha256: file.sha256, code: dossier.code) {
                headers[.resultSignature] = token
            }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: bytes))
        }
        command(group, "ready") { _, _ in .resultReady }
        command(group, "return") { request, _ in
            .returnResult(method: try await decodeBody(ReturnRequest.self, from: request, limit: limit).method)
        }
        command(group, "apologize") { request, _ in
            let body = try await decodeBody(ApologyRequest.self, from: request, limit: limit)
            return .apologize(reason: body.reason, newDueAt: body.newDueAt)
        }
        command(group, "withdraw") { request, _ in
            .withdraw(reason: try await decodeBody(ReasonRequest.self, from: request, limit: limit).reason)
        }
        command(group, "stop") { request, _ in
            .stop(reason: try await decodeBody(ReasonRequest.self, from: request, limit: limit).reason)
        }
        command(group, "postal-order") { request, _ in
            let body = try await decodeBody(PostalOrderCommandRequest.self, from: request, limit: limit)
            return .orderPostal(direction: body.direction, address: body.postalAddress)
        }
    }

    /// The answer to a desk intake: the receipt data with the access secret to hand over (the
    /// control sheet is one GET away, at Location).
    static func intakeResponse(_ dossier: Dossier, secret: String) -> Response {
        var response = jsonResponse(IntakeReceipt(dossier, secret: secret), status: .created)
        // Kept for replay as the code alone (the receipt carries the access secret).
        response.headers[.location] = "/api/v1/dossiers/\(dossier.code)"
        return response
    }

    /// `GET /api/v1/books`: the tracking book of the officer's desk over [from, to] (local days;
    /// default: this month so far), HTML or `format=csv`. See `TrackingBook`.
    /// A desk intake: its JSON; or a form with the JSON in its `intake` part and the desk's scans
    /// of the documents handed in as parts `document-N` (N the document's number in the
    /// procedure's list), which a dossier filed for another agency of the province needs.
    func intakeBody(
        _ request: Request, procedures: [String: Procedure]
    ) async throws -> (IntakeRequest, Procedure, [FileIntake.Upload]) {
        func checked(_ body: IntakeRequest) throws -> Procedure {
            let sizeProblems = body.sizeProblems()
            guard sizeProblems.isEmpty else { throw Problem.validation(sizeProblems) }
            guard let procedure = procedures[body.procedureCode] else {
                throw Problem.validation(field: "procedureCode", reason: "Thủ tục '\(body.procedureCode.prefix(32))' không có trong danh mục.")
            }
            return procedure
        }
        guard MultipartForm.boundary(of: request.headers[.contentType]) != nil else {
            let body = try await decodeBody(IntakeRequest.self, from: request, limit: limit)
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

    func trackingBook(_ request: Request, officer: Officer) async throws -> Response {
        let reader = QueryReader(request.uri.queryParameters)
        let today = WorkCalendar.localDate(of: dependencies.now())
        func day(_ key: String) throws -> LocalDate? {
            // Present means a day: an empty value is not one (the contract's pattern says so).
            guard let raw = reader.raw(key) else { return nil }
            guard raw.utf8.count == 10, let day = LocalDate(iso: raw), (1900...2099).contains(day.year) else {
                throw Problem.validation(field: key, reason: "Ngày không hợp lệ (yyyy-MM-dd).")
            }
            return day
        }
        let to = try day("to") ?? today
        let from = try day("from") ?? LocalDate(year: to.year, month: to.month, day: 1)!
        guard from <= to else { throw Problem.validation(field: "from", reason: "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.") }
        let format = reader.raw("format") ?? "html"
        guard ["html", "csv"].contains(format) else { throw Problem.validation(field: "format", reason: "Chỉ nhận html hoặc csv.") }
        var query = DossierQuery(
            visibleToAgency: officer.agencyID, submittedFrom: WorkCalendar.parse("\(from.iso)T00:00:00"),
            submittedTo: WorkCalendar.parse("\(to.adding(days: 1).iso)T00:00:00"), limit: 500)
        // The desk's book: the agency's dossiers, and those its desk took in for another agency
        // of the province (filed anywhere in the province), not those only handed to it.
        var dossiers: [Dossier] = []
        while true {
            let page = try await store.search(query)
            dossiers += page.items.filter { $0.agencyID == officer.agencyID || $0.receivingAgencyID == officer.agencyID }
            guard dossiers.count <= TrackingBook.maxRows else {
                throw Problem.validation(field: "from", reason: "Quá \(TrackingBook.maxRows) hồ sơ trong kỳ: hãy chọn kỳ ngắn hơn.")
            }
            guard let next = page.next else { break }
            query.after = next
        }
        // Oldest first, as a book is written.
        dossiers.sort { ($0.submittedAt, $0.code) < ($1.submittedAt, $1.code) }
        let set = dependencies.configuration.forms.set(at: WorkCalendar.parse("\(to.iso)T12:00:00") ?? dependencies.now())
        let tree = dependencies.catalogue.tree
        let book = TrackingBook(
            agencyName: tree.agencies[officer.agencyID]?.name ?? officer.agencyID, form: set.form(.trackingBook), set: set, from: from, to: to,
            dossiers: dossiers, names: { tree.agencies[$0]?.name ?? $0 })
        if format == "csv" {
            let name = "so-theo-doi-\(officer.agencyID)-\(from.iso)-\(to.iso).csv"
            return Response(
                status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name)\""],
                body: .init(byteBuffer: ByteBuffer(string: book.csv)))
        }
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: book.html)))
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

    /// `POST /api/v1/dossiers/{code}/{name}`: decode the body, then decide and store in one
    /// transaction, then answer with the dossier and its control sheet.
    func command(
        _ group: RouterGroup<AppRequestContext>, _ name: String,
        _ build: @escaping @Sendable (Request, Officer) async throws -> DossierCommand
    ) {
        group.post("dossiers/{code}/\(name)") { request, context in
            let officer = try context.requireOfficer()
            let code = try context.parameters.require("code")
            return try await run(try await build(request, officer), code: code, officer: officer, context: context)
        }
    }

    /// Decides and stores one command in one transaction; answers with the dossier and its control sheet.
    func run(_ command: DossierCommand, code: String, officer: Officer, context: AppRequestContext) async throws -> Response {
        guard code.count <= 64 else { throw Problem.notFound }
        let decision = decisionContext(for: officer)
        let dossier = try await store.apply(code: code) { current in
            guard Self.isVisible(current, to: officer) else { throw StoreError.notFound }
            return try Lifecycle.decide(command, dossier: current, context: decision)
        }
        context.logger.info("dossier command", metadata: ["code": "\(code)", "command": "\(command.name)", "status": "\(dossier.status.rawValue)"])
        return jsonResponse(DossierView(dossier, events: try await store.events(dossierID: dossier.id)))
    }

    static func searchQuery(_ parameters: Parameters) throws -> DossierQuery {
        var query = DossierQuery(visibleToAgency: nil)
        let reader = QueryReader(parameters)
        func text(_ key: String, max: Int = 200) throws -> String? { try reader.text(key, max: max) }
        func integer(_ key: String, _ range: ClosedRange<Int>) throws -> Int? { try reader.integer(key, range) }
        func date(_ key: String) throws -> Date? {
            guard let raw = try text(key, max: 40) else { return nil }
            if let day = LocalDate(iso: raw) {
                return WorkCalendar.parse("\(day.iso)T00:00:00")
            }
            guard let instant = WorkCalendar.parse(raw) else {
                throw Problem.validation(field: key, reason: "Ngày không hợp lệ (yyyy-MM-dd).")
            }
            return instant
        }
        query.code = try text("code", max: 64)
        query.name = try text("name")
        query.idNumber = try text("idNumber", max: 32)
        query.phone = try text("phone", max: 32)
        query.procedureCode = try text("procedure", max: 32)
        if let statuses = try text("status") {
            query.statuses = try statuses.split(separator: ",", omittingEmptySubsequences: false).map {
                guard let status = DossierStatus(rawValue: String($0)) else {
                    throw Problem.validation(field: "status", reason: "Trạng thái '\($0)' không tồn tại.")
                }
                return status
            }
        }
        query.submittedFrom = try date("from")
        if let to = try date("to") {
            // A bare date includes that whole day.
            query.submittedTo = (parameters["to"].map { LocalDate(iso: String($0)) != nil } ?? false) ? to.addingTimeInterval(86_400) : to
        }
        query.limit = try integer("limit", 1...200) ?? 50
        query.offset = try integer("offset", 0...10_000) ?? 0
        if let cursor = try text("cursor") {
            guard let after = DossierCursor(token: cursor), after.isByCode == query.ordersByCode else {
                throw Problem.validation(field: "cursor", reason: "Con trỏ trang không hợp lệ; dùng giá trị nextCursor của trang trước với cùng điều kiện tìm.")
            }
            query.after = after
        }
        return query
    }
}

/// `GET /api/v1/procedures` (officers and the public door alike).
struct ProcedureList: Encodable {
    var total: Int
    var items: [ProcedureView]

    init(_ procedures: [Procedure]) {
        total = procedures.count
        items = procedures.map { ProcedureView($0, withDocuments: false) }
    }
}

/// `GET /api/v1/agencies`.
struct AgencyList: Encodable {
    var levels: [AgencyLevel]
    var items: [Agency]
}

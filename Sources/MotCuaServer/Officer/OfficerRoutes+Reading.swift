import Foundation
import Hummingbird
import MotCuaAPI
import MotCuaConfig
import MotCuaCore
import MotCuaStore

// The officer door's reads: the catalogue, the agency's officers, search, a dossier's detail,
// its forms and files, and the desk's tracking book.

extension OfficerRoutes {
    /// `GET /api/v1/procedures?q&field&level`.
    @Sendable func listProcedures(_ request: Request, context: AppRequestContext) async throws -> Reply<ProcedureList> {
        let query = request.uri.queryParameters
        let needle = query["q"].map { foldedSearchKey(String($0)) }
        let field = query["field"].map(String.init)
        let level = query["level"].map(String.init)
        let list = dependencies.catalogue.procedures.filter { procedure in
            (needle.map { foldedSearchKey(procedure.name).contains($0) || procedure.code.contains($0) } ?? true)
                && (field.map { procedure.field == $0 } ?? true) && (level.map { procedure.level == $0 } ?? true)
        }
        return Reply(ProcedureList(list))
    }

    @Sendable func procedure(_ request: Request, context: AppRequestContext) async throws -> Reply<ProcedureView> {
        guard let procedure = procedures[try context.parameters.require("code")] else { throw Problem.notFound }
        return Reply(ProcedureView(procedure, withDocuments: true))
    }

    @Sendable func agencies(_ request: Request, context: AppRequestContext) async throws -> Reply<AgencyList> {
        let agencies = dependencies.catalogue.tree.agencies.values.sorted { $0.id < $1.id }
        return Reply(AgencyList(levels: dependencies.catalogue.tree.levels, items: agencies))
    }

    /// The officer's agency's officers (to assign a handler).
    @Sendable func officers(_ request: Request, context: AppRequestContext) async throws -> Reply<ItemList<OfficerView>> {
        let officer = try context.requireOfficer()
        return Reply(ItemList(items: try await store.officers(agencyID: officer.agencyID).map(OfficerView.init)))
    }

    /// `GET /api/v1/dossiers?…`: the dossiers the officer's agency may see.
    @Sendable func searchDossiers(_ request: Request, context: AppRequestContext) async throws -> Reply<DossierList> {
        let officer = try context.requireOfficer()
        var query = try Self.searchQuery(request.uri.queryParameters)
        query.visibleToAgency = officer.agencyID
        let page = try await store.search(query)
        return Reply(DossierList(
            total: page.total, totalIsExact: page.totalIsExact, limit: query.limit, offset: query.offset,
            nextCursor: page.next?.token, items: page.items.map { DossierView($0) }))
    }

    /// A dossier with its control sheet. The rendering of a version never changes: it is served
    /// from the cache when there, as the bytes it was written to.
    @Sendable func dossierDetail(_ request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try context.requireOfficer()
        let code = try context.parameters.require("code")
        guard code.count <= 64, let version = try await store.version(code: code) else { throw Problem.notFound }
        if let cached = detailCache.get(code: code, version: version) {
            guard cached.visibleTo.contains(officer.agencyID) else { throw Self.notVisible(to: officer) }
            return cached.response
        }
        let dossier = try await visibleDossier(code, officer)
        let response = try Reply(DossierView(dossier, events: try await store.events(dossierID: dossier.id))).response(from: request, context: context)
        detailCache.put(code: code, version: dossier.version, visibleTo: Set(dossier.agencyTrail + [dossier.agencyID]), response: response)
        return response
    }

    /// `GET /api/v1/dossiers/{code}/forms/{form}`: a printable form (01–06) as HTML.
    @Sendable func form(_ request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try context.requireOfficer()
        let dossier = try await visibleDossier(try context.parameters.require("code"), officer)
        let form = try context.parameters.require("form")
        let events = try await store.events(dossierID: dossier.id)
        let html = try FormRenderer(
            settings: dependencies.configuration.forms, agencies: dependencies.catalogue.tree, procedures: procedures,
            accessSecret: dependencies.secrets.secret(for: dossier.code)
        ).render(form: form, dossier: dossier, events: events)
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// `GET /api/v1/dossiers/{code}/files/{sha256}`: a file the dossier lists (a scan, an upload,
    /// the result, with its signature).
    @Sendable func downloadFile(_ request: Request, context: AppRequestContext) async throws -> Response {
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

    /// `GET /api/v1/books`: the tracking book (form 07) of the officer's desk over [from, to]
    /// (local days; default: this month so far), HTML or `format=csv`. See `TrackingBook`.
    @Sendable func trackingBook(_ request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try context.requireOfficer()
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
struct ProcedureList: Encodable, Sendable {
    var total: Int
    var items: [ProcedureView]

    init(_ procedures: [Procedure]) {
        total = procedures.count
        items = procedures.map { ProcedureView($0, withDocuments: false) }
    }
}

/// `GET /api/v1/agencies`.
struct AgencyList: Encodable, Sendable {
    var levels: [AgencyLevel]
    var items: [Agency]
}

/// `{"items": […]}`.
struct ItemList<Item: Encodable & Sendable>: Encodable, Sendable {
    var items: [Item]
}

import Foundation
import Hummingbird
import MotCuaCore
import MotCuaStore
import NIOCore

/// A read-only Open311 GeoReport v2 façade under `/open311/v2`: procedures are services,
/// dossiers are service requests, `jurisdiction_id` is an agency code. Every method answers in
/// `.json` and `.xml` with the field names, shapes and error lists of the specification, so
/// existing Open311 clients read it unchanged. Only public data leaves: code, status, procedure,
/// agency and dates; never the applicant.
struct Open311Routes {
    let dependencies: AppDependencies

    enum Format: String {
        case json, xml

        var contentType: String { self == .json ? "application/json; charset=utf-8" : "text/xml; charset=utf-8" }
    }

    /// An Open311 error: its HTTP status and the description, sent as the spec's error list.
    struct Failure: Error {
        var status: Int
        var description: String
    }

    /// Most requests one answer lists, and the default window when no dates are given.
    static let maxRequests = 1000
    static let defaultWindow: TimeInterval = 90 * 86_400

    func register(on group: RouterGroup<AppRequestContext>) {
        for format in [Format.json, .xml] {
            group.get("services.\(format.rawValue)") { request, _ in
                respond(format) { try services(request) }
            }
            group.get("requests.\(format.rawValue)") { request, _ in
                await respondAsync(format) { try await requests(request) }
            }
        }
        group.get("services/{file}") { _, context in
            let (code, format) = try split(try context.parameters.require("file"))
            return respond(format) { try definition(code) }
        }
        group.get("requests/{file}") { request, context in
            let (id, format) = try split(try context.parameters.require("file"))
            return await respondAsync(format) {
                let agency = try jurisdiction(request)
                guard let dossier = try await dependencies.store.dossier(code: id), agency == nil || dossier.agencyID == agency?.id else {
                    throw Failure(status: 404, description: "service_request_id \(id) not found")
                }
                return .list("service_requests", [serviceRequest(dossier)])
            }
        }
    }

    /// `1.001193.xml` → ("1.001193", .xml): the format is what follows the last dot.
    func split(_ file: String) throws -> (String, Format) {
        guard let dot = file.lastIndex(of: "."), let format = Format(rawValue: String(file[file.index(after: dot)...])) else {
            throw Problem.notFound
        }
        return (String(file[..<dot]), format)
    }

    // MARK: Resources

    func jurisdiction(_ request: Request) throws -> Agency? {
        guard let id = request.uri.queryParameters["jurisdiction_id"].map(String.init), !id.isEmpty else { return nil }
        guard let agency = dependencies.catalogue.tree.agencies[id] else {
            throw Failure(status: 404, description: "jurisdiction_id \(id) not found")
        }
        return agency
    }

    func services(_ request: Request) throws -> Node {
        let agency = try jurisdiction(request)
        let procedures = dependencies.catalogue.procedures.filter { procedure in agency.map { procedure.level == $0.level } ?? true }
        return .list("services", procedures.map { procedure in
            .object("service", [
                ("service_code", .text(procedure.code)),
                ("service_name", .text(procedure.name)),
                ("description", .text("\(procedure.field). Thời hạn giải quyết: \(procedure.term). Phí, lệ phí: \(procedure.fee.text). Dịch vụ công trực tuyến mức độ \(procedure.onlineLevel).")),
                ("metadata", .bool(true)),
                ("type", .text("realtime")),
                ("keywords", .text([procedure.field, "mức độ \(procedure.onlineLevel)"].joined(separator: ", "))),
                ("group", .text(procedure.field)),
            ])
        })
    }

    func definition(_ code: String) throws -> Node {
        guard let procedure = dependencies.catalogue.procedures.first(where: { $0.code == code }) else {
            throw Failure(status: 404, description: "service_code \(code) not found")
        }
        let attributes: [Node] = procedure.documents.enumerated().map { index, document in
            var copies: [String] = []
            if document.originals > 0 { copies.append("\(document.originals) bản chính") }
            if document.copies > 0 { copies.append("\(document.copies) bản sao") }
            return .object("attribute", [
                // The document list informs; it is not a question to answer.
                ("variable", .bool(false)),
                ("code", .text("document-\(index + 1)")),
                ("datatype", .text("string")),
                ("required", .bool(!document.name.hasPrefix("Trường hợp"))),
                ("datatype_description", .text("Tệp PDF, JPEG hoặc PNG khi nộp trực tuyến")),
                ("order", .number(index + 1)),
                ("description", .text(copies.isEmpty ? document.name : "\(document.name) (\(copies.joined(separator: ", ")))")),
            ])
        }
        return .object("service_definition", [("service_code", .text(procedure.code)), ("attributes", .list("attributes", attributes))])
    }

    func requests(_ request: Request) async throws -> Node {
        let parameters = request.uri.queryParameters
        func list(_ key: String) -> [String] {
            (parameters[Substring(key)].map(String.init) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
        }
        var query = DossierQuery(visibleToAgency: nil, limit: Self.maxRequests)
        let ids = list("service_request_id")
        // Every argument is checked, even those that named requests override.
        func date(_ key: String) throws -> Date? {
            guard let raw = parameters[Substring(key)].map(String.init), !raw.isEmpty else { return nil }
            guard let value = WorkCalendar.parse(raw) ?? ISO8601DateFormatter().date(from: raw) else {
                throw Failure(status: 400, description: "\(key) must be a w3 ISO 8601 date and time with a time zone")
            }
            return value
        }
        let start = try date("start_date"), end = try date("end_date")
        // `open`, `closed` or both, comma-separated, as the spec writes them (empty: both).
        let rawStatus = parameters["status"].map(String.init) ?? ""
        let statuses = rawStatus.isEmpty ? [] : Set(rawStatus.split(separator: ",", omittingEmptySubsequences: false).map(String.init))
        guard statuses.isSubset(of: ["open", "closed"]) else {
            throw Failure(status: 400, description: "status must be open, closed or open,closed")
        }
        if !ids.isEmpty {
            // Named requests override every other argument.
            guard ids.count <= Self.maxRequests else { throw Failure(status: 400, description: "too many service_request_id values") }
            query.codes = ids
        } else {
            query.agencyID = try jurisdiction(request)?.id
            query.procedureCodes = list("service_code")
            let to = end ?? start.map { $0.addingTimeInterval(Self.defaultWindow) } ?? dependencies.now()
            let from = start ?? to.addingTimeInterval(-Self.defaultWindow)
            guard from <= to else { throw Failure(status: 400, description: "start_date is after end_date") }
            query.submittedFrom = from
            // The end is inclusive (the store's bound is exclusive).
            query.submittedTo = to.addingTimeInterval(0.001)
            if statuses.count == 1 {
                query.statuses = DossierStatus.allCases.filter { $0.isFinal == statuses.contains("closed") }
            }
        }
        let page = try await dependencies.store.search(query)
        return .list("service_requests", page.items.map(serviceRequest))
    }

    func serviceRequest(_ d: Dossier) -> Node {
        let agencyName = dependencies.catalogue.tree.agencies[d.currentAgencyID]?.name ?? d.currentAgencyID
        return .object("request", [
            ("service_request_id", .text(d.code)),
            ("status", .text(d.status.isFinal ? "closed" : "open")),
            ("status_notes", .text("\(d.status.nationalCode). \(d.status.vietnameseName)")),
            ("service_name", .text(d.procedureName)),
            ("service_code", .text(d.procedureCode)),
            ("description", .text("Hồ sơ thủ tục hành chính: \(d.procedureName)")),
            ("agency_responsible", .text(agencyName)),
            ("service_notice", .text("Thời hạn giải quyết: \(d.term)")),
            ("requested_datetime", .text(WorkCalendar.format(d.submittedAt))),
            ("updated_datetime", .text(WorkCalendar.format(d.updatedAt))),
            ("expected_datetime", d.appointmentAt.map { .text(WorkCalendar.format($0)) } ?? .null),
        ])
    }

    // MARK: Answers

    func respond(_ format: Format, _ build: () throws -> Node) -> Response {
        do {
            return render(try build(), format: format, status: .ok)
        } catch let failure as Failure {
            return renderError(failure, format: format)
        } catch {
            return renderError(Failure(status: 404, description: "not found"), format: format)
        }
    }

    func respondAsync(_ format: Format, _ build: () async throws -> Node) async -> Response {
        do {
            return render(try await build(), format: format, status: .ok)
        } catch let failure as Failure {
            return renderError(failure, format: format)
        } catch {
            dependencies.logger.error("open311 request failed", metadata: ["error": "\(error)"])
            return renderError(Failure(status: 500, description: "internal error"), format: format)
        }
    }

    func renderError(_ failure: Failure, format: Format) -> Response {
        let node = Node.list("errors", [.object("error", [("code", .number(failure.status)), ("description", .text(failure.description))])])
        return render(node, format: format, status: .init(code: failure.status))
    }

    func render(_ node: Node, format: Format, status: HTTPResponse.Status) -> Response {
        let body: ByteBuffer
        switch format {
        case .json:
            // The tree holds only texts, numbers and booleans: nothing it could fail on.
            body = ByteBuffer(bytes: (try? APIJSON.writer.encode(node)) ?? Array("[]".utf8))
        case .xml:
            var text = #"<?xml version="1.0" encoding="utf-8"?>"#
            node.writeXML(to: &text)
            body = ByteBuffer(string: text)
        }
        return Response(status: status, headers: [.contentType: format.contentType], body: .init(byteBuffer: body))
    }

    /// A tree both formats are written from: in XML every value is an element, a list's items
    /// repeat their element name; in JSON (by the API's one writer) an object keeps its fields'
    /// order and a list is a bare array.
    indirect enum Node: Encodable {
        case text(String)
        case number(Int)
        case bool(Bool)
        case null
        case object(String, [(String, Node)])
        case list(String, [Node])

        func encode(to encoder: any Encoder) throws {
            switch self {
            case let .text(value): try value.encode(to: encoder)
            case let .number(value): try value.encode(to: encoder)
            case let .bool(value): try value.encode(to: encoder)
            case .null:
                var container = encoder.singleValueContainer()
                try container.encodeNil()
            case let .object(_, fields):
                var container = encoder.container(keyedBy: FieldName.self)
                for (name, value) in fields { try container.encode(value, forKey: FieldName(stringValue: name)) }
            case let .list(_, items):
                var container = encoder.unkeyedContainer()
                for item in items { try container.encode(item) }
            }
        }

        struct FieldName: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        func writeXML(to out: inout String) {
            switch self {
            case let .object(name, fields):
                out += "<\(name)>"
                for (key, value) in fields {
                    switch value {
                    case .object, .list: value.writeXML(to: &out)
                    case .null: out += "<\(key)/>"
                    default:
                        out += "<\(key)>"
                        value.writeXML(to: &out)
                        out += "</\(key)>"
                    }
                }
                out += "</\(name)>"
            case let .list(name, items):
                out += "<\(name)>"
                for item in items { item.writeXML(to: &out) }
                out += "</\(name)>"
            case let .text(value): out += Self.xmlEscaped(value)
            case let .number(value): out += "\(value)"
            case let .bool(value): out += value ? "true" : "false"
            case .null: break
            }
        }

        static func xmlEscaped(_ value: String) -> String {
            var out = ""
            for scalar in value.unicodeScalars {
                switch scalar {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\"": out += "&quot;"
                case "'": out += "&apos;"
                case _ where scalar.value < 0x20 && scalar != "\n" && scalar != "\t" && scalar != "\r": continue
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out
        }
    }
}

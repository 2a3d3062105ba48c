import Foundation
import MotCuaConfig
import MotCuaCore
import MotCuaJSON

/// `/openapi.json` as this deployment serves it: the document in `Resources/openapi.json` with
/// the deployment's catalogue written in as enums (procedure codes, agency codes, department
/// codes), so that a client, a generator or a fuzzer knows which values the server takes
/// instead of learning it from a 422. Built once at start: the catalogue does not change while
/// a process runs, and the agencies listed are those active on the day it started.
enum ServedContract {
    /// Where a request names a catalogue entry, as (path through the document, which list).
    enum Values { case procedures, onlineProcedures, agencies, departments }
    static let places: [([String], Values)] = [
        (["components", "schemas", "IntakeRequest", "properties", "procedureCode"], .procedures),
        (["components", "schemas", "SubmissionApplication", "properties", "procedureCode"], .onlineProcedures),
        (["components", "schemas", "SubmissionApplication", "properties", "agencyID"], .agencies),
        (["components", "schemas", "IntakeRequest", "properties", "competentAgencyID"], .agencies),
        (["components", "schemas", "IntakeRequest", "properties", "returnAgencyID"], .agencies),
        (["paths", "/api/v1/dossiers/{code}/send", "post", "requestBody", "content", "application/json", "schema", "properties", "agencyID"], .agencies),
        (["paths", "/api/v1/portal/reconcile", "post", "requestBody", "content", "application/json", "schema", "properties", "agencyID"], .agencies),
        (["paths", "/api/v1/dossiers/{code}/transfer", "post", "requestBody", "content", "application/json", "schema", "properties", "departmentID"], .departments),
    ]

    static func document(_ bundled: Data, catalogue: Catalogue, today: LocalDate) throws -> Data {
        var document = try JSONDecoder().decode(JSONValue.self, from: bundled)
        guard case .object = document else { return bundled }
        for (path, values) in places {
            let list: [String] = switch values {
            case .procedures: catalogue.procedures.map(\.code).sorted()
            // Online filing (levels 3 and 4) only for the procedures that offer it.
            case .onlineProcedures: catalogue.procedures.filter { $0.onlineLevel >= 3 }.map(\.code).sorted()
            case .agencies: catalogue.tree.agencies.values.filter { $0.isActive(on: today) }.map(\.id).sorted()
            case .departments: Set(catalogue.tree.agencies.values.flatMap { $0.departments.map(\.id) }).sorted()
            }
            guard !list.isEmpty else { continue }
            document = setting(document, at: path[...], enum: list)
        }
        return try JSONWriter().data(document)
    }

    private static func setting(_ node: JSONValue, at path: ArraySlice<String>, enum list: [String]) -> JSONValue {
        var node = node
        guard let key = path.first else {
            // An optional field decodes `null` as absent, and its schema says so.
            let nullable = if case let .array(types) = node["type"] { types.contains(.string("null")) } else { false }
            node["enum"] = .array(list.map(JSONValue.string) + (nullable ? [.null] : []))
            return node
        }
        // A place the bundled document lacks is left alone (the agreement test names every place).
        guard let child = node[key], case .object = child else { return node }
        node[key] = setting(child, at: path.dropFirst(), enum: list)
        return node
    }
}

import Foundation
import MotCuaCore

/// A seed file entry that cannot be loaded: the file, the entry (procedure code or agency id)
/// and the reason.
public struct SeedError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var entry: String
    public var reason: String

    public init(file: String, entry: String, reason: String) {
        self.file = file
        self.entry = entry
        self.reason = reason
    }

    public var description: String { "\(file): \(entry): \(reason)" }
}

/// The validated catalogue from `Seeds/`.
public struct Catalogue: Sendable {
    public var tree: AgencyTree
    public var procedures: [Procedure]
}

/// Reads `Seeds/agencies.json` and `Seeds/procedures.json`. Every entry is validated; the first
/// invalid one stops the load with its code and the reason.
public enum SeedLoader {
    public static let directoryVariable = "MOTCUA_SEEDS"

    public static func locateDirectory(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        URL(fileURLWithPath: explicit ?? environment[directoryVariable] ?? "Seeds").standardizedFileURL
    }

    public static func loadCatalogue(from directory: URL) throws(SeedError) -> Catalogue {
        let tree = try loadAgencies(from: directory.appendingPathComponent("agencies.json"))
        let procedures = try loadProcedures(
            from: directory.appendingPathComponent("procedures.json"), levels: Set(tree.levels.map(\.code)))
        return Catalogue(tree: tree, procedures: procedures)
    }

    struct AgencyFile: Decodable {
        var levels: [AgencyLevel]
        var departmentTemplates: [String: [Department]]?
        var agencies: [Entry]

        struct Entry: Decodable {
            var id: String
            var name: String
            var level: String
            var parent: String?
            var validFrom: String
            var validTo: String?
            var successor: String?
            var departments: [Department]?
            var illustrativeID: Bool?
            var note: String?
            var desk: AgencyDesk?
        }
    }

    public static func loadAgencies(from url: URL) throws(SeedError) -> AgencyTree {
        let file = "Seeds/" + url.lastPathComponent
        let parsed: AgencyFile = try decode(url, file: file)
        var agencies: [Agency] = []
        for entry in parsed.agencies {
            guard let from = LocalDate(iso: entry.validFrom) else {
                throw SeedError(file: file, entry: entry.id, reason: "validFrom: '\(entry.validFrom)' is not a date")
            }
            var to: LocalDate?
            if let text = entry.validTo {
                guard let date = LocalDate(iso: text) else {
                    throw SeedError(file: file, entry: entry.id, reason: "validTo: '\(text)' is not a date")
                }
                to = date
            }
            agencies.append(Agency(
                id: entry.id, name: entry.name, level: entry.level, parentID: entry.parent, validFrom: from, validTo: to,
                successorID: entry.successor,
                departments: entry.departments ?? parsed.departmentTemplates?[entry.level] ?? [],
                illustrativeID: entry.illustrativeID ?? true, note: entry.note, desk: entry.desk))
        }
        do {
            return try AgencyTree(levels: parsed.levels, agencies: agencies)
        } catch {
            throw SeedError(file: file, entry: error.entry, reason: error.reason)
        }
    }

    struct ProcedureFile: Decodable {
        var procedures: [Entry]

        struct Entry: Decodable {
            var code: String
            var name: String
            var field: String
            var level: String
            var term: [String: Int]
            var fee: Fee
            var onlineLevel: Int
            var postalIntake: Bool
            var postalReturn: Bool
            var documents: [DocumentRequirement]
            var source: String
            var illustrative: [String]?
            var anywhereInProvince: Bool?
        }
    }

    public static func loadProcedures(from url: URL, levels: Set<String>) throws(SeedError) -> [Procedure] {
        let file = "Seeds/" + url.lastPathComponent
        let parsed: ProcedureFile = try decode(url, file: file)
        var seen = Set<String>()
        var result: [Procedure] = []
        for entry in parsed.procedures {
            guard entry.term.count == 1, let (unit, value) = entry.term.first else {
                throw SeedError(file: file, entry: entry.code, reason: "term: give exactly one of workingDays, workingHours, calendarDays")
            }
            let term: Term
            switch unit {
            case "workingDays": term = .workingDays(value)
            case "workingHours": term = .workingHours(value)
            case "calendarDays": term = .calendarDays(value)
            default: throw SeedError(file: file, entry: entry.code, reason: "term: unknown unit '\(unit)'")
            }
            let procedure = Procedure(
                code: entry.code, name: entry.name, field: entry.field, level: entry.level, term: term, fee: entry.fee,
                onlineLevel: entry.onlineLevel, postalIntake: entry.postalIntake, postalReturn: entry.postalReturn,
                documents: entry.documents, source: entry.source, illustrative: entry.illustrative ?? [],
                anywhereInProvince: entry.anywhereInProvince ?? false)
            if let problem = procedure.validate(levels: levels) {
                throw SeedError(file: file, entry: entry.code, reason: problem)
            }
            guard seen.insert(entry.code).inserted else {
                throw SeedError(file: file, entry: entry.code, reason: "code: listed twice")
            }
            result.append(procedure)
        }
        return result
    }

    static func decode<T: Decodable>(_ url: URL, file: String) throws(SeedError) -> T {
        do {
            return try ConfigLoader.decode(T.self, from: url, label: file)
        } catch let CalendarError.invalidConfiguration(_, key, reason) {
            // Name the entry when the failing key is inside a list: procedures[3].term -> that code.
            throw SeedError(file: file, entry: key, reason: reason)
        } catch {
            throw SeedError(file: file, entry: "-", reason: "\(error)")
        }
    }
}

import Foundation
import MotCuaCore

/// Reads `Config/directives/*.json`: one directive a file, its targets checked at load.
extension ConfigLoader {
    /// The file as written: indicator and comparator as text, so that an unknown one is named.
    struct DirectiveFile: Decodable {
        var id: String
        var title: String
        var issuedBy: String
        var issuedOn: LocalDate
        var source: String
        var scope: Directive.Scope
        var targets: [TargetFile]
        var notMeasured: [String]?

        struct TargetFile: Decodable {
            var indicator: String
            var comparator: String
            var threshold: Double
            var deadline: LocalDate
            var text: String
        }
    }

    /// Every directive in `directory/directives/`, or only those named in `binding` (a deployment
    /// chooses which bind it). An unknown indicator or comparator, a threshold outside its unit's
    /// range, a duplicate id or a bound id with no file stops the load, naming file and key.
    public static func loadDirectives(from directory: URL, binding: [String]? = nil) throws(CalendarError) -> [Directive] {
        let folder = directory.appendingPathComponent("directives")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        var directives: [Directive] = []
        for name in names {
            let label = "directives/\(name)"
            let file = try decode(DirectiveFile.self, from: folder.appendingPathComponent(name), label: label)
            var targets: [Directive.Target] = []
            for (index, target) in file.targets.enumerated() {
                guard let indicator = Indicator(rawValue: target.indicator) else {
                    throw .invalidConfiguration(
                        file: label, key: "targets[\(index)].indicator",
                        reason: "unknown indicator '\(target.indicator)'; known: \(Indicator.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                guard let comparator = Comparator(rawValue: target.comparator) else {
                    throw .invalidConfiguration(
                        file: label, key: "targets[\(index)].comparator",
                        reason: "'\(target.comparator)' is not one of \(Comparator.allCases.map(\.rawValue).joined(separator: " "))")
                }
                targets.append(Directive.Target(
                    indicator: indicator, comparator: comparator, threshold: target.threshold, deadline: target.deadline, text: target.text))
            }
            let directive = Directive(
                id: file.id, title: file.title, issuedBy: file.issuedBy, issuedOn: file.issuedOn, source: file.source,
                scope: file.scope, targets: targets, notMeasured: file.notMeasured)
            if let problem = directive.problems().first {
                let key = problem.split(separator: ":").first.map(String.init) ?? "-"
                throw .invalidConfiguration(file: label, key: problem.contains(":") ? key : "-", reason: problem)
            }
            if directives.contains(where: { $0.id == directive.id }) {
                throw .invalidConfiguration(file: label, key: "id", reason: "'\(directive.id)' is already used by another file")
            }
            directives.append(directive)
        }
        guard let binding else { return directives }
        for id in binding where !directives.contains(where: { $0.id == id }) {
            throw .invalidConfiguration(
                file: "motcua.json", key: "statistics.directives",
                reason: "'\(id)' has no file in directives/; present: \(directives.map(\.id).joined(separator: ", "))")
        }
        return directives.filter { binding.contains($0.id) }
    }
}

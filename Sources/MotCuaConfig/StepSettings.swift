import Foundation
import MotCuaCore

/// How each procedure's term is divided among its steps (`Config/steps.json`, issue #20): a
/// procedure's own split, else its field's, else the default. Practice, not law: the rules set
/// only the dossier's term; deployed systems divide it to warn early (domain.md).
public struct StepSettings: Sendable, Equatable {
    public var standard: StepSplit
    /// By field (lĩnh vực), as the catalogue names it.
    public var fields: [String: StepSplit]
    /// By procedure code.
    public var procedures: [String: StepSplit]

    public init(standard: StepSplit = .standard, fields: [String: StepSplit] = [:], procedures: [String: StepSplit] = [:]) {
        self.standard = standard
        self.fields = fields
        self.procedures = procedures
    }

    public func split(procedureCode: String, field: String?) -> StepSplit {
        procedures[procedureCode] ?? field.flatMap { fields[$0] } ?? standard
    }

    struct File: Decodable {
        var source: String?
        var `default`: StepSplit?
        var fields: [String: StepSplit]?
        var procedures: [String: StepSplit]?
    }

    /// `steps.json` in the configuration directory; the standard split when there is none.
    static func load(from directory: URL) throws(CalendarError) -> StepSettings {
        let url = directory.appendingPathComponent("steps.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return StepSettings() }
        let file = try ConfigLoader.decode(File.self, from: url, label: "steps.json")
        let settings = StepSettings(standard: file.default ?? .standard, fields: file.fields ?? [:], procedures: file.procedures ?? [:])
        for (key, split) in [("default", settings.standard)] + settings.fields.map({ ("fields.\($0.key)", $0.value) })
            + settings.procedures.map({ ("procedures.\($0.key)", $0.value) }) where !split.isValid {
            throw .invalidConfiguration(file: "steps.json", key: key, reason: "the shares of desk, processing, approval and return must be 0 or more and add up to 1")
        }
        return settings
    }
}

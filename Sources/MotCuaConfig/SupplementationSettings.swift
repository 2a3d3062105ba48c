import Foundation
import MotCuaCore

/// When a dossier left waiting for supplementation is closed as abandoned (issue #20): after
/// `abandonAfterWorkingDays` working days from the request, or a procedure's own figure.
///
/// The default (20 working days) is practice, not law: no general rule of NĐ 61/2018, NĐ 118/2025
/// or their circulars fixes how long an applicant may take; a procedure whose own rule does goes
/// in `procedures`. `null` turns the closing off.
public struct SupplementationSettings: Sendable, Equatable {
    public var abandonAfterWorkingDays: Int?
    /// Per procedure code; overrides the default.
    public var procedures: [String: Int]
    /// How often the watch looks for abandoned dossiers.
    public var sweepMinutes: Double

    struct File: Decodable {
        var abandonAfterWorkingDays: Int??
        var procedures: [String: Int]?
        var sweepMinutes: Double?
        var source: String?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            // Present and null: closing turned off; absent: the default.
            abandonAfterWorkingDays = container.contains(.abandonAfterWorkingDays)
                ? .some(try container.decodeIfPresent(Int.self, forKey: .abandonAfterWorkingDays)) : nil
            procedures = try container.decodeIfPresent([String: Int].self, forKey: .procedures)
            sweepMinutes = try container.decodeIfPresent(Double.self, forKey: .sweepMinutes)
            source = try container.decodeIfPresent(String.self, forKey: .source)
        }

        enum CodingKeys: String, CodingKey { case abandonAfterWorkingDays, procedures, sweepMinutes, source }
    }

    public static let defaultAbandonAfterWorkingDays = 20

    init(_ file: File?) {
        abandonAfterWorkingDays = file?.abandonAfterWorkingDays ?? Self.defaultAbandonAfterWorkingDays
        procedures = file?.procedures ?? [:]
        sweepMinutes = file?.sweepMinutes ?? 60
    }

    public init(abandonAfterWorkingDays: Int?, procedures: [String: Int] = [:], sweepMinutes: Double = 60) {
        self.abandonAfterWorkingDays = abandonAfterWorkingDays
        self.procedures = procedures
        self.sweepMinutes = sweepMinutes
    }

    /// The working days after which a dossier of `procedureCode` is abandoned; nil: never.
    public func abandonAfter(procedureCode: String) -> Int? {
        procedures[procedureCode] ?? abandonAfterWorkingDays
    }

    func check(file main: String) throws(CalendarError) {
        for (key, days) in [("supplementation.abandonAfterWorkingDays", abandonAfterWorkingDays)] + procedures.map({ ("supplementation.procedures.\($0.key)", Optional($0.value)) })
        where days.map({ !(1...365).contains($0) }) ?? false {
            throw .invalidConfiguration(file: main, key: key, reason: "must be between 1 and 365 working days")
        }
        guard sweepMinutes > 0, sweepMinutes <= 1440 else {
            throw .invalidConfiguration(file: main, key: "supplementation.sweepMinutes", reason: "must be above 0 and at most 1440")
        }
    }
}

import Foundation
import MotCuaCore

/// The shape of generated demo data: how dossiers arrive (channels, online levels), what
/// happens to them (pauses, refusals, withdrawals, fees) and how results go back (post).
/// Shares are probabilities 0…1, applied where the procedure allows the option.
public struct DemoProfile: Sendable, Hashable, Codable {
    public var id: String
    public var description: String
    /// Of dossiers whose procedure is offered online: filed online.
    public var online: Double
    /// Of online dossiers whose procedure is at level 4: filed at level 4.
    public var level4: Double
    /// Of desk-or-post dossiers whose procedure allows it: carried in by the post office.
    public var postalIntake: Double
    /// Of dossiers whose procedure allows it: result returned by post.
    public var postalReturn: Double
    public var supplementation: Double
    public var withdrawal: Double
    public var refusal: Double
    /// Of dossiers: asked for a fee; of those filed at level 4, paid online.
    public var fee: Double
    /// Of returned dossiers: rated; of the rated: rated poorly (1–2).
    public var rating: Double
    public var poorRating: Double
    /// How slow the steps are: the mean share of the procedure's term between two steps (five
    /// steps at 0.15 take three quarters of the term on average; some run late).
    public var pace: Double
    /// The dates the dossiers are filed between; nil: the `days` before now.
    public var from: LocalDate?
    public var to: LocalDate?
    public var days: Int = 90

    public static let standard = DemoProfile(
        id: "standard", description: "Ba tháng gần đây: gần một nửa hồ sơ của thủ tục có dịch vụ trực tuyến được nộp trực tuyến, BCCI vừa phải.",
        online: 0.45, level4: 0.5, postalIntake: 0.08, postalReturn: 0.25, supplementation: 0.08, withdrawal: 0.02,
        refusal: 0.02, fee: 0.3, rating: 0.4, poorRating: 0.08, pace: 0.15, from: nil, to: nil)

    /// Checks a profile read from `Seeds/demo-profiles.json`; the reasons name the field.
    public func problems() -> [String] {
        var found: [String] = []
        let shares: [(String, Double)] = [
            ("online", online), ("level4", level4), ("postalIntake", postalIntake), ("postalReturn", postalReturn),
            ("supplementation", supplementation), ("withdrawal", withdrawal), ("refusal", refusal), ("fee", fee),
            ("rating", rating), ("poorRating", poorRating),
        ]
        for (name, value) in shares where !(value.isFinite && (0...1).contains(value)) {
            found.append("\(name): \(value) is a share and must lie in 0…1")
        }
        if !(pace.isFinite && pace > 0 && pace <= 2) { found.append("pace: must be above 0 and at most 2") }
        if days < 1 { found.append("days: must be at least 1") }
        if let from, let to, to < from { found.append("to: before from") }
        if id.isEmpty { found.append("id: is empty") }
        return found
    }
}

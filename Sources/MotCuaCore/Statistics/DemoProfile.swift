import Foundation

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
        id: "standard", description: "Một năm gần đây: khoảng một phần ba hồ sơ trực tuyến, BCCI vừa phải.",
        online: 0.45, level4: 0.5, postalIntake: 0.08, postalReturn: 0.25, supplementation: 0.08, withdrawal: 0.02,
        refusal: 0.02, fee: 0.3, rating: 0.4, poorRating: 0.08, pace: 0.15, from: nil, to: nil)

    /// Shaped like the Hà Tĩnh report on 2015–2018 (shared/seeds/004): online dossiers under
    /// 10%, and the post office returning about ten times as many results as it carried in
    /// dossiers (428,452 against 43,010).
    public static let haTinh2015to2018 = DemoProfile(
        id: "ha-tinh-2015-2018",
        description: "Như báo cáo Hà Tĩnh 2015–2018: hồ sơ trực tuyến dưới 10%, trả kết quả qua BCCI gấp khoảng 10 lần tiếp nhận qua BCCI.",
        online: 0.09, level4: 0.2, postalIntake: 0.02, postalReturn: 0.3, supplementation: 0.1, withdrawal: 0.02,
        refusal: 0.02, fee: 0.3, rating: 0.1, poorRating: 0.1, pace: 0.18,
        from: LocalDate(year: 2015, month: 1, day: 1), to: LocalDate(year: 2018, month: 12, day: 31))

    public static let presets: [DemoProfile] = [.standard, .haTinh2015to2018]

    public static func preset(_ id: String) -> DemoProfile? { presets.first { $0.id == id } }
}

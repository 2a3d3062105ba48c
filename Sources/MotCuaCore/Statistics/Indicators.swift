import Foundation

/// The figures the directives and the national service index (QĐ 766/QĐ-TTg, 2022) ask for,
/// each computed from the dossiers of a period (and the catalogue for the procedure share).
public enum Indicator: String, CaseIterable, Codable, Sendable {
    /// Procedures offered online at level 3 or 4 ÷ all procedures.
    case onlineProcedureShare
    /// Dossiers first received in the period: at level 3, at level 4, online (3 or 4) ÷ all.
    case level3DossierShare, level4DossierShare, onlineDossierShare
    /// Dossiers received through BCCI ÷ dossiers received; results returned through BCCI ÷ results returned.
    case postalReceivedShare, postalReturnedShare
    /// (Resolved early or on time + pending within term) ÷ dossiers handled.
    case onTimeRate
    /// Dossiers resolved late or pending past their due time.
    case overdueDossiers
    /// Working days from receipt to result, net of pauses, over the results of the period.
    case averageProcessingDays
    /// Dossiers paid online ÷ dossiers with a fee.
    case onlinePaymentRate
    /// Results with digitised documents and an electronic result ÷ results.
    case digitisationRate
    /// 100% − (% overdue + % rated poorly), over dossiers handled.
    case satisfaction
    /// Dossiers handled in the software ÷ dossiers handled: every dossier MotCua counts was
    /// received, processed and closed in it, so this is 100% whenever there are dossiers.
    case softwareManagedShare
    /// Dossiers first received in the period that another agency's desk of the province took
    /// in (filed anywhere in the province, NĐ 118/2025/NĐ-CP) ÷ all first received.
    case acrossBoundariesShare

    public enum Unit: String, Sendable, Codable {
        case ratio, count, days
    }

    public var unit: Unit {
        switch self {
        case .overdueDossiers: .count
        case .averageProcessingDays: .days
        default: .ratio
        }
    }

    public var vietnameseName: String {
        switch self {
        case .onlineProcedureShare: "Tỷ lệ TTHC cung cấp trực tuyến mức độ 3, 4"
        case .level3DossierShare: "Tỷ lệ hồ sơ trực tuyến mức độ 3"
        case .level4DossierShare: "Tỷ lệ hồ sơ trực tuyến mức độ 4"
        case .onlineDossierShare: "Tỷ lệ hồ sơ trực tuyến"
        case .postalReceivedShare: "Tỷ lệ hồ sơ tiếp nhận qua BCCI"
        case .postalReturnedShare: "Tỷ lệ kết quả trả qua BCCI"
        case .onTimeRate: "Tỷ lệ hồ sơ đúng hạn"
        case .overdueDossiers: "Số hồ sơ quá hạn"
        case .averageProcessingDays: "Thời gian giải quyết trung bình (ngày làm việc)"
        case .onlinePaymentRate: "Tỷ lệ thanh toán trực tuyến"
        case .digitisationRate: "Tỷ lệ số hóa hồ sơ, kết quả"
        case .satisfaction: "Mức độ hài lòng"
        case .softwareManagedShare: "Tỷ lệ hồ sơ quản lý trên phần mềm"
        case .acrossBoundariesShare: "Tỷ lệ hồ sơ tiếp nhận không phụ thuộc địa giới hành chính"
        }
    }

    public var englishName: String {
        switch self {
        case .onlineProcedureShare: "Procedures online at level 3/4"
        case .level3DossierShare: "Dossiers at level 3"
        case .level4DossierShare: "Dossiers at level 4"
        case .onlineDossierShare: "Online dossiers"
        case .postalReceivedShare: "Dossiers received by post"
        case .postalReturnedShare: "Results returned by post"
        case .onTimeRate: "On-time rate"
        case .overdueDossiers: "Overdue dossiers"
        case .averageProcessingDays: "Average processing time (working days)"
        case .onlinePaymentRate: "Online payment rate"
        case .digitisationRate: "Digitisation rate"
        case .satisfaction: "Satisfaction"
        case .softwareManagedShare: "Dossiers managed in the software"
        case .acrossBoundariesShare: "Dossiers received across boundaries"
        }
    }
}

/// One indicator's value, with what it was computed from. `value` is nil when the denominator
/// is zero (nothing to measure), never a made-up 0 or 100%.
public struct IndicatorValue: Hashable, Sendable, Codable {
    public var indicator: Indicator
    public var value: Double?
    public var numerator: Double
    public var denominator: Double

    public init(indicator: Indicator, numerator: Double, denominator: Double) {
        self.indicator = indicator
        self.numerator = numerator
        self.denominator = denominator
        // A count is its numerator (out of the dossiers handled); a share or an average needs a denominator.
        value = denominator > 0 ? (indicator.unit == .count ? numerator : numerator / denominator) : nil
    }

    init(indicator: Indicator, value: Double?, numerator: Double, denominator: Double) {
        self.indicator = indicator
        self.value = value
        self.numerator = numerator
        self.denominator = denominator
    }
}

extension Tally {
    /// Every indicator for this tally; `procedures` is (offered at level 3/4, all) from the catalogue.
    public func indicators(procedures: (online: Int, total: Int), workingDaySeconds: Int64 = 8 * 3600) -> [IndicatorValue] {
        let handled = Double(received.total)
        let overdue = Double(resolved.late + pending.overdue)
        return Indicator.allCases.map { indicator in
            switch indicator {
            case .onlineProcedureShare:
                IndicatorValue(indicator: indicator, numerator: Double(procedures.online), denominator: Double(procedures.total))
            case .level3DossierShare:
                IndicatorValue(indicator: indicator, numerator: Double(counts.level3), denominator: Double(counts.fresh))
            case .level4DossierShare:
                IndicatorValue(indicator: indicator, numerator: Double(counts.level4), denominator: Double(counts.fresh))
            case .onlineDossierShare:
                IndicatorValue(indicator: indicator, numerator: Double(counts.level3 + counts.level4), denominator: Double(counts.fresh))
            case .postalReceivedShare:
                IndicatorValue(indicator: indicator, numerator: Double(counts.postal), denominator: Double(counts.fresh))
            case .postalReturnedShare:
                IndicatorValue(indicator: indicator, numerator: Double(counts.returnedByPost), denominator: Double(counts.returned))
            case .onTimeRate:
                IndicatorValue(
                    indicator: indicator, numerator: Double(resolved.early + resolved.onTime + pending.withinTerm), denominator: handled)
            case .overdueDossiers:
                IndicatorValue(indicator: indicator, numerator: overdue, denominator: handled)
            case .averageProcessingDays:
                IndicatorValue(
                    indicator: indicator, numerator: Double(counts.workingSeconds) / Double(workingDaySeconds),
                    denominator: Double(counts.finished))
            case .onlinePaymentRate:
                IndicatorValue(indicator: indicator, numerator: Double(counts.paidOnline), denominator: Double(counts.withFee))
            case .digitisationRate:
                IndicatorValue(indicator: indicator, numerator: Double(counts.digitised), denominator: Double(counts.finished))
            case .satisfaction:
                IndicatorValue(
                    indicator: indicator, value: handled > 0 ? max(0, 1 - (overdue + Double(counts.poorlyRated)) / handled) : nil,
                    numerator: handled - overdue - Double(counts.poorlyRated), denominator: handled)
            case .softwareManagedShare:
                IndicatorValue(indicator: indicator, numerator: handled, denominator: handled)
            case .acrossBoundariesShare:
                IndicatorValue(indicator: indicator, numerator: Double(counts.receivedElsewhere), denominator: Double(counts.fresh))
            }
        }
    }
}

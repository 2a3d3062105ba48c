import Foundation

/// A date of the Vietnamese lunisolar calendar (âm lịch).
public struct LunarDate: Hashable, Sendable, Codable, CustomStringConvertible {
    public var day: Int
    public var month: Int
    public var year: Int
    /// True for the intercalary (nhuận) month that repeats the number of the month before it.
    public var leap: Bool

    public init(day: Int, month: Int, year: Int, leap: Bool = false) {
        self.day = day
        self.month = month
        self.year = year
        self.leap = leap
    }

    public var description: String { "\(day)/\(month)\(leap ? " (nhuận)" : "")/\(year)" }

    /// The sexagenary name of the lunar year, e.g. "Bính Ngọ" for 2026.
    public var yearName: String { LunarCalendar.sexagenaryName(ofYear: year) }

    /// The month's customary name: "tháng Giêng" for 1, "tháng Chạp" for 12.
    public var monthName: String {
        let base: String
        switch month {
        case 1: base = "tháng Giêng"
        case 12: base = "tháng Chạp"
        default: base = "tháng \(month)"
        }
        return leap ? base + " nhuận" : base
    }
}

/// The Vietnamese lunisolar calendar, computed astronomically for the meridian of UTC+7.
///
/// The rules are those of the traditional Chinese calendar, applied in Vietnam's time zone since
/// 1968 (the Hồ Ngọc Đức / Viện Vật lý formulation), which is why Tết 1985 and 2007 fall on
/// other days than in China:
/// 1. a month begins on the local day that contains the new moon;
/// 2. the eleventh month is the one that contains the December solstice;
/// 3. when 13 new moons separate two eleventh months, the first month of that span that contains
///    no principal solar term (a multiple of 30° of solar longitude) is the leap month and repeats
///    the number of the month before it.
///
/// Nothing is tabulated: every month start is derived from the ephemeris in `Astronomy`.
public enum LunarCalendar {
    /// Supported solar years. Outside this range ΔT and the short ephemeris are no longer
    /// trustworthy to the day, so conversions refuse instead of guessing.
    public static let supportedYears = 1900...2100
    /// Hours east of Greenwich of the meridian the calendar is reckoned on.
    public static let timeZoneHours = 7.0

    /// A lunar month as it falls in the solar calendar.
    public struct Month: Hashable, Sendable {
        public var number: Int
        public var leap: Bool
        public var lunarYear: Int
        public var firstDay: LocalDate
        public var length: Int
    }

    // MARK: Conversions

    /// Converts a solar date to the lunar calendar.
    public static func lunar(from date: LocalDate) throws(CalendarError) -> LunarDate {
        let y = date.year
        guard supportedYears.contains(y) else { throw .yearOutOfRange(y, supported: supportedYears) }
        var k = Int(floor((Double(date.julianDay) - lunationEpochDay) / Astronomy.synodicMonth))
        while newMoonDay(k + 1) <= date.julianDay { k += 1 }
        while newMoonDay(k) > date.julianDay { k -= 1 }
        let k11 = month11Lunation(ofSolarYear: y)
        let lunarYear = k >= k11 ? y + 1 : y
        let months = self.months(ofLunarYearContext: lunarYear)
        guard let month = months.first(where: { $0.lunation == k }) else {
            preconditionFailure("lunation \(k) outside its own year context")
        }
        return LunarDate(
            day: date.julianDay - newMoonDay(k) + 1,
            month: month.number,
            year: month.lunarYear,
            leap: month.leap
        )
    }

    /// Converts a lunar date to the solar calendar; throws when the date does not exist
    /// (a 30th in a 29-day month, a leap month that year does not have).
    public static func solar(from lunar: LunarDate) throws(CalendarError) -> LocalDate {
        guard (supportedYears.lowerBound - 1...supportedYears.upperBound).contains(lunar.year) else {
            throw .yearOutOfRange(lunar.year, supported: supportedYears)
        }
        guard (1...12).contains(lunar.month), (1...30).contains(lunar.day) else {
            throw .invalidLunarDate(lunar)
        }
        // Months 11 and 12 of lunar year Y open the context that runs up to month 11 of Y + 1.
        let context = lunar.month >= 11 ? lunar.year + 1 : lunar.year
        let months = self.months(ofLunarYearContext: context)
        guard let month = months.first(where: {
            $0.number == lunar.month && $0.leap == lunar.leap && $0.lunarYear == lunar.year
        }) else { throw .invalidLunarDate(lunar) }
        let start = newMoonDay(month.lunation)
        let length = newMoonDay(month.lunation + 1) - start
        guard lunar.day <= length else { throw .invalidLunarDate(lunar) }
        let result = LocalDate(julianDay: start + lunar.day - 1)
        guard supportedYears.contains(result.year) else {
            throw .yearOutOfRange(result.year, supported: supportedYears)
        }
        return result
    }

    /// Lunar New Year's Day (mùng 1 Tết) of the lunar year that begins in solar year `year`.
    public static func tet(_ year: Int) throws(CalendarError) -> LocalDate {
        try solar(from: LunarDate(day: 1, month: 1, year: year))
    }

    /// The leap month of lunar year `year`, if it has one.
    public static func leapMonth(ofLunarYear year: Int) -> Int? {
        (months(ofLunarYearContext: year) + months(ofLunarYearContext: year + 1))
            .first(where: { $0.leap && $0.lunarYear == year })?.number
    }

    /// The months of lunar year `year`, in order, with their solar first days.
    public static func months(ofLunarYear year: Int) throws(CalendarError) -> [Month] {
        guard supportedYears.contains(year) else { throw .yearOutOfRange(year, supported: supportedYears) }
        let all = months(ofLunarYearContext: year) + months(ofLunarYearContext: year + 1)
        return all.filter { $0.lunarYear == year }.map {
            Month(
                number: $0.number, leap: $0.leap, lunarYear: $0.lunarYear,
                firstDay: LocalDate(julianDay: newMoonDay($0.lunation)),
                length: newMoonDay($0.lunation + 1) - newMoonDay($0.lunation)
            )
        }
    }

    /// "Giáp Tý" … "Quý Hợi".
    public static func sexagenaryName(ofYear year: Int) -> String {
        let stems = ["Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý"]
        let branches = ["Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi", "Thân", "Dậu", "Tuất", "Hợi"]
        return "\(stems[((year + 6) % 10 + 10) % 10]) \(branches[((year + 8) % 12 + 12) % 12])"
    }

    // MARK: The astronomical core

    /// Day number of lunation 0's mean new moon, for first guesses of k.
    static let lunationEpochDay = Astronomy.lunationEpoch + 0.5

    /// The local (UTC+7) Julian Day Number of the day that contains new moon `k`.
    static func newMoonDay(_ k: Int) -> Int {
        Int(floor(Astronomy.newMoon(lunation: k) + 0.5 + timeZoneHours / 24))
    }

    /// Which 30° sector of solar longitude the Sun is in at local midnight starting day `jdn`.
    static func sunSector(atStartOfDay jdn: Int) -> Int {
        let midnightUT = Double(jdn) - 0.5 - timeZoneHours / 24
        return Int(Astronomy.sunLongitude(julianDate: midnightUT) / 30)
    }

    /// The lunation that starts the eleventh month, the one holding the December solstice of
    /// solar year `year`.
    static func month11Lunation(ofSolarYear year: Int) -> Int {
        let december31 = LocalDate(year: year, month: 12, day: 31)!.julianDay
        var k = Int(floor((Double(december31) - lunationEpochDay) / Astronomy.synodicMonth))
        while newMoonDay(k + 1) <= december31 { k += 1 }
        while newMoonDay(k) > december31 { k -= 1 }
        // The Sun already past 270° when that month began: the solstice was in the month before.
        return sunSector(atStartOfDay: newMoonDay(k)) >= 9 ? k - 1 : k
    }

    struct ContextMonth {
        var lunation: Int
        var number: Int
        var leap: Bool
        var lunarYear: Int
    }

    /// The months from the eleventh month of solar year `year - 1` up to (not including) the
    /// eleventh month of `year`: lunar 11 and 12 of `year - 1`, then 1 to 10 of `year`, with the
    /// leap month where rule 3 puts it.
    static func months(ofLunarYearContext year: Int) -> [ContextMonth] {
        let first = month11Lunation(ofSolarYear: year - 1)
        let next = month11Lunation(ofSolarYear: year)
        let count = next - first
        var leapIndex: Int?
        if count == 13 {
            var sector = sunSector(atStartOfDay: newMoonDay(first + 1))
            for j in 1...12 {
                let following = sunSector(atStartOfDay: newMoonDay(first + j + 1))
                if following == sector { leapIndex = j; break }
                sector = following
            }
        }
        var result: [ContextMonth] = []
        result.reserveCapacity(count)
        var number = 10
        var lunarYear = year - 1
        for j in 0..<count {
            let isLeap = j == leapIndex
            if !isLeap {
                number += 1
                if number == 13 { number = 1; lunarYear = year }
            }
            result.append(ContextMonth(lunation: first + j, number: number, leap: isLeap, lunarYear: lunarYear))
        }
        return result
    }
}

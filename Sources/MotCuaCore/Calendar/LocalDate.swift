/// A civil (proleptic Gregorian) date with no time zone: "the 17th of February 2026".
///
/// Stored as its Julian Day Number so that day arithmetic, comparisons and weekday lookups are
/// integer operations: the calendar computes millions of deadlines a second and never wants to
/// go through `Foundation.Calendar` on the hot path.
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Julian Day Number of this date (the day that begins at noon UTC of that civil date).
    public let julianDay: Int

    public init(julianDay: Int) {
        self.julianDay = julianDay
    }

    /// Creates a date, or returns `nil` when the day does not exist (30 February, month 13).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= LocalDate.daysIn(month: month, year: year) else {
            return nil
        }
        let a = (14 - month) / 12
        let y = year + 4800 - a
        let m = month + 12 * a - 3
        julianDay = day + (153 * m + 2) / 5 + 365 * y + y / 4 - y / 100 + y / 400 - 32045
    }

    /// Parses `yyyy-MM-dd`; returns `nil` for anything else, including impossible dates.
    public init?(iso string: some StringProtocol) {
        let parts = string.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var components: (year: Int, month: Int, day: Int) {
        let a = julianDay + 32044
        let b = (4 * a + 3) / 146097
        let c = a - 146097 * b / 4
        let d = (4 * c + 3) / 1461
        let e = c - 1461 * d / 4
        let m = (5 * e + 2) / 153
        let day = e - (153 * m + 2) / 5 + 1
        let month = m + 3 - 12 * (m / 10)
        let year = 100 * b + d - 4800 + m / 10
        return (year, month, day)
    }

    public var year: Int { components.year }
    public var month: Int { components.month }
    public var day: Int { components.day }

    /// ISO 8601 weekday: 1 = Monday … 7 = Sunday.
    public var weekday: Int { julianDay % 7 + 1 }

    /// Saturday or Sunday, the weekly rest days of the Labour Code (art. 111) for public bodies.
    public var isWeekend: Bool { weekday >= 6 }

    public func adding(days: Int) -> LocalDate { LocalDate(julianDay: julianDay + days) }

    public func days(to other: LocalDate) -> Int { other.julianDay - julianDay }

    /// `yyyy-MM-dd`.
    public var iso: String {
        let (y, m, d) = components
        return "\(LocalDate.pad(y, 4))-\(LocalDate.pad(m, 2))-\(LocalDate.pad(d, 2))"
    }

    /// `dd/MM/yyyy`, the way Vietnamese documents write dates.
    public var vietnamese: String {
        let (y, m, d) = components
        return "\(LocalDate.pad(d, 2))/\(LocalDate.pad(m, 2))/\(y)"
    }

    public var description: String { iso }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool { lhs.julianDay < rhs.julianDay }

    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

/// Vietnamese names of the ISO weekdays (1 = Monday).
public func vietnameseWeekdayName(_ isoWeekday: Int) -> String {
    ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"][isoWeekday - 1]
}

extension LocalDate: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = LocalDate(iso: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a date (yyyy-MM-dd)")
        }
        self = date
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso)
    }
}

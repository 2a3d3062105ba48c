/// A wall-clock time in Vietnam local time, to the minute: "07:30".
public struct TimeOfDay: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Minutes since local midnight, 0...1440 (24:00 is allowed as an end).
    public let minutes: Int

    public init?(minutes: Int) {
        guard (0...1440).contains(minutes) else { return nil }
        self.minutes = minutes
    }

    public init?(hour: Int, minute: Int) {
        guard (0...24).contains(hour), (0...59).contains(minute) else { return nil }
        self.init(minutes: hour * 60 + minute)
    }

    /// Parses `HH:mm`.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              let h = Int(parts[0]), let m = Int(parts[1]) else { return nil }
        self.init(hour: h, minute: m)
    }

    public var description: String { "\(LocalDate.pad(minutes / 60, 2)):\(LocalDate.pad(minutes % 60, 2))" }

    public static func < (lhs: TimeOfDay, rhs: TimeOfDay) -> Bool { lhs.minutes < rhs.minutes }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = TimeOfDay(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a time (HH:mm)")
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// One stretch of office hours within a day, e.g. the morning 07:30–11:30.
public struct WorkingPeriod: Hashable, Sendable, Codable {
    public var start: TimeOfDay
    public var end: TimeOfDay

    public init(start: TimeOfDay, end: TimeOfDay) {
        self.start = start
        self.end = end
    }

    public var minutes: Int { end.minutes - start.minutes }
}

/// The office hours of a desk through the week.
///
/// The national default *(practice)* is 07:30–11:30 and 13:00–17:00 from Monday to Friday; a
/// province or a single agency may set its own (a commune desk that also opens on Saturday
/// morning). Public holidays are national and apply to every schedule.
public struct WorkWeek: Hashable, Sendable {
    /// Periods for each ISO weekday, index 0 = Monday … 6 = Sunday.
    public private(set) var days: [[WorkingPeriod]]
    /// Periods worked on a weekend day that the government declares a working day (làm bù).
    public private(set) var makeUpDay: [WorkingPeriod]
    /// How many working hours make one working day when a term is given in days.
    public private(set) var hoursPerWorkingDay: Int

    public static let standardPeriods = [
        WorkingPeriod(start: TimeOfDay(hour: 7, minute: 30)!, end: TimeOfDay(hour: 11, minute: 30)!),
        WorkingPeriod(start: TimeOfDay(hour: 13, minute: 0)!, end: TimeOfDay(hour: 17, minute: 0)!),
    ]

    public static let standard = try! WorkWeek(
        days: Array(repeating: standardPeriods, count: 5) + [[], []],
        makeUpDay: standardPeriods,
        hoursPerWorkingDay: 8
    )

    /// Validates and builds a week. `label` names the configuration entry in errors.
    public init(
        days: [[WorkingPeriod]], makeUpDay: [WorkingPeriod], hoursPerWorkingDay: Int,
        file: String = "<built-in>", label: String = "workingHours"
    ) throws(CalendarError) {
        guard days.count == 7 else {
            throw .invalidConfiguration(file: file, key: label, reason: "needs periods for 7 weekdays")
        }
        guard (1...24).contains(hoursPerWorkingDay) else {
            throw .invalidConfiguration(
                file: file, key: "\(label).hoursPerWorkingDay", reason: "must be between 1 and 24")
        }
        let names = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        for (index, periods) in days.enumerated() {
            try WorkWeek.validate(periods, file: file, key: "\(label).\(names[index])")
        }
        try WorkWeek.validate(makeUpDay, file: file, key: "\(label).makeUpDay")
        guard days.contains(where: { !$0.isEmpty }) else {
            throw .invalidConfiguration(file: file, key: label, reason: "no day has working periods")
        }
        self.days = days
        self.makeUpDay = makeUpDay
        self.hoursPerWorkingDay = hoursPerWorkingDay
    }

    static func validate(_ periods: [WorkingPeriod], file: String, key: String) throws(CalendarError) {
        var previousEnd = -1
        for (index, period) in periods.enumerated() {
            guard period.start < period.end else {
                throw .invalidConfiguration(
                    file: file, key: "\(key)[\(index)]", reason: "starts at \(period.start), not before its end \(period.end)")
            }
            guard period.start.minutes >= previousEnd else {
                throw .invalidConfiguration(
                    file: file, key: "\(key)[\(index)]", reason: "overlaps or precedes the period before it")
            }
            previousEnd = period.end.minutes
        }
    }

    /// Periods worked on `date`, given what the national calendar makes of that day.
    func periods(on date: LocalDate, status: DayStatus) -> [WorkingPeriod] {
        switch status {
        case .off: return []
        case .regular: return days[date.weekday - 1]
        case .makeUp:
            let regular = days[date.weekday - 1]
            return regular.isEmpty ? makeUpDay : regular
        }
    }
}

/// What the national calendar makes of one date.
public enum DayStatus: Sendable, Equatable {
    /// A public holiday, a compensation day or a decided day off: nobody works.
    case off
    /// An ordinary day: the schedule's hours for that weekday apply (none on a usual weekend).
    case regular
    /// A weekend day declared a working day.
    case makeUp
}

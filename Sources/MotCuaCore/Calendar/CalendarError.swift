/// Everything the calendar refuses to answer rather than answer wrongly.
public enum CalendarError: Error, Equatable, Sendable, CustomStringConvertible {
    case yearOutOfRange(Int, supported: ClosedRange<Int>)
    case invalidLunarDate(LunarDate)
    case instantOutOfRange(String)
    /// A calendar file (or the configuration) is malformed or contradicts itself.
    case invalidConfiguration(file: String, key: String, reason: String)

    public var description: String {
        switch self {
        case let .yearOutOfRange(year, supported):
            return "year \(year) is outside the supported range \(supported.lowerBound)–\(supported.upperBound)"
        case let .invalidLunarDate(date):
            return "lunar date \(date) does not exist"
        case let .instantOutOfRange(what):
            return "\(what) is outside the years this calendar was built for"
        case let .invalidConfiguration(file, key, reason):
            return "\(file): \(key): \(reason)"
        }
    }

    /// The same message in Vietnamese, for officers and citizens.
    public var vietnameseDescription: String {
        switch self {
        case let .yearOutOfRange(year, supported):
            return "Năm \(year) nằm ngoài phạm vi hỗ trợ (\(supported.lowerBound)–\(supported.upperBound))."
        case let .invalidLunarDate(date):
            return "Ngày âm lịch \(date) không tồn tại."
        case let .instantOutOfRange(what):
            return "Thời điểm \(what) nằm ngoài các năm lịch làm việc đã nạp."
        case let .invalidConfiguration(file, key, reason):
            return "Tệp cấu hình \(file), mục \(key): \(reason)"
        }
    }
}

import Foundation
import MotCuaCore

/// Finds and reads the configuration directory (`Config/` by default).
///
/// Everything is validated when it loads, so that a bad file stops the program at start-up with
/// the file and the key named, never when the first dossier arrives.
public enum ConfigLoader {
    /// The environment variable that points at the configuration directory.
    public static let directoryVariable = "MOTCUA_CONFIG"

    /// The directory to read: `explicit` (a `--config` flag) first, then `$MOTCUA_CONFIG`, then
    /// `./Config`.
    public static func locateDirectory(
        explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) throws(CalendarError) -> URL {
        let candidate = explicit ?? environment[directoryVariable] ?? "Config"
        let url = URL(fileURLWithPath: candidate, relativeTo: URL(fileURLWithPath: currentDirectory, isDirectory: true))
            .standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .invalidConfiguration(
                file: url.path, key: "-",
                reason: "không có thư mục cấu hình ở đường dẫn này; dùng --config PATH hoặc đặt biến \(directoryVariable)")
        }
        return url
    }

    /// The main configuration file inside `directory`.
    public static func mainFile(in directory: URL) -> URL {
        directory.appendingPathComponent("motcua.json")
    }

    /// Reads `motcua.json` and every `calendars/YYYY.json`, and builds the working calendars.
    public static func loadCalendars(from directory: URL) throws(CalendarError) -> WorkCalendars {
        let main = mainFile(in: directory)
        let section = try decode(MainFile.self, from: main).calendar ?? CalendarSection()
        let years = section.years.map { $0.from...$0.to } ?? LunarCalendar.supportedYears
        guard years.lowerBound <= years.upperBound,
              LunarCalendar.supportedYears.contains(years.lowerBound),
              LunarCalendar.supportedYears.contains(years.upperBound) else {
            throw .invalidConfiguration(
                file: main.lastPathComponent, key: "calendar.years",
                reason: "must lie within \(LunarCalendar.supportedYears.lowerBound)–\(LunarCalendar.supportedYears.upperBound)")
        }
        let calendarsDirectory = directory.appendingPathComponent(section.directory ?? "calendars")
        let (decisions, files) = try loadDecisions(from: calendarsDirectory)

        var calendarYears: [CalendarYear] = []
        for year in years {
            calendarYears.append(try HolidayRules.calendarYear(year, decision: decisions[year], file: files[year] ?? "<built-in>"))
        }
        let file = main.lastPathComponent
        let standardWeek = try section.workingHours?.week(over: .standard, file: file, label: "calendar.workingHours") ?? .standard
        let standard = WorkCalendar(years: years, week: standardWeek, calendarYears: calendarYears)
        var byWeek: [WorkWeek: WorkCalendar] = [standardWeek: standard]
        var agencies: [String: WorkCalendar] = [:]
        for (agency, hours) in (section.agencyWorkingHours ?? [:]).sorted(by: { $0.key < $1.key }) {
            let week = try hours.week(over: standardWeek, file: file, label: "calendar.agencyWorkingHours.\(agency)")
            if let shared = byWeek[week] {
                agencies[agency] = shared
            } else {
                let calendar = WorkCalendar(years: years, week: week, calendarYears: calendarYears)
                byWeek[week] = calendar
                agencies[agency] = calendar
            }
        }
        return WorkCalendars(
            standard: standard, agencies: agencies,
            transferCutoff: section.transferCutoff ?? TimeOfDay(hour: 15, minute: 0)!)
    }

    /// Reads every `YYYY.json` in `directory` (which may be absent: then there are none).
    public static func loadDecisions(from directory: URL) throws(CalendarError) -> ([Int: YearDecision], [Int: String]) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            return ([:], [:])
        }
        var decisions: [Int: YearDecision] = [:]
        var files: [Int: String] = [:]
        for name in names.sorted() where name.hasSuffix(".json") {
            let label = "calendars/\(name)"
            guard let year = Int(name.dropLast(5)), name.count == 9 else {
                throw .invalidConfiguration(file: label, key: "-", reason: "calendar files are named YYYY.json")
            }
            let file = try decode(YearDecisionFile.self, from: directory.appendingPathComponent(name), label: label)
            decisions[year] = try file.decision(file: label, expectedYear: year)
            files[year] = label
        }
        return (decisions, files)
    }

    struct MainFile: Decodable {
        var calendar: CalendarSection?
    }

    /// Decodes a JSON file, turning every failure into an error that names the file and key.
    static func decode<T: Decodable>(_ type: T.Type, from url: URL, label: String? = nil) throws(CalendarError) -> T {
        let label = label ?? url.lastPathComponent
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .invalidConfiguration(file: label, key: "-", reason: "cannot be read (\(error.localizedDescription))")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            let (path, reason) = describe(error)
            throw .invalidConfiguration(file: label, key: path.isEmpty ? "-" : path, reason: reason)
        } catch {
            throw .invalidConfiguration(file: label, key: "-", reason: "\(error)")
        }
    }

    static func describe(_ error: DecodingError) -> (String, String) {
        func path(_ codingPath: [CodingKey]) -> String {
            var result = ""
            for key in codingPath {
                if let index = key.intValue {
                    result += "[\(index)]"
                } else {
                    result += result.isEmpty ? key.stringValue : ".\(key.stringValue)"
                }
            }
            return result
        }
        switch error {
        case let .keyNotFound(key, context):
            let parent = path(context.codingPath)
            return (parent.isEmpty ? key.stringValue : "\(parent).\(key.stringValue)", "is required")
        case let .typeMismatch(type, context):
            return (path(context.codingPath), "has the wrong type (expected \(type))")
        case let .valueNotFound(type, context):
            return (path(context.codingPath), "is null (expected \(type))")
        case let .dataCorrupted(context):
            let detail = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return (path(context.codingPath), context.codingPath.isEmpty ? "is not valid JSON\(detail.map { " (\($0))" } ?? "")" : context.debugDescription)
        @unknown default:
            return ("-", "\(error)")
        }
    }
}

import ArgumentParser
import Foundation
import MotCuaConfig
import MotCuaCore

/// `motcua`: the server, the officers' terminal client and the admin tools in one executable.
@main
struct MotCua: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "motcua",
        abstract: "MotCua – hệ thống một cửa: tiếp nhận, giải quyết và trả kết quả hồ sơ thủ tục hành chính.",
        discussion: """
            Mã thoát: 0 thành công; 64 sai cú pháp lệnh; 65 dữ liệu nhập không hợp lệ; \
            74 không mở được cơ sở dữ liệu; \
            78 cấu hình không hợp lệ; 1 lỗi khác.
            """,
        subcommands: [ServeCommand.self, MigrateCommand.self, SeedCommand.self, LunarCommand.self, CalendarCommand.self, DeadlineCommand.self]
    )

    /// Runs the command, turning the errors a person can fix into one plain Vietnamese sentence
    /// on standard error and a documented exit code, never a stack trace.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as UserError {
            FileHandle.standardError.write(Data("Lỗi: \(error.message)\n".utf8))
            if let hint = error.hint { FileHandle.standardError.write(Data("Gợi ý: \(hint)\n".utf8)) }
            Foundation.exit(error.exitCode)
        } catch {
            exit(withError: error)
        }
    }
}

/// Writes a line to standard output at once (unbuffered), so that logins and progress appear
/// immediately even when the output is a pipe or a file.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// A failure the person at the keyboard can understand and fix.
struct UserError: Error, CustomStringConvertible {
    var message: String
    var hint: String?
    var exitCode: Int32

    static func input(_ message: String, hint: String? = nil) -> UserError {
        UserError(message: message, hint: hint, exitCode: 65)
    }

    static func configuration(_ error: CalendarError) -> UserError {
        UserError(
            message: error.vietnameseDescription,
            hint: "Sửa tệp cấu hình, hoặc chỉ định thư mục khác bằng --config PATH.", exitCode: 78)
    }

    static func calendar(_ error: CalendarError) -> UserError {
        if case .invalidConfiguration = error { return configuration(error) }
        return input(error.vietnameseDescription)
    }

    var description: String { message }
}

/// `--config PATH` and `--json`, shared by the offline calendar commands.
struct CalendarOptions: ParsableArguments {
    @Option(name: .long, help: "Thư mục cấu hình (mặc định: $MOTCUA_CONFIG hoặc ./Config).")
    var config: String?

    @Option(name: .long, help: "Mã định danh cơ quan có giờ làm việc riêng.")
    var agency: String?

    func loadCalendar() throws -> WorkCalendar {
        do {
            let directory = try ConfigLoader.locateDirectory(explicit: config)
            let calendars = try ConfigLoader.loadCalendars(from: directory)
            return agency.map { calendars.calendar(forAgency: $0) } ?? calendars.standard
        } catch {
            throw UserError.configuration(error)
        }
    }
}

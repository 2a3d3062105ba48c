import ArgumentParser
import Foundation
import MotCuaConfig
import MotCuaCore
import MotCuaServer

/// `motcua`: the server, the officers' terminal client and the admin tools in one executable.
@main
struct MotCua: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "motcua",
            abstract: L(
                "MotCua – hệ thống một cửa: tiếp nhận, giải quyết và trả kết quả hồ sơ thủ tục hành chính.",
                "MotCua – one-stop desk case processing: intake, processing and return of administrative dossiers."),
            discussion: L(
                """
                Mã thoát: 0 thành công; 1 lỗi khác; 64 sai cú pháp lệnh; 65 dữ liệu nhập không hợp lệ hoặc thao tác bị từ chối; \
                66 không tìm thấy hồ sơ; 69 không kết nối được máy chủ; 73 không ghi được tệp; 74 không mở được cơ sở dữ liệu; \
                75 tạm thời bị từ chối (đăng nhập sai quá nhiều lần), thử lại sau; \
                77 chưa đăng nhập, hết phiên hoặc không có quyền; 78 cấu hình không hợp lệ. \
                Tiếng Anh: --lang en hoặc MOTCUA_LANG=en. Gợi ý lệnh cho shell: motcua --generate-completion-script bash|zsh|fish.
                """,
                """
                Exit codes: 0 success; 1 other error; 64 bad command line; 65 invalid input or refused action; 66 no such dossier; \
                69 server unreachable; 73 cannot write a file; 74 database cannot be opened; 75 refused for now (too many failed logins), try later; \
                77 not logged in, session expired or not allowed; \
                78 invalid configuration. Vietnamese is the default (--lang vi). Shell completion: motcua --generate-completion-script bash|zsh|fish.
                """),
            subcommands: [
                LoginCommand.self, LogoutCommand.self, WhoamiCommand.self, QueueCommand.self, ShowCommand.self, PrintCommand.self, BookCommand.self,
                IntakeCommand.self, ReceiveCommand.self, SupplementCommand.self, SupplementedCommand.self, RefuseCommand.self,
                TransferCommand.self, AssignCommand.self, SendCommand.self, ReceiveTransferCommand.self, FeeCommand.self,
                FeePaidCommand.self, ApproveCommand.self, ReadyCommand.self, ReturnCommand.self, ApologizeCommand.self,
                WithdrawCommand.self, StopCommand.self, PostalCommand.self, PortalCommand.self, DigestCommand.self, ReportCommand.self, TargetsCommand.self, AuditCommand.self,
                ServeCommand.self, MigrateCommand.self, MigrateStoreCommand.self, VerifyCommand.self, KeysCommand.self, BackupCommand.self, RestoreCommand.self, SeedCommand.self, LunarCommand.self, CalendarCommand.self, DeadlineCommand.self,
            ]
        )
    }

    /// Runs the command, turning the errors a person can fix into one plain Vietnamese sentence
    /// on standard error and a documented exit code, never a stack trace.
    static func main() async {
        do {
            // `--lang vi|en` may stand anywhere (it was read before parsing, see `Lang`).
            var arguments = Array(CommandLine.arguments.dropFirst())
            if let index = arguments.firstIndex(of: "--lang") {
                guard index + 1 < arguments.count, Lang(rawValue: arguments[index + 1]) != nil else {
                    throw UserError(message: L("--lang chỉ nhận vi hoặc en.", "--lang takes vi or en."), hint: nil, exitCode: 64)
                }
                arguments.removeSubrange(index...(index + 1))
            } else if let index = arguments.firstIndex(where: { $0.hasPrefix("--lang=") }) {
                guard Lang(rawValue: String(arguments[index].dropFirst(7))) != nil else {
                    throw UserError(message: L("--lang chỉ nhận vi hoặc en.", "--lang takes vi or en."), hint: nil, exitCode: 64)
                }
                arguments.remove(at: index)
            }
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as UserError {
            FileHandle.standardError.write(Data("\(L("Lỗi", "Error")): \(error.message)\n".utf8))
            if let hint = error.hint { FileHandle.standardError.write(Data("\(L("Gợi ý", "Hint")): \(hint)\n".utf8)) }
            Foundation.exit(error.exitCode)
        } catch where isArgumentParserError(error) {
            exit(withError: error)
        } catch {
            // A failure no command turned into a sentence: one line under the person's word for
            // it ("Lỗi:", where ArgumentParser would print "Error:" and its usage), with the
            // error's own description, exit 1 ("anything else").
            FileHandle.standardError.write(Data("\(L("Lỗi", "Error")): \(error)\n".utf8))
            Foundation.exit(1)
        }
    }

    /// What ArgumentParser prints itself: help, usage mistakes, a deliberate exit code.
    static func isArgumentParserError(_ error: any Error) -> Bool {
        error is ExitCode || error is CleanExit || error is ValidationError
            || String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
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

    /// A listener could not open its address: which address, why, and which setting to change.
    static func listen(_ error: ListenError) -> UserError {
        let why = switch error.reason {
        case .inUse: "địa chỉ này đang được một chương trình khác dùng (có thể là một MotCua khác)"
        case .notPermitted: "không có quyền dùng cổng này (cổng dưới 1024 cần quyền quản trị)"
        case .notThisMachine: "máy này không có địa chỉ đó"
        case let .other(reason): reason
        }
        return UserError(
            message: "Không mở được cổng nghe \(error.address): \(why).",
            hint: "Chọn địa chỉ khác bằng \(error.setting)" + (error.reason == .inUse ? ", hoặc dừng chương trình đang dùng nó." : "."),
            exitCode: 69)
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

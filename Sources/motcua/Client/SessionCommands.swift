import ArgumentParser
import Foundation
import MotCuaAPI

struct LoginCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "login",
            abstract: L("Đăng nhập máy chủ MotCua (mật khẩu không hiện khi gõ).", "Log in to a MotCua server (the password is not echoed)."))
    }

    @Option(name: .long, help: ArgumentHelp(L("Địa chỉ máy chủ (mặc định: lần trước, hoặc http://127.0.0.1:8080).", "Server URL (default: the last one, or http://127.0.0.1:8080).")))
    var server: String?

    @Option(name: .long, help: ArgumentHelp(L("Tên đăng nhập.", "User name.")))
    var username: String?

    @Flag(name: .customLong("password-stdin"), help: ArgumentHelp(L("Đọc mật khẩu từ đầu vào chuẩn (cho script).", "Read the password from standard input (scripts).")))
    var passwordFromStdin = false

    @OptionGroup var options: ClientOptions

    func run() async throws {
        let previous = StoredSession.load()
        let fallback = previous?.server ?? ProcessInfo.processInfo.environment["MOTCUA_SERVER"] ?? "http://127.0.0.1:8080"
        var address = server
        if address == nil {
            let typed = Terminal.ask(L("Máy chủ [\(fallback)]: ", "Server [\(fallback)]: "))?.trimmingCharacters(in: .whitespaces) ?? ""
            address = typed.isEmpty ? fallback : typed
        }
        guard let address, let url = URL(string: address), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw UserError.input(L("Địa chỉ máy chủ không hợp lệ: \(address ?? "")", "Invalid server URL: \(address ?? "")"), hint: "http://127.0.0.1:8080")
        }
        var name = username
        if name == nil {
            let last = previous?.username
            let typed = Terminal.ask(L("Tên đăng nhập", "User name") + (last.map { " [\($0)]" } ?? "") + ": ")?.trimmingCharacters(in: .whitespaces) ?? ""
            name = typed.isEmpty ? last : typed
        }
        guard let name, !name.isEmpty else { throw UserError.input(L("Chưa nhập tên đăng nhập.", "No user name given.")) }
        let password = passwordFromStdin ? readLine(strippingNewline: true) : Terminal.askSecret(L("Mật khẩu: ", "Password: "))
        guard let password, !password.isEmpty else { throw UserError.input(L("Chưa nhập mật khẩu.", "No password given.")) }

        let client = APIClient(server: url, token: nil)
        let reply: APIClient.Reply
        do {
            reply = try await client.send("POST", "/api/v1/auth/login", encodable: LoginRequest(username: name, password: password))
        } catch let error as UserError where error.exitCode == 77 {
            throw UserError(message: L("Sai tên đăng nhập hoặc mật khẩu.", "Wrong user name or password."), hint: nil, exitCode: 77)
        }
        let answer = try reply.decoded(LoginResponse.self, server: url)
        try StoredSession(server: url.absoluteString, username: name, token: answer.token, expiresAt: answer.expiresAt).save()
        let officer = answer.officer
        if options.json { return printJSON(try WireJSON.encode(officer)) }
        say(L("Đã đăng nhập: \(officer.name) (\(officer.role.rawValue)), cơ quan \(officer.agencyID). Phiên hết hạn lúc \(shortTime(answer.expiresAt)).",
              "Logged in: \(officer.name) (\(officer.role.rawValue)), agency \(officer.agencyID). The session expires at \(shortTime(answer.expiresAt))."))
    }
}

struct LogoutCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "logout", abstract: L("Đăng xuất và xoá phiên trên máy này.", "Log out and forget the session on this machine."))
    }

    @OptionGroup var options: ClientOptions

    func run() async throws {
        if let client = try? APIClient.fromSession() {
            _ = try? await client.send("POST", "/api/v1/auth/logout", encodable: EmptyRequest())
        }
        StoredSession.remove()
        say(L("Đã đăng xuất.", "Logged out."))
    }
}

struct WhoamiCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "whoami", abstract: L("Cho biết bạn đang đăng nhập với tài khoản nào.", "Show who you are logged in as."))
    }

    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try APIClient.fromSession()
        let reply = try await client.send("GET", "/api/v1/me")
        if options.json { return printJSON(reply.body) }
        let me = try reply.decoded(OfficerView.self, server: client.server)
        say("\(me.name) (\(me.username)) – \(me.role.rawValue) – \(me.agencyID) – \(client.server.absoluteString)")
    }
}

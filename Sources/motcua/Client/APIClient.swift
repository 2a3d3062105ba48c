import Foundation
import MotCuaAPI
import MotCuaClient
import MotCuaCore
import MotCuaJSON

/// The officer API for the terminal client: `MotCuaClient`'s typed client, with its failures
/// turned into one plain sentence with a hint and a documented exit code.
struct APIClient {
    let client: OfficerClient

    var server: URL { client.server }

    init(server: URL, token: String?) {
        client = OfficerClient(server: server, token: token)
    }

    /// The client of the stored session; a clear message when there is none or it has expired.
    static func fromSession() throws -> APIClient {
        guard let session = StoredSession.load(), let url = URL(string: session.server) else {
            throw UserError(message: L("Bạn chưa đăng nhập.", "You are not logged in."), hint: L("Hãy chạy: motcua login", "Run: motcua login"), exitCode: 77)
        }
        guard session.expiresAt > Date() else {
            throw UserError(
                message: L("Phiên đăng nhập đã hết hạn.", "Your session has expired."),
                hint: L("Hãy đăng nhập lại: motcua login", "Log in again: motcua login"), exitCode: 77)
        }
        return APIClient(server: url, token: session.token)
    }

    typealias Reply = OfficerClient.Reply

    /// One typed call; its failure as the user reads it.
    func call<T>(_ operation: (OfficerClient) async throws -> T) async throws -> T {
        do {
            return try await operation(client)
        } catch let error as OfficerClientError {
            throw Self.failure(error, server: server)
        }
    }

    func send(_ method: String, _ path: String, encodable: some Encodable) async throws -> Reply {
        try await call { try await $0.send(method, path, body: try WireJSON.encode(encodable), contentType: "application/json") }
    }

    /// Sends a multipart/form-data body: text fields and one file.
    func upload(_ path: String, fields: [String: String], file: (field: String, url: URL)) async throws -> Reply {
        try await upload(path, fields: fields.sorted { $0.key < $1.key }.map { ($0.key, "text/plain; charset=utf-8", Data($0.value.utf8)) }, files: [file])
    }

    /// Sends a multipart/form-data body: fields (name, content type, bytes), then files, each
    /// read from disk (a file that cannot be read is named, and nothing is sent).
    func upload(_ path: String, fields: [(name: String, type: String, data: Data)], files: [(field: String, url: URL)]) async throws -> Reply {
        let boundary = "motcua-\(UUID().uuidString)"
        var body = Data()
        for field in fields {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field.name)\"\r\nContent-Type: \(field.type)\r\n\r\n".utf8))
            body.append(field.data)
            body.append(Data("\r\n".utf8))
        }
        for file in files {
            guard let data = FileManager.default.contents(atPath: file.url.path) else {
                throw UserError.input(L("Không đọc được tệp \(file.url.path).", "Cannot read \(file.url.path)."))
            }
            let filename = file.url.lastPathComponent.replacingOccurrences(of: "\"", with: "")
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8))
            body.append(data)
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        return try await send("POST", path, body: body, contentType: "multipart/form-data; boundary=\(boundary)")
    }

    func send(_ method: String, _ path: String, body: Data? = nil, contentType: String? = nil) async throws -> Reply {
        try await call { try await $0.send(method, path, body: body, contentType: contentType) }
    }

    /// The sentence and exit code for a failure.
    static func failure(_ error: OfficerClientError, server: URL) -> UserError {
        switch error {
        case .unreachable:
            return UserError(
                message: L("Không kết nối được máy chủ \(server.absoluteString).", "Cannot reach the server \(server.absoluteString)."),
                hint: L("Kiểm tra máy chủ đang chạy và địa chỉ (motcua login --server URL).", "Check that the server runs and its address (motcua login --server URL)."),
                exitCode: 69)
        case let .timedOut(_, seconds):
            return UserError(
                message: L("Máy chủ \(server.absoluteString) không trả lời sau \(Int(seconds)) giây.",
                           "The server \(server.absoluteString) did not answer within \(Int(seconds)) seconds."),
                hint: L("Thử lại sau; nếu vẫn vậy, báo quản trị viên kiểm tra máy chủ.", "Try again later; if it persists, ask the administrator to check the server."),
                exitCode: 69)
        case .unexpectedShape:
            return UserError(
                message: L("Máy chủ trả lời không đúng định dạng.", "The server's answer has an unexpected shape."),
                hint: L("Kiểm tra phiên bản máy chủ và motcua có khớp nhau.", "Check that the server and motcua are the same version."), exitCode: 1)
        case let .invalidPath(path):
            return UserError.input(L("Địa chỉ không hợp lệ: \(path)", "Invalid address: \(path)"))
        case let .problem(status, problem):
            var message = problem.detail ?? problem.title ?? "HTTP \(status)"
            if let errors = problem.errors, errors.count > 1 {
                message = errors.map { "\($0.field): \($0.reason)" }.joined(separator: "; ")
            }
            switch status {
            case 401:
                return UserError(
                    message: L("Phiên đăng nhập đã hết hạn hoặc không hợp lệ.", "Your session has expired or is invalid."),
                    hint: L("Hãy đăng nhập lại: motcua login", "Log in again: motcua login"), exitCode: 77)
            case 403: return UserError(message: message, hint: L("Thao tác này cần vai trò khác.", "This needs another role."), exitCode: 77)
            case 404: return UserError(message: message, hint: L("Kiểm tra lại mã hồ sơ.", "Check the dossier code."), exitCode: 66)
            case 429: return UserError(message: message, hint: L("Đợi rồi thử lại.", "Wait, then try again."), exitCode: 75)
            case 500...: return UserError(message: message, hint: L("Lỗi ở máy chủ; thử lại sau.", "A server fault; try again later."), exitCode: 69)
            default: return UserError(message: message, hint: nil, exitCode: 65)
            }
        }
    }
}

extension OfficerClient.Reply {
    /// The body as `T`; an answer of another shape is the server's fault, said plainly.
    func decoded<T: Decodable>(_ type: T.Type, server: URL) throws -> T {
        do {
            return try decode(T.self)
        } catch let error as OfficerClientError {
            throw APIClient.failure(error, server: server)
        }
    }
}

/// `--json` and `--lang`, shared by the client commands.
struct ClientOptions: ParsableArguments {
    @Flag(name: .long, help: ArgumentHelp(L("In kết quả dạng JSON.", "Print JSON.")))
    var json = false

    @Option(name: .long, help: ArgumentHelp(L("Ngôn ngữ: vi (mặc định) hoặc en; hoặc MOTCUA_LANG.", "Language: vi (default) or en; or MOTCUA_LANG.")))
    var lang: String?

    func validate() throws {
        if let lang, Lang(rawValue: lang) == nil { throw ValidationError(L("--lang chỉ nhận vi hoặc en.", "--lang takes vi or en.")) }
    }
}

import ArgumentParser

/// Prints an API answer as JSON, as the server sent it (indented, in the server's key order);
/// anything that is not JSON as it came.
func printJSON(_ data: Data) {
    if (try? JSONDecoder().decode(JSONValue.self, from: data)) != nil {
        say(String(decoding: JSONWriter.indented(data), as: UTF8.self))
    } else {
        say(String(decoding: data, as: UTF8.self))
    }
}

/// "2026-03-03T08:00:00+07:00" → "08:00 03/03/2026".
func shortTime(_ iso: String?) -> String {
    guard let text = iso, text.count >= 16 else { return "—" }
    let day = text.prefix(10).split(separator: "-")
    return "\(text.dropFirst(11).prefix(5)) \(day[2])/\(day[1])/\(day[0])"
}

/// An instant in Vietnam time as `shortTime` writes it.
func shortTime(_ date: Date?) -> String {
    shortTime(date.map(WorkCalendar.format))
}

import ArgumentParser
import Crypto
import Foundation
import MotCuaAPI
import MotCuaCore
import MotCuaServer
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `motcua verify FILE`: checks a downloaded electronic result against its signature and the
/// agencies' published keys, on this machine (issue #20).
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Kiểm tra chữ ký số của một tệp kết quả điện tử đã tải về.",
        discussion: """
            Chữ ký là giá trị tiêu đề MotCua-Result-Signature của lần tải kết quả (--signature, hoặc tệp \
            --signature-file, mặc định TỆP.sig nếu có). Khóa công khai của các cơ quan lấy từ --keys (tệp JSON \
            của GET /api/v1/public/keys, để kiểm tra không cần mạng) hoặc từ máy chủ --server. \
            Mã thoát: 0 hợp lệ; 1 không hợp lệ (tệp bị sửa, chữ ký giả, khóa lạ); 65 thiếu hoặc sai dữ liệu vào; \
            69 không lấy được khóa từ máy chủ.
            """)

    @Argument(help: "Tệp kết quả đã tải về.") var file: String
    @Option(help: "Chữ ký (giá trị tiêu đề MotCua-Result-Signature).") var signature: String?
    @Option(name: .customLong("signature-file"), help: "Tệp chứa chữ ký (mặc định TỆP.sig).") var signatureFile: String?
    @Option(help: "Tệp JSON các khóa công khai đã công bố (GET /api/v1/public/keys).") var keys: String?
    @Option(help: "Máy chủ MotCua để lấy khóa công khai (mặc định: máy chủ của phiên đăng nhập, hoặc MOTCUA_SERVER).") var server: String?

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw UserError.input("Không đọc được tệp \(file).")
        }
        let sha256 = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        let token = try signatureToken()
        guard let signature = ResultSigning.signature(fromToken: token) else {
            throw UserError.input("Không đọc được chữ ký: phải là giá trị tiêu đề MotCua-Result-Signature của lần tải kết quả.")
        }
        let published = try await publishedKeys()
        if let problem = ResultSigning.check(signature, fileSHA256: sha256, keys: published) {
            say("KHÔNG HỢP LỆ: \(problem.vietnameseDescription)")
            say("Tệp: \(file) (SHA-256 \(sha256))")
            throw ExitCode(1)
        }
        say("HỢP LỆ: tệp được cơ quan \(signature.agencyID) ký số cho hồ sơ \(signature.dossierCode) lúc \(WorkCalendar.format(signature.signedAt)).")
        say("Khóa ký \(signature.keyID) (\(signature.algorithm)); SHA-256 của tệp \(sha256).")
    }

    func signatureToken() throws -> String {
        if let signature { return signature }
        let path = signatureFile ?? file + ".sig"
        guard let text = FileManager.default.contents(atPath: path).map({ String(decoding: $0, as: UTF8.self) }) else {
            throw UserError.input(
                signatureFile == nil ? "Chưa có chữ ký: ghi --signature hoặc --signature-file (không có \(path))." : "Không đọc được tệp chữ ký \(path).")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func publishedKeys() async throws -> [PublishedSigningKey] {
        if let keys {
            guard let data = FileManager.default.contents(atPath: keys),
                  let list = try? WireJSON.decoder.decode(PublishedSigningKeyList.self, from: data)
            else { throw UserError.input("Tệp \(keys) không phải danh sách khóa của GET /api/v1/public/keys.") }
            return list.keys
        }
        let base = server ?? ProcessInfo.processInfo.environment["MOTCUA_SERVER"] ?? StoredSession.load()?.server
        guard let base, let url = URL(string: base.hasSuffix("/") ? base + "api/v1/public/keys" : base + "/api/v1/public/keys") else {
            throw UserError.input("Chưa biết lấy khóa công khai ở đâu: ghi --keys TỆP hoặc --server URL.")
        }
        do {
            let (data, response) = try await URLSession.shared.exchange(URLRequest(url: url))
            guard response.statusCode == 200 else { throw URLError(.badServerResponse) }
            return try WireJSON.decoder.decode(PublishedSigningKeyList.self, from: data).keys
        } catch {
            throw UserError(message: "Không lấy được khóa công khai từ \(url.absoluteString).", hint: "Kiểm tra --server, hoặc dùng --keys TỆP.", exitCode: 69)
        }
    }
}

/// `motcua keys rotate --agency ID`: a new signing key for an agency; its older keys are retired
/// but stay published, so that what they signed stays verifiable.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Khóa ký số kết quả điện tử của các cơ quan.", subcommands: [Rotate.self, List.self])

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate",
            abstract: "Tạo khóa ký mới cho một cơ quan; các khóa cũ ngừng ký nhưng vẫn công bố để kiểm tra kết quả đã ký.")

        @OptionGroup var options: ServerOptions
        @Option(help: "Mã định danh của cơ quan.") var agency: String

        func run() async throws {
            let loaded = try options.load()
            guard loaded.catalogue.tree.agencies[agency] != nil else {
                throw UserError.input("Không có cơ quan \(agency) trong danh mục.")
            }
            guard loaded.configuration.signing.mode == .local else {
                throw UserError.input(
                    "Máy chủ này không giữ khóa ký (signing.mode = \(loaded.configuration.signing.mode.rawValue)).",
                    hint: "Khóa của dịch vụ ký từ xa được đổi tại dịch vụ đó.")
            }
            let store = try await options.openStore(loaded.configuration).store
            let signer = LocalResultSigner(directory: URL(fileURLWithPath: loaded.configuration.signingKeysPath), store: store)
            let keyID = try await signer.rotate(agencyID: agency, now: Date())
            say("Khóa ký mới của \(agency): \(keyID) (lưu tại \(loaded.configuration.signingKeysPath)/\(agency)/\(keyID).pem, quyền 0600).")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Các khóa công khai đã công bố.")

        @OptionGroup var options: ServerOptions
        @Option(help: "Chỉ khóa của cơ quan này.") var agency: String?

        func run() async throws {
            let loaded = try options.load()
            let store = try await options.openStore(loaded.configuration).store
            let keys = try await store.signingKeys(agencyID: agency)
            if keys.isEmpty { say("Chưa có khóa nào được công bố.") }
            for key in keys {
                let state = key.retiredAt.map { "ngừng ký từ \(WorkCalendar.format($0))" } ?? "đang ký"
                say("\(key.agencyID)  \(key.keyID)  \(key.algorithm)  tạo \(WorkCalendar.format(key.createdAt))  \(state)")
            }
        }
    }
}

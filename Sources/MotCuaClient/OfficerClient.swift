import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MotCuaAPI

/// The officer API over HTTP, typed: each operation sends `MotCuaAPI`'s request type and returns
/// its response type. Used by the `motcua` terminal client, which turns `OfficerClientError` into
/// a Vietnamese sentence and an exit code.
public struct OfficerClient: Sendable {
    public let server: URL
    public let token: String?
    public var timeout: TimeInterval = 30

    public init(server: URL, token: String?) {
        self.server = server
        self.token = token
    }

    /// A raw answer: status and body.
    public struct Reply: Sendable {
        public var status: Int
        public var body: Data

        /// The body as `T`, or `OfficerClientError.unexpectedShape`.
        public func decode<T: Decodable>(_ type: T.Type) throws -> T {
            do {
                return try WireJSON.decoder.decode(T.self, from: body)
            } catch {
                throw OfficerClientError.unexpectedShape("\(T.self): \(error)")
            }
        }
    }

    // MARK: operations

    public func login(username: String, password: String) async throws -> LoginResponse {
        try await post("/api/v1/auth/login", LoginRequest(username: username, password: password)).decode(LoginResponse.self)
    }

    public func me() async throws -> OfficerView {
        try await send("GET", "/api/v1/me").decode(OfficerView.self)
    }

    public func dossier(_ code: String) async throws -> DossierView {
        try await send("GET", "/api/v1/dossiers/\(Self.segment(code))").decode(DossierView.self)
    }

    /// A command on a dossier (`POST /api/v1/dossiers/{code}/{action}`): the dossier after it.
    public func command(_ code: String, _ action: String, _ body: some Encodable & Sendable) async throws -> DossierView {
        try await post("/api/v1/dossiers/\(Self.segment(code))/\(action)", body).decode(DossierView.self)
    }

    public func intake(_ request: IntakeRequest) async throws -> IntakeReceipt {
        try await post("/api/v1/dossiers", request).decode(IntakeReceipt.self)
    }

    public func procedure(_ code: String) async throws -> ProcedureView {
        try await send("GET", "/api/v1/procedures/\(Self.segment(code))").decode(ProcedureView.self)
    }

    public func procedures(matching text: String) async throws -> [ProcedureView] {
        let query = text.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? ""
        return try await send("GET", "/api/v1/procedures?q=\(query)").decode(Items<ProcedureView>.self).items
    }

    public func queueCounts() async throws -> QueueCounts {
        try await send("GET", "/api/v1/queues").decode(QueueCounts.self)
    }

    public func queue(_ name: String, limit: Int? = nil) async throws -> QueuePage {
        try await send("GET", "/api/v1/queues/\(Self.segment(name))" + (limit.map { "?limit=\($0)" } ?? "")).decode(QueuePage.self)
    }

    public func digest(limit: Int? = nil) async throws -> Digest {
        try await send("GET", "/api/v1/digest" + (limit.map { "?limit=\($0)" } ?? "")).decode(Digest.self)
    }

    /// `{"items": [...]}`, the shape of the API's plain lists.
    public struct Items<Item: Decodable & Sendable>: Decodable, Sendable {
        public var items: [Item]
    }

    // MARK: transport

    public func post(_ path: String, _ body: some Encodable) async throws -> Reply {
        try await send("POST", path, body: try WireJSON.encode(body), contentType: "application/json")
    }

    /// Any request; a 2xx answer, or `OfficerClientError.problem` with the server's problem.
    /// Every POST carries a fresh Idempotency-Key, so that a retry of it is safe.
    public func send(_ method: String, _ path: String, body: Data? = nil, contentType: String? = nil) async throws -> Reply {
        guard let url = URL(string: path, relativeTo: server) else { throw OfficerClientError.invalidPath(path) }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = timeout
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body, let contentType {
            request.httpBody = body
            request.setValue(contentType, forHTTPHeaderField: "Content-Type")
            if method == "POST" { request.setValue(UUID().uuidString, forHTTPHeaderField: "Idempotency-Key") }
        }
        let (data, response) = try await exchange(request)
        guard (200..<300).contains(response.statusCode) else {
            throw OfficerClientError.problem(
                status: response.statusCode, (try? WireJSON.decoder.decode(ProblemDocument.self, from: data)) ?? ProblemDocument())
        }
        return Reply(status: response.statusCode, body: data)
    }

    /// The request's answer, or the client's error for a failed transport. (A kept-alive
    /// connection that the server closed meanwhile is not a failure here: libcurl, under
    /// URLSession on Linux, sends the request again on a fresh connection when a reused one
    /// dies before any answer.)
    func exchange(_ request: URLRequest) async throws -> (Data, HTTPURLResponse) {
        do {
            return try await URLSession.shared.exchange(request)
        } catch let error as URLError where error.code == .timedOut {
            throw OfficerClientError.timedOut(server, seconds: timeout)
        } catch {
            throw OfficerClientError.unreachable(server, reason: Self.reason(error))
        }
    }

    /// The transport's failure in words, for logs and test failures ("URLError -1004" says little).
    static func reason(_ error: any Error) -> String {
        guard let error = error as? URLError else { return "\(error)" }
        switch error.code {
        case .cannotConnectToHost: return "connection refused"
        case .cannotFindHost, .dnsLookupFailed: return "host not found"
        case .networkConnectionLost: return "connection lost"
        case .notConnectedToInternet: return "no network"
        default: return "URL error \(error.code.rawValue)"
        }
    }

    /// A path segment with whatever a code may hold escaped.
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? text
    }
}

public enum OfficerClientError: Error, Sendable {
    /// No connection to the server (down, wrong address, network), with the transport's reason.
    case unreachable(URL, reason: String)
    /// Connected, or trying to, but no answer within the client's timeout.
    case timedOut(URL, seconds: TimeInterval)
    /// The server answered with an error: its status and problem.
    case problem(status: Int, ProblemDocument)
    /// A 2xx answer that is not the contract's shape.
    case unexpectedShape(String)
    case invalidPath(String)
}

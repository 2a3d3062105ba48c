import Foundation
import Hummingbird
import MotCuaCore
import MotCuaStore

/// An RFC 9457 problem details object, sent as `application/problem+json`.
public struct Problem: Error, Codable, Sendable, Equatable {
    /// A URI reference naming the problem type; `about:blank` for plain HTTP errors. Our own
    /// types are relative references under `/problems/`, served by the API.
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String?
    public var instance: String?
    /// Extension member: the fields at fault, each with the reason.
    public var errors: [FieldProblem]?
    /// Seconds for the `Retry-After` header (429, 409 in progress); not part of the body.
    public var retryAfter: Int?

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail, instance, errors
    }

    public init(type: String = "about:blank", title: String, status: Int, detail: String? = nil, errors: [FieldProblem]? = nil) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.errors = errors
    }

    /// The problem types this API defines, for `/problems/{name}`.
    static let catalogue: [String: (title: String, status: Int, explanation: String)] = [
        "validation": ("Dữ liệu không hợp lệ", 422, "One or more fields are missing or invalid; `errors` lists each field with the reason."),
        "malformed-json": ("Nội dung yêu cầu không phải JSON hợp lệ", 400, "The request body is not valid JSON."),
        "invalid-state": ("Thao tác không phù hợp với trạng thái hồ sơ", 409, "The dossier's current state does not allow this command."),
        "limit-reached": ("Thao tác chỉ được thực hiện một lần", 409, "A once-only step (supplementation, apology) was already taken."),
        "forbidden": ("Không có quyền thực hiện", 403, "The officer's role or agency does not allow this command."),
        "unauthenticated": ("Chưa đăng nhập hoặc phiên đã hết hạn", 401, "A valid bearer token is required; log in again."),
        "not-found": ("Không tìm thấy", 404, "No such resource is visible to you."),
        "too-large": ("Nội dung yêu cầu quá lớn", 413, "The request body exceeds the configured limit."),
        "file-too-large": ("Tệp đính kèm quá lớn", 413, "A file exceeds the per-file limit, or all files together exceed the per-request limit; `errors` names the part."),
        "unsupported-file-type": ("Loại tệp không được chấp nhận", 415, "A file is not a PDF, JPEG or PNG, judged by its content rather than its name; `errors` names the part."),
        "malformed-multipart": ("Nội dung multipart không hợp lệ", 400, "The body is not well-formed multipart/form-data."),
        "idempotency-key-reused": ("Idempotency-Key đã dùng cho yêu cầu khác", 422, "The Idempotency-Key was used before with a different request body."),
        "request-in-progress": ("Yêu cầu đang được xử lý", 409, "A request with the same Idempotency-Key is still running; retry after Retry-After seconds."),
        "rate-limited": ("Quá nhiều yêu cầu", 429, "Too many lookups from this client; retry after Retry-After seconds."),
        "login-throttled": (
            "Đăng nhập sai quá nhiều lần", 429,
            "Too many failed logins for this username or from this address; no password is checked until Retry-After seconds have passed."),
        "invalid-signature": ("Chữ ký không hợp lệ", 401, "The Standard Webhooks signature or timestamp is missing or wrong."),
        "unavailable": ("Dịch vụ chưa sẵn sàng", 503, "The feature is not configured on this server."),
        "storage-full": (
            "Máy chủ hết chỗ lưu trữ", 503,
            "The disk holding the database or the uploaded files is full; nothing was written. Retry after Retry-After seconds."),
        "database-unavailable": ("Cơ sở dữ liệu tạm thời không truy cập được", 503, "The database did not answer in time or went away; nothing was changed. Retry after Retry-After seconds."),
    ]

    static func typed(_ name: String, detail: String? = nil, errors: [FieldProblem]? = nil, retryAfter: Int? = nil) -> Problem {
        let entry = catalogue[name]!
        var problem = Problem(type: "/problems/\(name)", title: entry.title, status: entry.status, detail: detail, errors: errors)
        problem.retryAfter = retryAfter ?? (name == "request-in-progress" ? 1 : nil)
        return problem
    }

    static func validation(_ errors: [FieldProblem]) -> Problem {
        typed("validation", detail: errors.map(\.reason).joined(separator: " "), errors: errors)
    }

    static func validation(field: String, reason: String) -> Problem {
        validation([FieldProblem(field: field, reason: reason)])
    }

    static let notFound = typed("not-found", detail: "Không tìm thấy tài nguyên yêu cầu.")
    static var storageFull: Problem {
        typed("storage-full", detail: "Máy chủ hết chỗ lưu trữ; thao tác chưa được thực hiện, vui lòng thử lại sau.", retryAfter: 60)
    }

    /// Maps any error to the problem the client sees; unknown errors become a 500 without detail.
    static func from(_ error: any Error) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let domain as DomainError:
            switch domain {
            case .invalidState: return typed("invalid-state", detail: domain.vietnameseDescription)
            case .limitReached: return typed("limit-reached", detail: domain.vietnameseDescription)
            case .forbidden: return typed("forbidden", detail: domain.vietnameseDescription)
            case let .invalid(problems): return validation(problems)
            }
        case StoreError.notFound:
            return notFound
        case let StoreError.duplicate(what):
            return Problem(type: "/problems/validation", title: "Dữ liệu không hợp lệ", status: 409, detail: "Đã tồn tại: \(what).")
        case StoreError.unavailable, StoreError.conflict:
            return typed("database-unavailable", detail: "Cơ sở dữ liệu tạm thời không truy cập được; thao tác chưa được thực hiện, vui lòng thử lại.", retryAfter: 5)
        case StoreError.storageFull:
            return storageFull
        case let error as NSError where error.domain == NSPOSIXErrorDomain && [Int(ENOSPC), Int(EDQUOT)].contains(error.code):
            return storageFull
        case let error as POSIXError where error.code == .ENOSPC || error.code == .EDQUOT:
            return storageFull
        case StoreError.dailyCodeLimit:
            return Problem(title: "Service Unavailable", status: 503, detail: "Cơ quan đã dùng hết số hồ sơ trong ngày.")
        case let http as HTTPError:
            let status = Int(http.status.code)
            if status == 404 { return notFound }
            if status == 413 { return typed("too-large") }
            return Problem(title: http.status.reasonPhrase, status: status, detail: http.body)
        default:
            return Problem(title: "Internal Server Error", status: 500, detail: "Đã có lỗi trong hệ thống; thao tác chưa được thực hiện.")
        }
    }

    func response(instance: String, extraHeaders: HTTPFields = [:]) -> Response {
        var body = self
        body.instance = instance
        let data = (try? APIJSON.writer.encode(body)) ?? []
        var headers = extraHeaders
        headers[.contentType] = "application/problem+json"
        headers[.contentLength] = nil
        if status == 401 && type == "/problems/unauthenticated" { headers[.wwwAuthenticate] = "Bearer" }
        if let retryAfter { headers[.retryAfter] = "\(retryAfter)" }
        return Response(
            status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// The methods each route path answers, for `405 Method Not Allowed` with its `Allow` header.
/// Filled once the router is complete, read-only afterwards.
final class RouteTable: @unchecked Sendable {
    private(set) var routes: [(segments: [Substring], methods: [String])] = []

    func fill(_ descriptions: [(path: String, method: String)]) {
        var byPath: [String: [String]] = [:]
        for description in descriptions { byPath[description.path, default: []].append(description.method) }
        routes = byPath.map { (segments: $0.key.split(separator: "/"), methods: $0.value.sorted()) }
    }

    /// The methods allowed on `path`, if some route matches it with another method.
    func methods(for path: String) -> [String]? {
        let parts = path.split(separator: "/")
        for route in routes where route.segments.count == parts.count {
            let matches = zip(route.segments, parts).allSatisfy { pattern, part in pattern.hasPrefix("{") || pattern == part }
            if matches { return route.methods }
        }
        return nil
    }
}

/// Turns every error thrown below it into a problem response, and logs server faults.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            // Hummingbird answers 404 for a known path asked with another method: say 405.
            if let allowed = routes.methods(for: request.uri.path), !allowed.contains(request.method.rawValue) {
                let problem = Problem(title: "Method Not Allowed", status: 405, detail: "Phương thức \(request.method.rawValue) không được hỗ trợ ở đây; dùng \(allowed.joined(separator: ", ")).")
                return problem.response(instance: request.uri.path, extraHeaders: [.allow: allowed.joined(separator: ", ")])
            }
            return Problem.from(error).response(instance: request.uri.path)
        } catch {
            let problem = Problem.from(error)
            if problem.status >= 500 {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            }
            // Keep what the HTTP error said besides its body (Allow on a 405, for instance).
            return problem.response(instance: request.uri.path, extraHeaders: (error as? HTTPError)?.headers ?? [:])
        }
    }
}

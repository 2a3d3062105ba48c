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


    static func typed(_ kind: ProblemType, detail: String? = nil, errors: [FieldProblem]? = nil, retryAfter: Int? = nil) -> Problem {
        var problem = Problem(type: "/problems/\(kind.rawValue)", title: kind.title, status: kind.status, detail: detail, errors: errors)
        problem.retryAfter = retryAfter ?? (kind == .requestInProgress ? 1 : nil)
        return problem
    }

    static func validation(_ errors: [FieldProblem]) -> Problem {
        typed(.validation, detail: errors.map(\.reason).joined(separator: " "), errors: errors)
    }

    static func validation(field: String, reason: String) -> Problem {
        validation([FieldProblem(field: field, reason: reason)])
    }

    static let notFound = typed(.notFound, detail: "Không tìm thấy tài nguyên yêu cầu.")
    static var storageFull: Problem {
        typed(.storageFull, detail: "Máy chủ hết chỗ lưu trữ; thao tác chưa được thực hiện, vui lòng thử lại sau.", retryAfter: 60)
    }

    /// Maps any error to the problem the client sees; unknown errors become a 500 without detail.
    static func from(_ error: any Error) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let domain as DomainError:
            switch domain {
            case .invalidState: return typed(.invalidState, detail: domain.vietnameseDescription)
            case .limitReached: return typed(.limitReached, detail: domain.vietnameseDescription)
            case .forbidden: return typed(.forbidden, detail: domain.vietnameseDescription)
            case let .invalid(problems): return validation(problems)
            }
        case StoreError.notFound:
            return notFound
        case let StoreError.duplicate(what):
            return typed(.validation, detail: "Đã tồn tại: \(what).")
        case StoreError.unavailable, StoreError.conflict:
            return typed(.databaseUnavailable, detail: "Cơ sở dữ liệu tạm thời không truy cập được; thao tác chưa được thực hiện, vui lòng thử lại.", retryAfter: 5)
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
            if status == 413 { return typed(.tooLarge) }
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

/// The problem types this API defines, each with its status and title, served at
/// `/problems/{rawValue}`: a typo is a compile error, not a crash at run time.
enum ProblemType: String, CaseIterable, Sendable {
    case validation
    case malformedJSON = "malformed-json"
    case invalidState = "invalid-state"
    case limitReached = "limit-reached"
    case forbidden
    case unauthenticated
    case notFound = "not-found"
    case tooLarge = "too-large"
    case fileTooLarge = "file-too-large"
    case unsupportedFileType = "unsupported-file-type"
    case malformedMultipart = "malformed-multipart"
    case idempotencyKeyReused = "idempotency-key-reused"
    case requestInProgress = "request-in-progress"
    case rateLimited = "rate-limited"
    case loginThrottled = "login-throttled"
    case invalidSignature = "invalid-signature"
    case unavailable
    case storageFull = "storage-full"
    case databaseUnavailable = "database-unavailable"

    var title: String {
        switch self {
        case .validation: "Dữ liệu không hợp lệ"
        case .malformedJSON: "Nội dung yêu cầu không phải JSON hợp lệ"
        case .invalidState: "Thao tác không phù hợp với trạng thái hồ sơ"
        case .limitReached: "Thao tác chỉ được thực hiện một lần"
        case .forbidden: "Không có quyền thực hiện"
        case .unauthenticated: "Chưa đăng nhập hoặc phiên đã hết hạn"
        case .notFound: "Không tìm thấy"
        case .tooLarge: "Nội dung yêu cầu quá lớn"
        case .fileTooLarge: "Tệp đính kèm quá lớn"
        case .unsupportedFileType: "Loại tệp không được chấp nhận"
        case .malformedMultipart: "Nội dung multipart không hợp lệ"
        case .idempotencyKeyReused: "Idempotency-Key đã dùng cho yêu cầu khác"
        case .requestInProgress: "Yêu cầu đang được xử lý"
        case .rateLimited: "Quá nhiều yêu cầu"
        case .loginThrottled: "Đăng nhập sai quá nhiều lần"
        case .invalidSignature: "Chữ ký không hợp lệ"
        case .unavailable: "Dịch vụ chưa sẵn sàng"
        case .storageFull: "Máy chủ hết chỗ lưu trữ"
        case .databaseUnavailable: "Cơ sở dữ liệu tạm thời không truy cập được"
        }
    }

    var status: Int {
        switch self {
        case .validation: 422
        case .malformedJSON: 400
        case .invalidState: 409
        case .limitReached: 409
        case .forbidden: 403
        case .unauthenticated: 401
        case .notFound: 404
        case .tooLarge: 413
        case .fileTooLarge: 413
        case .unsupportedFileType: 415
        case .malformedMultipart: 400
        case .idempotencyKeyReused: 422
        case .requestInProgress: 409
        case .rateLimited: 429
        case .loginThrottled: 429
        case .invalidSignature: 401
        case .unavailable: 503
        case .storageFull: 503
        case .databaseUnavailable: 503
        }
    }

    /// What the problem means, for `/problems/{name}`.
    var explanation: String {
        switch self {
        case .validation: "One or more fields are missing or invalid; `errors` lists each field with the reason."
        case .malformedJSON: "The request body is not valid JSON."
        case .invalidState: "The dossier's current state does not allow this command."
        case .limitReached: "A once-only step (supplementation, apology) was already taken."
        case .forbidden: "The officer's role or agency does not allow this command."
        case .unauthenticated: "A valid bearer token is required; log in again."
        case .notFound: "No such resource is visible to you."
        case .tooLarge: "The request body exceeds the configured limit."
        case .fileTooLarge: "A file exceeds the per-file limit, or all files together exceed the per-request limit; `errors` names the part."
        case .unsupportedFileType: "A file is not a PDF, JPEG or PNG, judged by its content rather than its name; `errors` names the part."
        case .malformedMultipart: "The body is not well-formed multipart/form-data."
        case .idempotencyKeyReused: "The Idempotency-Key was used before with a different request body."
        case .requestInProgress: "A request with the same Idempotency-Key is still running; retry after Retry-After seconds."
        case .rateLimited: "Too many lookups from this client; retry after Retry-After seconds."
        case .loginThrottled: "Too many failed logins for this username or from this address; no password is checked until Retry-After seconds have passed."
        case .invalidSignature: "The Standard Webhooks signature or timestamp is missing or wrong."
        case .unavailable: "The feature is not configured on this server."
        case .storageFull: "The disk holding the database or the uploaded files is full; nothing was written. Retry after Retry-After seconds."
        case .databaseUnavailable: "The database did not answer in time or went away; nothing was changed. Retry after Retry-After seconds."
        }
    }
}

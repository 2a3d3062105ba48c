import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import MotCuaAPI

/// Headers every answer carries, so that a browser never reads a JSON answer or an uploaded
/// file as a page, never sends our URLs (which hold dossier codes) to another site, and runs
/// nothing in a printed form: `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`,
/// and a Content-Security-Policy that allows nothing, except, on the forms and the tracking book
/// (HTML), their inline style sheets by their hashes.
///
/// With `publicAPI.corsOrigins` (the national portal's page, say), the citizen API under
/// `/api/v1/public` also answers those origins' browsers (CORS), preflight included; any other
/// origin gets no CORS header, so its browser keeps the answer from its script.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let corsOrigins: Set<String>

    static let apiPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

    /// The forms' and the tracking book's style sheets, each allowed by its hash.
    static let formPolicy: String = {
        let hashes = [FormRenderer.styleSheet, TrackingBook.styleSheet].map {
            "'sha256-\(Data(SHA256.hash(data: Data($0.utf8))).base64EncodedString())'"
        }
        return "default-src 'none'; style-src \(hashes.joined(separator: " ")); img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    }()

    static let allowedMethods = "GET, POST"
    static let allowedHeaders = "Content-Type, Idempotency-Key, X-Access-Secret, X-API-Key"
    static let exposedHeaders = "Retry-After, Idempotent-Replayed, Location"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let origin = request.headers[.origin].flatMap { corsOrigins.contains($0) && isCitizenAPI(request) ? $0 : nil }
        if request.method == .options, let origin, request.headers[.accessControlRequestMethod] != nil {
            var response = Response(status: .noContent)
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlAllowMethods] = Self.allowedMethods
            response.headers[.accessControlAllowHeaders] = Self.allowedHeaders
            response.headers[.accessControlMaxAge] = "600"
            response.headers[.vary] = "Origin"
            decorate(&response)
            return response
        }
        var response = try await next(request, context)
        if let origin {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlExposeHeaders] = Self.exposedHeaders
            response.headers[values: .vary].append("Origin")
        }
        decorate(&response)
        return response
    }

    func isCitizenAPI(_ request: Request) -> Bool {
        request.uri.path.hasPrefix("/api/v1/public/")
    }

    func decorate(_ response: inout Response) {
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "no-referrer"
        let html = response.headers[.contentType]?.hasPrefix("text/html") == true
        response.headers[.contentSecurityPolicy] = html ? Self.formPolicy : Self.apiPolicy
    }
}

extension HTTPField.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
}

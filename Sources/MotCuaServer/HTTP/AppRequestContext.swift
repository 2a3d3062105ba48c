import Hummingbird
import MotCuaStore
import NIOCore

/// The request context: Hummingbird's core storage plus who is asking.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated officer (officer API).
    public var officer: Officer?
    /// The `Idempotency-Key` this request runs under, once claimed.
    public var idempotencyKey: IdempotencyKey?
    /// The peer, for per-client rate limits.
    public let remoteAddress: SocketAddress?
    /// The largest JSON body read (`limits.maxBodyBytes`, set by `BodyLimitMiddleware`); files
    /// have their own limits (`publicAPI.maxUploadBytes`).
    public var maxUploadSize: Int

    /// JSON bodies and answers as the API speaks them (`APIJSON`).
    public var requestDecoder: APIRequestDecoder { APIRequestDecoder() }
    public var responseEncoder: APIResponseEncoder { APIResponseEncoder() }

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        officer = nil
        idempotencyKey = nil
        remoteAddress = source.channel.remoteAddress
        maxUploadSize = 1_048_576
    }

    /// The officer, or a 401 problem.
    func requireOfficer() throws -> Officer {
        guard let officer else { throw Problem.typed(.unauthenticated, detail: "Vui lòng đăng nhập.") }
        return officer
    }

    /// The configured body limit, for every request.
    struct BodyLimitMiddleware: RouterMiddleware {
        let limit: Int

        func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
            var context = context
            context.maxUploadSize = limit
            return try await next(request, context)
        }
    }

    /// The peer's address without the port (the client's, unless a load balancer stands
    /// between: see `ClientAddress`).
    var peerAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}

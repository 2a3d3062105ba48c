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

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        officer = nil
        idempotencyKey = nil
        remoteAddress = source.channel.remoteAddress
    }

    /// The officer, or a 401 problem.
    func requireOfficer() throws -> Officer {
        guard let officer else { throw Problem.typed(.unauthenticated, detail: "Vui lòng đăng nhập.") }
        return officer
    }

    /// The peer's address without the port (the client's, unless a load balancer stands
    /// between: see `ClientAddress`).
    var peerAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}

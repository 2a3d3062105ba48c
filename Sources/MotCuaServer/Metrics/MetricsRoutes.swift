import Crypto
import Foundation
import Hummingbird
import MotCuaConfig
import NIOCore

/// `GET /metrics`, the Prometheus text exposition.
///
/// On the main listener it answers a client on the same machine (a loopback peer that no
/// balancer forwarded), or anyone with `Authorization: Bearer <metrics.token>`; to everyone else
/// it does not exist (404). With `metrics.port`, it moves to a listener of its own on
/// `metrics.host` (loopback by default), and the main listener does not serve it.
struct MetricsRoutes {
    let dependencies: AppDependencies
    /// Whether a peer on this listener may scrape without the token.
    let openTo: @Sendable (_ peer: String, _ forwarded: Bool) -> Bool

    /// The main listener's rule: loopback only, not through a balancer.
    static let loopbackOnly: @Sendable (String, Bool) -> Bool = { peer, forwarded in
        !forwarded && (IPNetwork("127.0.0.0/8")!.contains(peer) || peer == "::1")
    }

    func register<Context: RequestContext & RemoteAddressRequestContext>(on router: Router<Context>) {
        router.get("metrics") { request, context in
            try await scrape(request, peer: context.remoteAddress?.ipAddress ?? "")
        }
    }

    func scrape(_ request: Request, peer: String) async throws -> Response {
        let forwarded = request.headers[.xForwardedFor] != nil
        guard openTo(peer, forwarded) || hasToken(request) else { throw Problem.notFound }
        let bytes = try await dependencies.metrics.scrape(store: dependencies.store, now: dependencies.now())
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The configured token, compared in constant time (as digests of equal length).
    func hasToken(_ request: Request) -> Bool {
        guard let token = dependencies.configuration.metrics.token,
              let given = request.headers[.authorization].flatMap(Auth.bearerToken) else { return false }
        return SHA256.hash(data: Data(given.utf8)) == SHA256.hash(data: Data(token.utf8))
    }
}

/// Counts and times every request by its route template (`/api/v1/dossiers/{code}`, never the
/// code itself, so the series stay few), method and status.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: AppMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let began = ContinuousClock.now
        do {
            let response = try await next(request, context)
            metrics.request(route: route(context), method: request.method.rawValue, status: response.status.code, took: ContinuousClock.now - began)
            return response
        } catch {
            metrics.request(
                route: route(context), method: request.method.rawValue, status: Problem.from(error).status, took: ContinuousClock.now - began)
            throw error
        }
    }

    /// The matched route's template; `unmatched` for a path no route has (Hummingbird says
    /// "NotFound" or nothing), so that probes of random paths add no series.
    func route(_ context: Context) -> String {
        guard let path = context.endpointPath, path.hasPrefix("/") else { return "unmatched" }
        return path
    }
}

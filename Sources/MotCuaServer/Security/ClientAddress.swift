import Foundation
import HTTPTypes
import Hummingbird

/// The client's address: the peer's, or, when the peer is a load balancer listed in
/// `server.trustedProxies`, the last address in `X-Forwarded-For` that is not one of them (the
/// entries before it were written by the client and prove nothing). Login throttling and the
/// lookup rate limit count by this address, so behind a balancer that is not listed every
/// citizen and officer would share the balancer's address.
struct ClientAddress: Sendable {
    let trusted: Set<String>

    init(trustedProxies: [String]) {
        trusted = Set(trustedProxies)
    }

    func resolve(peer: String, forwardedFor: [String]) -> String {
        guard trusted.contains(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return hops.last { !trusted.contains($0) } ?? peer
    }

    func resolve(_ request: Request, context: AppRequestContext) -> String {
        resolve(peer: context.peerAddress, forwardedFor: request.headers[values: .xForwardedFor])
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}

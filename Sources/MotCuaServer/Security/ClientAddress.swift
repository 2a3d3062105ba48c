import Foundation
import HTTPTypes
import Hummingbird
import MotCuaAPI
import MotCuaConfig

/// The client's address: the peer's, or, when the peer is a load balancer listed in
/// `server.trustedProxies`, the last address in `X-Forwarded-For` that is not one of them (the
/// entries before it were written by the client and prove nothing). Login throttling and the
/// lookup rate limit count by this address, so behind a balancer that is not listed every
/// citizen and officer would share the balancer's address.
struct ClientAddress: Sendable {
    let trusted: [IPNetwork]

    /// `trustedProxies` as validated by the configuration (addresses or CIDR networks).
    init(trustedProxies: [String]) {
        trusted = trustedProxies.compactMap(IPNetwork.init)
    }

    func isTrusted(_ address: String) -> Bool {
        trusted.contains { $0.contains(address) }
    }

    func resolve(peer: String, forwardedFor: [String]) -> String {
        guard isTrusted(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return hops.last { !isTrusted($0) } ?? peer
    }

    func resolve(_ request: Request, context: AppRequestContext) -> String {
        resolve(peer: context.peerAddress, forwardedFor: request.headers[values: .xForwardedFor])
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}

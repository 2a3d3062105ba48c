import Foundation
import NIOCore
import ServiceLifecycle

/// An address a listener could not open, and why: bind's error, named. Without it an operator
/// read "bind(descriptor:ptr:bytes:): Address already in use (errno: 98)" and could not tell
/// which of the two listeners (the API's, the metrics') it was.
public struct ListenError: Error, CustomStringConvertible, Sendable {
    public enum Reason: Equatable, Sendable {
        /// Another program (or another MotCua) listens there.
        case inUse
        /// A port below 1024 without the right to it.
        case notPermitted
        /// The host is not one of this machine's addresses.
        case notThisMachine
        case other(String)
    }

    public var address: String
    /// The settings that chose the address, for the operator to change.
    public var setting: String
    public var reason: Reason

    public var description: String {
        switch reason {
        case .inUse: "cannot listen on \(address): the address is in use"
        case .notPermitted: "cannot listen on \(address): permission denied"
        case .notThisMachine: "cannot listen on \(address): not an address of this machine"
        case let .other(text): "cannot listen on \(address): \(text)"
        }
    }
}

/// Runs a listener (a Hummingbird application), turning a failure to open its address into a
/// `ListenError` that names the address.
public struct Listener<Inner: Service>: Service {
    let inner: Inner
    let address: String
    let setting: String

    public init(_ inner: Inner, address: String, setting: String) {
        self.inner = inner
        self.address = address
        self.setting = setting
    }

    public func run() async throws {
        do {
            try await inner.run()
        } catch let error as IOError where "\(error)".hasPrefix("bind(") {
            // NIO names the failing call only in the description; any other error passes as it was.
            let reason: ListenError.Reason = switch error.errnoCode {
            case EADDRINUSE: .inUse
            case EACCES, EPERM: .notPermitted
            case EADDRNOTAVAIL: .notThisMachine
            default: .other(String(cString: strerror(error.errnoCode)))
            }
            throw ListenError(address: address, setting: setting, reason: reason)
        }
    }
}

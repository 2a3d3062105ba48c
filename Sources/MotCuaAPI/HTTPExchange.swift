import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension URLSession {
    /// One request and its answer, for the background services that talk to partners.
    ///
    /// Not `data(for:)`: on Linux, cancelling the Swift task that awaits it cancels the transfer
    /// from under the task's status lock, while the session's queue may be resuming the same task
    /// (which needs that lock): the process then hangs for ever (seen in the tests, stopping the
    /// post office stand-in). Here cancellation does not reach the transfer, which ends within the
    /// session's timeout anyway.
    public func exchange(_ request: URLRequest) async throws -> (Data, HTTPURLResponse) {
        try await withCheckedThrowingContinuation { continuation in
            dataTask(with: request) { data, response, error in
                if let error { return continuation.resume(throwing: error) }
                guard let http = response as? HTTPURLResponse else { return continuation.resume(throwing: URLError(.badServerResponse)) }
                continuation.resume(returning: (data ?? Data(), http))
            }.resume()
        }
    }
}

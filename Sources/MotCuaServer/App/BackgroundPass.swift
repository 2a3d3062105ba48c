import Logging
import ServiceLifecycle

extension Logger {
    /// A background service's pass (a watch's sweep, housekeeping) failed. While the server
    /// stops, a pass cut short is expected: the service group cancels it mid-query, and an
    /// `error` line for every clean shutdown would teach operators to ignore error lines. So it
    /// is a `debug` line then, and an `error` otherwise.
    func passFailed(_ message: @autoclosure () -> Logger.Message, error: any Error) {
        let stopping = error is CancellationError || Task.isCancelled || Task.isShuttingDownGracefully
        log(level: stopping ? .debug : .error, message(), metadata: ["error": "\(error)"])
    }
}

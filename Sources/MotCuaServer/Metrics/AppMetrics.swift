import Foundation
import MotCuaStore
import Prometheus
import Synchronization

/// What an operator alerts on, in Prometheus's text format at `GET /metrics` (see
/// `docs/operations.md` for the alert rules). One registry per application, not the process-wide
/// `MetricsSystem`: the tests run several applications in one process.
///
/// Counters and histograms are updated as things happen (requests, intakes, commits, sweeps,
/// deliveries); the backlog of each outbox, the log's size and the process figures are read when
/// the metrics are scraped.
public final class AppMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let started = Date()
    /// Seconds, for request and commit latencies: 1 ms to 10 s.
    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    public init(version: String = AppMetrics.version) {
        gauge("motcua_build_info", "The running build (always 1).", [("version", version)]).set(1.0)
        gauge("process_start_time_seconds", "Start time of the process since the epoch, in seconds.").set(started.timeIntervalSince1970)
    }

    /// The build's version.
    public static let version = "0.2.0"

    // The registry hands back the same metric for the same name and labels.
    private func counter(_ name: String, _ help: String, _ labels: [(String, String)] = []) -> Counter {
        registry.makeCounter(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }

    private func gauge(_ name: String, _ help: String, _ labels: [(String, String)] = []) -> Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }

    private func durations(_ name: String, _ help: String, _ labels: [(String, String)] = []) -> DurationHistogram {
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels, buckets: Self.latencyBuckets)
    }

    // MARK: As things happen

    private struct RequestKey: Hashable {
        var route: String, method: String, status: Int
    }

    /// The request metrics by route, method and status, kept at hand: the registry validates the
    /// names and builds a key on every lookup, too much for every request.
    private let requestMetrics = Mutex<[RequestKey: (Counter, DurationHistogram)]>([:])

    func request(route: String, method: String, status: Int, took: Duration) {
        let key = RequestKey(route: route, method: method, status: status)
        let metrics = requestMetrics.withLock { $0[key] } ?? {
            let made = (
                counter(
                    "motcua_http_requests_total", "HTTP requests answered, by route template, method and status.",
                    [("route", route), ("method", method), ("status", "\(status)")]),
                durations(
                    "motcua_http_request_duration_seconds", "Time to answer an HTTP request, by route template and method.",
                    [("route", route), ("method", method)]))
            requestMetrics.withLock { $0[key] = made }
            return made
        }()
        metrics.0.increment()
        metrics.1.record(took)
    }

    func intake(channel: String) {
        counter("motcua_intakes_total", "Dossiers filed, by channel.", [("channel", channel)]).increment()
    }

    func commit(transactions: Int, took: Duration) {
        counter("motcua_store_commits_total", "SQLite group commits.").increment()
        counter("motcua_store_transactions_total", "Writes carried by SQLite's group commits.").increment(by: Int64(transactions))
        registry.makeValueHistogram(
            descriptor: MetricNameDescriptor(
                metricName: "motcua_store_transactions_per_commit", unitName: "", helpText: "Writes carried by one SQLite group commit."),
            labels: [], buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256]
        ).record(Double(transactions))
        durations("motcua_store_commit_duration_seconds", "Time of one SQLite group commit.").record(took)
    }

    func delivery(outbox: String, outcome: String) {
        counter(
            "motcua_outbox_attempts_total", "Delivery attempts, by outbox and outcome (delivered, retry, dead).",
            [("outbox", outbox), ("outcome", outcome)]
        ).increment()
    }

    func sweep(at: Date, took: Duration, crossings: [DossierAlert]) {
        gauge("motcua_watch_last_sweep_timestamp_seconds", "When the overdue watch last finished a sweep.").set(at.timeIntervalSince1970)
        gauge("motcua_watch_last_sweep_duration_seconds", "How long the last sweep of the overdue watch took.")
            .set(Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18)
        for (kind, alerts) in Dictionary(grouping: crossings, by: \.kind) {
            counter(
                "motcua_watch_crossings_total", "Thresholds crossed by running dossiers (near due, due today, overdue), as the watch records them.",
                [("kind", kind.rawValue)]
            ).increment(by: Int64(alerts.count))
        }
    }

    // MARK: When scraped

    /// The exposition, after reading the outboxes' backlog, the log's size and the process.
    func scrape(store: any DossierStore, now: Date) async throws -> [UInt8] {
        for summary in try await store.outboxSummaries() {
            let labels = [("outbox", summary.outbox)]
            gauge("motcua_outbox_pending", "Messages waiting in each outbox.", labels).set(Double(summary.pending))
            gauge("motcua_outbox_oldest_pending_age_seconds", "Age of the oldest message waiting in each outbox (0 when none waits).", labels)
                .set(summary.oldestPendingAt.map { max(0, now.timeIntervalSince($0)) } ?? 0)
            gauge("motcua_outbox_dead_letters", "Messages given up on, in each outbox.", labels).set(Double(summary.dead))
            // The alert while a partner is away: messages whose last attempt failed, retried
            // until their window (`retryHours`) ends.
            gauge("motcua_outbox_retrying", "Messages whose last attempt failed and that wait for a retry, in each outbox.", labels)
                .set(Double(summary.retrying))
        }
        if let calls = store.callsInFlight {
            gauge(
                "motcua_db_calls_in_flight", "Database calls running (PostgreSQL: each holds at most one pool connection; the pool has storage.postgresPoolSize)."
            ).set(Double(calls))
        }
        if let sqlite = store as? SQLiteStore {
            gauge("motcua_sqlite_wal_bytes", "Size of SQLite's write-ahead log.").set(Double(sqlite.logBytes))
        }
        let process = ProcessFigures.read()
        gauge("process_resident_memory_bytes", "Resident memory size in bytes.").set(Double(process.residentBytes))
        gauge("process_open_fds", "Number of open file descriptors.").set(Double(process.openFiles))
        gauge("motcua_uptime_seconds", "Seconds since the process started.").set(now.timeIntervalSince(started))
        return registry.emitToBuffer()
    }
}

/// The process's resident memory and open files, from `/proc` (zero where there is none).
struct ProcessFigures {
    var residentBytes: Int
    var openFiles: Int

    static func read() -> ProcessFigures {
        let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        let files = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        return ProcessFigures(residentBytes: pages * Int(sysconf(Int32(_SC_PAGESIZE))), openFiles: files)
    }
}

extension DeliveryOutcome {
    /// The `outcome` label of `motcua_outbox_attempts_total`.
    var label: String {
        switch self {
        case .delivered: "delivered"
        case .retry: "retry"
        case .dead: "dead"
        }
    }
}

import Foundation
import MotCuaConfig
import MotCuaCore
import MotCuaStore
import Testing
@testable import MotCuaServer

/// The exposition as Prometheus's own Python client reads it: `{name: [(labels, value)]}` for
/// every sample (histograms as their `_bucket`, `_count` and `_sum` samples).
func parseExposition(_ text: String) throws -> [String: [([String: String], Double)]] {
    let script = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        out = {}
        for family in text_string_to_metric_families(sys.stdin.read()):
            for s in family.samples:
                out.setdefault(s.name, []).append([s.labels, s.value])
        print(json.dumps(out))
        """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script]
    let input = Pipe(), output = Pipe(), errors = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    input.fileHandleForWriting.write(Data(text.utf8))
    try input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let problem = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw CocoaError(.coderReadCorrupt, userInfo: [NSDebugDescriptionErrorKey: "prometheus_client refused the exposition (pip install prometheus_client): \(problem)"])
    }
    let json = try JSONSerialization.jsonObject(with: data) as? [String: [[Any]]] ?? [:]
    return json.mapValues { samples in samples.map { ($0[0] as? [String: String] ?? [:], ($0[1] as? NSNumber)?.doubleValue ?? .nan) } }
}

@Suite("Prometheus metrics")
struct MetricsTests {
    @Test("GET /metrics: requests by route template, intakes by channel, commits, outboxes, watch, process; parsed by prometheus_client")
    func exposition() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk)
        var codes: [String] = []
        for index in 0..<3 {
            let filed = try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody(name: "Người \(index)"))
            #expect(filed.status == 201)
            codes += [filed.json["code"] as? String].compactMap { $0 }
        }
        let code = try #require(codes.first)
        #expect(try await server.request("GET", "/api/v1/dossiers/\(code)", token: desk).status == 200)
        #expect(try await server.request("GET", "/api/v1/dossiers/000.15.01.H42-260302-9999", token: desk).status == 404)
        let watch = OverdueWatch(store: server.store, interval: .seconds(60), now: { server.clock.now }, logger: server.dependencies.logger,
                                 metrics: server.dependencies.metrics)
        server.clock.advance(30 * 86_400)
        let crossings = try await watch.sweep()

        let answer = try await server.request("GET", "/metrics")
        #expect(answer.status == 200)
        #expect(answer.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        let samples = try parseExposition(answer.text)
        func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
            samples[name]?.first { sample in labels.allSatisfy { sample.0[$0.key] == $0.value } }?.1
        }
        #expect(value("motcua_intakes_total", ["channel": "desk"]) == 3)
        #expect(value("motcua_http_requests_total", ["route": "/api/v1/dossiers", "method": "POST", "status": "201"]) == 3)
        #expect(value("motcua_http_requests_total", ["route": "/api/v1/dossiers/{code}", "method": "GET", "status": "200"]) == 1)
        #expect(value("motcua_http_requests_total", ["route": "/api/v1/dossiers/{code}", "method": "GET", "status": "404"]) == 1)
        #expect(value("motcua_http_requests_total", ["route": "/api/v1/auth/login", "status": "201"]) == 1)
        #expect(value("motcua_http_request_duration_seconds_count", ["route": "/api/v1/dossiers", "method": "POST"]) == 3)
        #expect(samples.keys.allSatisfy { !$0.contains("H42-") }, "no dossier code in a metric name")
        #expect(try await server.request("GET", "/khong-co/\(code)").status == 404)
        let again = try parseExposition(try await server.request("GET", "/metrics").text)
        let routes = Set((again["motcua_http_requests_total"] ?? []).compactMap { $0.0["route"] })
        #expect(routes.contains("unmatched") && routes.allSatisfy { $0 == "unmatched" || $0.hasPrefix("/") } && !routes.contains { $0.contains(code) })
        #expect((value("motcua_store_commits_total") ?? 0) >= 1)
        #expect((value("motcua_store_transactions_total") ?? 0) >= 4)
        #expect(value("motcua_store_commit_duration_seconds_count") == value("motcua_store_commits_total"))
        #expect(value("motcua_outbox_pending", ["outbox": "notifications"]) != nil)
        #expect(value("motcua_outbox_dead_letters", ["outbox": "postal"]) == 0)
        #expect(value("motcua_outbox_retrying", ["outbox": "postal"]) == 0 && value("motcua_outbox_retrying", ["outbox": "notifications"]) != nil)
        #expect(value("motcua_watch_last_sweep_timestamp_seconds") == server.clock.now.timeIntervalSince1970)
        #expect(!crossings.isEmpty)
        #expect(value("motcua_watch_crossings_total", ["kind": "overdue"]) == Double(crossings.filter { $0.kind == .overdue }.count))
        #expect((value("motcua_sqlite_wal_bytes") ?? -1) >= 0)
        #expect((value("process_resident_memory_bytes") ?? 0) > 10_000_000)
        #expect((value("process_open_fds") ?? 0) > 3)
        #expect(value("motcua_build_info", ["version": AppMetrics.version]) == 1)
    }

    @Test("Through a balancer or from afar, /metrics is not there, unless the token is given")
    func access() async throws {
        let server = try await TestServer.start { $0.metrics.token = "metrics-token-0123456789" }
        defer { Task { await server.stop() } }
        #expect(try await server.request("GET", "/metrics").status == 200)
        let forwarded = try await server.request("GET", "/metrics", headers: ["X-Forwarded-For": "203.0.113.7"])
        #expect(forwarded.status == 404)
        #expect(forwarded.headers["content-type"]?.hasPrefix("application/problem+json") == true)
        #expect(try await server.request("GET", "/metrics", token: "wrong-token", headers: ["X-Forwarded-For": "203.0.113.7"]).status == 404)
        let allowed = try await server.request("GET", "/metrics", token: "metrics-token-0123456789", headers: ["X-Forwarded-For": "203.0.113.7"])
        #expect(allowed.status == 200 && allowed.text.contains("# TYPE motcua_http_requests_total counter"))
    }
}

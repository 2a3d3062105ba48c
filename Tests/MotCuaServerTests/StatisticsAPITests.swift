import Foundation
import MotCuaCore
import Testing
@testable import MotCuaServer

/// Reports, indicators and targets over the API, from dossiers moved through the real lifecycle.
@Suite("Statistics API", .serialized)
struct StatisticsAPITests {
    static func section(_ json: [String: Any], _ key: String) -> [String: Int] {
        ((json["total"] as? [String: Any])?[key] as? [String: Int]) ?? [:]
    }

    @Test("June and July 2026: three desk intakes (early, withdrawn, left overdue), by procedure, indicators, targets, bad input")
    func reportOverTheAPI() async throws {
        let server = try await TestServer.start(at: "2026-06-01T09:00:00+07:00")
        defer { Task { await server.stop() } }
        var desk = try await server.login(.desk)
        var codes: [String] = []
        for _ in 0..<3 {
            let filed = try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody(procedure: "2.001255"))
            codes.append(try #require(filed.json["code"] as? String))
        }
        let departments = try #require(try await server.store.agencies().first { $0.id == TestServer.agencyA }?.departments)
        server.at("2026-06-02T10:00:00+07:00")
        desk = try await server.login(.desk)
        let leader = try await server.login(.leader), handler = try await server.login(.handler)
        _ = try await server.request("POST", "/api/v1/dossiers/\(codes[0])/transfer", token: desk, json: ["departmentID": departments[0].id])
        let approved = try await server.request("POST", "/api/v1/dossiers/\(codes[0])/approve", token: leader, json: [:])
        #expect(approved.status == 200, "\(approved.text)")
        let ready = try await server.request("POST", "/api/v1/dossiers/\(codes[0])/ready", token: handler, json: [:])
        #expect(ready.status == 200, "\(ready.text)")
        let withdrawn = try await server.request("POST", "/api/v1/dossiers/\(codes[2])/withdraw", token: desk, json: ["reason": "Công dân xin rút"])
        #expect(withdrawn.status == 200, "\(withdrawn.text)")

        server.at("2026-07-01T08:00:00+07:00")
        let leaderInJuly = try await server.login(.leader)
        let june = try await server.request("GET", "/api/v1/reports?from=2026-06-01&to=2026-06-30&by=procedure", token: leaderInJuly)
        #expect(june.status == 200, "\(june.text)")
        #expect(Self.section(june.json, "received") == ["total": 3, "online": 0, "desk": 3, "postal": 0, "carriedOver": 0])
        #expect(Self.section(june.json, "resolved") == ["total": 2, "early": 1, "onTime": 1, "late": 0])
        #expect(Self.section(june.json, "pending") == ["total": 1, "withinTerm": 0, "overdue": 1])
        let rows = try #require(june.json["rows"] as? [[String: Any]])
        #expect(rows.count == 1 && rows.first?["key"] as? String == "2.001255")

        let july = try await server.request("GET", "/api/v1/reports?period=2026-07", token: leaderInJuly)
        #expect(Self.section(july.json, "received") == ["total": 1, "online": 0, "desk": 0, "postal": 0, "carriedOver": 1])
        #expect(Self.section(july.json, "pending") == ["total": 1, "withinTerm": 0, "overdue": 1])
        let byField = try await server.request("GET", "/api/v1/reports?period=2026-Q2&by=field", token: leaderInJuly)
        #expect((byField.json["rows"] as? [[String: Any]])?.count == 1 && byField.json["by"] as? String == "field")

        let indicators = try await server.request("GET", "/api/v1/indicators?period=2026-06", token: leaderInJuly)
        let values = Dictionary(uniqueKeysWithValues: ((indicators.json["items"] as? [[String: Any]]) ?? []).map { ($0["indicator"] as! String, $0) })
        #expect(values["onTimeRate"]?["value"] as? Double == 2.0 / 3)
        #expect(values["overdueDossiers"]?["value"] as? Double == 1)
        #expect(values["onlinePaymentRate"]?["value"] == nil || values["onlinePaymentRate"]?["value"] is NSNull)

        // Targets: the shipped directives bind former agencies; an administrator sees them all.
        let admin = try await server.login(.admin)
        let targets = try await server.request("GET", "/api/v1/targets", token: admin)
        let items = try #require(targets.json["items"] as? [[String: Any]])
        #expect(Set(items.compactMap { ($0["directive"] as? [String: Any])?["id"] as? String }) == ["ky-anh-30-ct-thu-2019", "doan-hung-2021"])
        let statuses = items.flatMap { ($0["targets"] as? [[String: Any]]) ?? [] }.compactMap { $0["status"] as? String }
        #expect(!statuses.isEmpty && statuses.allSatisfy { ["met", "notMet", "noData"].contains($0) })
        let doanHung = try await server.request("GET", "/api/v1/targets?directive=doan-hung-2021&period=2026-06&agency=\(TestServer.agencyA)", token: admin)
        let judged = ((doanHung.json["items"] as? [[String: Any]])?.first?["targets"] as? [[String: Any]]) ?? []
        let overdue = judged.first { $0["indicator"] as? String == "overdueDossiers" }
        #expect(overdue?["status"] as? String == "notMet" && overdue?["value"] as? Double == 1 && overdue?["gap"] as? Double == 1)

        // Bad input is a problem naming the parameter; another agency's figures are not visible.
        let bad = try await server.request("GET", "/api/v1/reports?from=2026-06-31&to=2026-06-01", token: leaderInJuly)
        #expect(bad.status == 422 && bad.text.contains("\"from\""))
        let reversed = try await server.request("GET", "/api/v1/reports?from=2026-06-30&to=2026-06-01", token: leaderInJuly)
        #expect(reversed.status == 422 && reversed.text.contains("period"))
        #expect(try await server.request("GET", "/api/v1/reports?period=2026-Q5", token: leaderInJuly).status == 422)
        #expect(try await server.request("GET", "/api/v1/reports?period=2026&by=color", token: leaderInJuly).status == 422)
        #expect(try await server.request("GET", "/api/v1/reports?period=2026&agency=\(TestServer.agencyB)", token: leaderInJuly).status == 404)
        #expect(try await server.request("GET", "/api/v1/targets?directive=nope", token: admin).status == 404)
    }
}

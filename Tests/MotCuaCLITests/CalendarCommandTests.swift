import Foundation
import MotCuaTestSupport
import Testing

@Suite("Offline calendar commands")
struct CalendarCommandTests {
    @Test("motcua lunar prints the issue's JSON exactly")
    func lunarJSON() throws {
        let result = try motcua(["lunar", "2026-02-17", "--json"])
        #expect(result.status == 0)
        #expect(result.stdout == "{\"day\":1,\"month\":1,\"year\":2026,\"leap\":false}\n")
        let leap = try motcua(["lunar", "2025-07-25", "--json"])
        #expect(leap.stdout == "{\"day\":1,\"month\":6,\"year\":2025,\"leap\":true}\n")
    }

    @Test("motcua lunar without --json is a Vietnamese sentence; --to-solar converts back")
    func lunarText() throws {
        let text = try motcua(["lunar", "2026-02-17"])
        #expect(text.stdout.contains("ngày 1 tháng Giêng năm Bính Ngọ"))
        let back = try motcua(["lunar", "2025-06-01", "--to-solar", "--leap", "--json"])
        #expect(back.stdout == "{\"date\":\"2025-07-25\",\"weekday\":5}\n")
    }

    @Test("motcua calendar 2026 --json lists weekday days off and working weekend days")
    func calendarJSON() throws {
        let result = try motcua(["calendar", "2026", "--json"])
        #expect(result.status == 0)
        let object = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["year"] as? Int == 2026)
        let daysOff = try #require(object["daysOff"] as? [[String: String]])
        #expect(daysOff.first == ["date": "2026-01-01", "name": "Tết Dương lịch"])
        #expect(daysOff.contains(["date": "2026-02-16", "name": "Tết Nguyên đán"]))
        #expect(daysOff.map { $0["date"]! }.contains("2026-04-27"))
        let working = try #require(object["workingDays"] as? [[String: String]])
        #expect(working.map { $0["date"]! } == ["2026-01-10", "2026-08-22"])
        #expect(result.stdout.hasPrefix("{\"year\":2026,\"daysOff\":[{\"date\":\"2026-01-01\",\"name\":\"Tết Dương lịch\"}"))
    }

    @Test("motcua calendar without --json prints each month")
    func calendarText() throws {
        let result = try motcua(["calendar", "2026"])
        #expect(result.stdout.contains("Tháng 2/2026"))
        #expect(result.stdout.contains("16/02/2026 Thứ Hai: Tết Nguyên đán"))
        #expect(result.stdout.contains("Tháng 12/2026"))
    }

    @Test("motcua deadline across Tết 2026")
    func deadline() throws {
        let result = try motcua(["deadline", "--from", "2026-02-13T15:30:00+07:00", "--days", "5", "--json"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("{\"due\":\"2026-02-27T15:30:00+07:00\","))
        let hours = try motcua(["deadline", "--from", "2026-03-03T10:00:00+07:00", "--hours", "2", "--json"])
        #expect(hours.stdout.hasPrefix("{\"due\":\"2026-03-03T13:30:00+07:00\","))
        let text = try motcua(["deadline", "--from", "2026-02-13T15:30:00+07:00", "--days", "5"])
        #expect(text.stdout.contains("Hẹn trả:    Thứ Sáu 27/02/2026 15:30"))
        #expect(text.stdout.contains("Thứ Hai 16/02/2026: Tết Nguyên đán"))
    }

    @Test("Bad input gets one plain sentence and a documented exit code")
    func badInput() throws {
        let year = try motcua(["calendar", "1850"])
        #expect(year.status == 65)
        #expect(year.stderr.hasPrefix("Lỗi: Năm 1850 nằm ngoài phạm vi hỗ trợ (1900–2100)."))
        #expect(year.stdout.isEmpty)
        let date = try motcua(["lunar", "2026-02-30"])
        #expect(date.status == 65 && date.stderr.contains("không tồn tại"))
        let instant = try motcua(["deadline", "--from", "mai", "--days", "1"])
        #expect(instant.status == 65 && instant.stderr.contains("không phải là thời điểm hợp lệ"))
        let both = try motcua(["deadline", "--from", "2026-03-03T10:00", "--days", "1", "--hours", "2"])
        #expect(both.status == 64)
    }

    @Test("A broken calendar file stops the command, naming the file and key")
    func brokenConfig() throws {
        let root = TestScratch.path("motcua-cli")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("calendars"), withIntermediateDirectories: true)
        try "{}".write(to: root.appendingPathComponent("motcua.json"), atomically: true, encoding: .utf8)
        try #"{"year": 2026, "workingDays": [{"date": "2026-13-01", "name": "x"}]}"#
            .write(to: root.appendingPathComponent("calendars/2026.json"), atomically: true, encoding: .utf8)
        let result = try motcua(["calendar", "2026", "--config", root.path])
        #expect(result.status == 78)
        #expect(result.stderr.contains("calendars/2026.json"))
        #expect(result.stderr.contains("workingDays[0].date"))
        let viaEnvironment = try motcua(["deadline", "--from", "2026-03-03T10:00", "--days", "1"], environment: ["MOTCUA_CONFIG": root.path])
        #expect(viaEnvironment.status == 78)
    }
}

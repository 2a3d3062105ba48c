import Foundation
import MotCuaCore
import MotCuaDemo
import MotCuaTestSupport
import Testing
@testable import MotCuaConfig

/// The catalogue a province edits (`Seeds/agencies.json`, `Seeds/procedures.json`): loaded as
/// written, with departments from the level's template, and every mistake refused naming the
/// file, the entry and the key.
@Suite("Seed files")
struct SeedLoaderTests {
    static let levels = #"[{"code": "tinh", "name": "Tỉnh", "rank": 0}, {"code": "xa", "name": "Xã", "rank": 2}]"#

    func agencies(_ entries: String, templates: String = "{}") throws -> URL {
        let directory = TestScratch.path("motcua-seed-files")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("agencies.json")
        try #"{"levels": \#(Self.levels), "departmentTemplates": \#(templates), "agencies": [\#(entries)]}"#.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    static let province = #"{"id": "P", "name": "Ủy ban nhân dân tỉnh Hà Tĩnh", "level": "tinh", "validFrom": "2020-01-01"}"#

    @Test("Agencies load with their dates, parents and successors; a level's template gives departments to those without")
    func agenciesLoad() throws {
        let url = try agencies(Self.province + #"""
            , {"id": "X", "name": "UBND xã X", "level": "xa", "parent": "P", "validFrom": "2020-01-01", "validTo": "2025-06-30", "successor": "Y"}
            , {"id": "Y", "name": "UBND xã Y", "level": "xa", "parent": "P", "validFrom": "2025-07-01", "departments": [{"id": "VP", "name": "Văn phòng"}]}
            """#, templates: #"{"xa": [{"id": "TP", "name": "Tư pháp - Hộ tịch"}]}"#)
        let tree = try SeedLoader.loadAgencies(from: url)
        #expect(tree.agencies.count == 3)
        #expect(tree.agencies["X"]?.validTo == LocalDate(iso: "2025-06-30") && tree.agencies["X"]?.successorID == "Y")
        #expect(tree.agencies["X"]?.departments.map(\.id) == ["TP"], "from the template")
        #expect(tree.agencies["Y"]?.departments.map(\.id) == ["VP"], "its own list wins")
        #expect(tree.agencies["P"]?.illustrativeID == true, "unmarked identifiers are stand-ins")
        #expect(tree.heir(of: "X", on: LocalDate(iso: "2026-01-01")!) == "Y")
    }

    @Test("Each mistake names Seeds/agencies.json, the entry and the key", arguments: [
        (#", {"id": "X", "name": "x", "level": "xa", "parent": "P", "validFrom": "2020-13-01"}"#, "X", "validFrom: '2020-13-01' is not a date"),
        (#", {"id": "X", "name": "x", "level": "xa", "parent": "P", "validFrom": "2020-01-01", "validTo": "mai"}"#, "X", "validTo: 'mai' is not a date"),
        (#", {"id": "X", "name": "x", "level": "huyen", "parent": "P", "validFrom": "2020-01-01"}"#, "X", "level: 'huyen' is not a defined level"),
        (#", {"id": "X", "name": "x", "level": "xa", "parent": "Q", "validFrom": "2020-01-01"}"#, "X", "parent: 'Q' does not exist"),
        (#", {"id": "P", "name": "x", "level": "xa", "validFrom": "2020-01-01"}"#, "P", "id: defined twice"),
    ])
    func agencyMistakes(extra: String, entry: String, reason: String) throws {
        let url = try agencies(Self.province + extra)
        #expect(throws: SeedError(file: "Seeds/agencies.json", entry: entry, reason: reason)) { try SeedLoader.loadAgencies(from: url) }
    }

    @Test("A file that is not JSON, or misses a key, is refused naming the file")
    func malformed() throws {
        let directory = TestScratch.path("motcua-seed-malformed")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let broken = directory.appendingPathComponent("agencies.json")
        try "{\"levels\": [".write(to: broken, atomically: true, encoding: .utf8)
        do {
            _ = try SeedLoader.loadAgencies(from: broken)
            Issue.record("loaded")
        } catch {
            #expect(error.file == "Seeds/agencies.json" && !error.reason.isEmpty)
        }
        try #"{"levels": []}"#.write(to: broken, atomically: true, encoding: .utf8)
        do {
            _ = try SeedLoader.loadAgencies(from: broken)
            Issue.record("loaded without agencies")
        } catch {
            #expect(error.file == "Seeds/agencies.json" && (error.entry.contains("agencies") || error.reason.contains("agencies")), "\(error)")
        }
        #expect(throws: SeedError.self) { try SeedLoader.loadAgencies(from: directory.appendingPathComponent("none.json")) }
    }

    func procedures(_ entry: String) throws -> URL {
        let url = TestScratch.path("motcua-seed-procedures", suffix: ".json")
        try #"{"procedures": [\#(entry)]}"#.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    static func procedure(term: String = #"{"workingDays": 3}"#, code: String = "1.999999") -> String {
        #"{"code": "\#(code)", "name": "Thủ tục thử", "field": "Hộ tịch", "level": "xa", "term": \#(term), "fee": {"amount": 0, "text": "Miễn phí"}, "onlineLevel": 3, "postalIntake": true, "postalReturn": false, "documents": [{"name": "Tờ khai", "originals": 1, "copies": 0}], "source": "thử"}"#
    }

    @Test("Terms in each unit; a term of two units, or an unknown unit, refused; a code listed twice refused")
    func terms() throws {
        for (term, expected) in [(#"{"workingDays": 3}"#, Term.workingDays(3)), (#"{"workingHours": 8}"#, .workingHours(8)), (#"{"calendarDays": 30}"#, .calendarDays(30))] {
            let loaded = try SeedLoader.loadProcedures(from: try procedures(Self.procedure(term: term)), levels: ["xa"])
            #expect(loaded.first?.term == expected)
        }
        let twoUnits = try procedures(Self.procedure(term: #"{"workingDays": 3, "workingHours": 2}"#))
        let weeks = try procedures(Self.procedure(term: #"{"weeks": 2}"#))
        let twice = try procedures(Self.procedure() + "," + Self.procedure())
        do {
            _ = try SeedLoader.loadProcedures(from: twoUnits, levels: ["xa"])
            Issue.record("two units loaded")
        } catch {
            #expect(error.entry == "1.999999" && error.reason.contains("exactly one"))
        }
        do {
            _ = try SeedLoader.loadProcedures(from: weeks, levels: ["xa"])
            Issue.record("weeks loaded")
        } catch {
            #expect(error.reason == "term: unknown unit 'weeks'")
        }
        do {
            _ = try SeedLoader.loadProcedures(from: twice, levels: ["xa"])
            Issue.record("a code twice loaded")
        } catch {
            #expect(error.reason == "code: listed twice" && error.file.hasSuffix(".json"))
        }
    }

    @Test("The seed directory: the flag, then MOTCUA_SEEDS, then ./Seeds")
    func location() {
        #expect(SeedLoader.locateDirectory(explicit: "/x/seeds", environment: ["MOTCUA_SEEDS": "/y"]).path == "/x/seeds")
        #expect(SeedLoader.locateDirectory(explicit: nil, environment: ["MOTCUA_SEEDS": "/y"]).path == "/y")
        #expect(SeedLoader.locateDirectory(explicit: nil, environment: [:]).lastPathComponent == "Seeds")
    }
}

/// The demo presets (`motcua seed --demo N --preset ID`).
@Suite("Demo presets: loading")
struct DemoPresetLoadingTests {
    @Test("The shipped presets load, each valid, the standard one among them, ids unique")
    func shipped() throws {
        let profiles = try SeedLoader.loadDemoProfiles(from: repositoryConfig.deletingLastPathComponent().appendingPathComponent("Seeds"))
        #expect(profiles.contains { $0.id == "standard" })
        #expect(Set(profiles.map(\.id)).count == profiles.count)
        #expect(profiles.allSatisfy { $0.problems().isEmpty && !$0.description.isEmpty })
    }

    @Test("Without the file, the standard preset alone")
    func absent() throws {
        let directory = TestScratch.path("motcua-no-presets")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        #expect(try SeedLoader.loadDemoProfiles(from: directory) == [.standard])
    }

    @Test("A preset with a share out of range is refused naming it; a file that is not JSON names the file")
    func refused() throws {
        let directory = TestScratch.path("motcua-bad-presets")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("demo-profiles.json")
        var profile = try JSONSerialization.jsonObject(with: JSONEncoder().encode(DemoProfile.standard)) as? [String: Any] ?? [:]
        profile["id"] = "qua-nhieu"
        profile["online"] = 1.5
        try JSONSerialization.data(withJSONObject: ["profiles": [profile]]).write(to: file)
        #expect(throws: SeedError(file: "Seeds/demo-profiles.json", entry: "qua-nhieu", reason: "online: 1.5 is a share and must lie in 0…1")) {
            try SeedLoader.loadDemoProfiles(from: directory)
        }
        try "{ không phải JSON".write(to: file, atomically: true, encoding: .utf8)
        do {
            _ = try SeedLoader.loadDemoProfiles(from: directory)
            Issue.record("loaded")
        } catch {
            #expect(error.file == "Seeds/demo-profiles.json" && error.entry == "-")
        }
    }
}

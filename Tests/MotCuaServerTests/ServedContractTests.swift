import Foundation
import MotCuaConfig
import MotCuaCore
import MotCuaJSON
import Testing
@testable import MotCuaServer

/// `/openapi.json` as a deployment serves it: the bundled document with the catalogue written in
/// as enums where a request names an entry, everything else untouched.
@Suite("The served contract")
struct ServedContractTests {
    static let bundled = #"""
    {"openapi": "3.1.0", "info": {"title": "MotCua", "version": "1"},
     "components": {"schemas": {
       "IntakeRequest": {"type": "object", "properties": {
         "procedureCode": {"type": "string"},
         "competentAgencyID": {"type": ["string", "null"]},
         "returnAgencyID": {"type": ["string", "null"]}}},
       "SubmissionApplication": {"type": "object", "properties": {
         "procedureCode": {"type": "string"}, "agencyID": {"type": "string"}}},
       "Other": {"type": "integer", "minimum": 0, "maximum": 5}}},
     "paths": {}}
    """#

    func served(today: String = "2026-03-02") throws -> JSONValue {
        let catalogue = try SeedLoader.loadCatalogue(from: repository.appendingPathComponent("Seeds"))
        let data = try ServedContract.document(Data(Self.bundled.utf8), catalogue: catalogue, today: LocalDate(iso: today)!)
        return try JSONDecoder().decode(JSONValue.self, from: data)
    }

    func strings(_ value: JSONValue?) -> [String] {
        guard case let .array(items)? = value else { return [] }
        return items.compactMap { if case let .string(text) = $0 { text } else { nil } }
    }

    @Test("Procedure codes where a procedure is named; online ones only where citizens file; sorted")
    func procedures() throws {
        let catalogue = try SeedLoader.loadCatalogue(from: repository.appendingPathComponent("Seeds"))
        let document = try served()
        let intake = strings(document["components"]?["schemas"]?["IntakeRequest"]?["properties"]?["procedureCode"]?["enum"])
        #expect(intake == catalogue.procedures.map(\.code).sorted())
        let online = strings(document["components"]?["schemas"]?["SubmissionApplication"]?["properties"]?["procedureCode"]?["enum"])
        #expect(online == catalogue.procedures.filter { $0.onlineLevel >= 3 }.map(\.code).sorted())
        #expect(online.count < intake.count)
    }

    @Test("Agencies active on the day of start; a nullable field keeps null among its values")
    func agencies() throws {
        let catalogue = try SeedLoader.loadCatalogue(from: repository.appendingPathComponent("Seeds"))
        let today = LocalDate(iso: "2026-03-02")!
        let document = try served()
        let active = catalogue.tree.agencies.values.filter { $0.isActive(on: today) }.map(\.id).sorted()
        #expect(strings(document["components"]?["schemas"]?["SubmissionApplication"]?["properties"]?["agencyID"]?["enum"]) == active)
        guard case let .array(values)? = document["components"]?["schemas"]?["IntakeRequest"]?["properties"]?["competentAgencyID"]?["enum"] else {
            Issue.record("no enum on competentAgencyID")
            return
        }
        #expect(values.last == .null && values.count == active.count + 1)
        // Before July 2025 the districts were still there.
        let earlier = try served(today: "2025-03-03")
        let before = strings(earlier["components"]?["schemas"]?["SubmissionApplication"]?["properties"]?["agencyID"]?["enum"])
        #expect(Set(before) != Set(active))
    }

    @Test("What the catalogue does not touch stays as it was; places the document lacks are skipped")
    func untouched() throws {
        let document = try served()
        #expect(document["openapi"] == .string("3.1.0"))
        #expect(document["components"]?["schemas"]?["Other"] == .object(["type": .string("integer"), "minimum": .integer(0), "maximum": .integer(5)]))
        #expect(document["paths"] == .object([:]), "the paths ServedContract would edit are absent here: nothing is made up")
        // Not a JSON object at all: served as bundled.
        let catalogue = try SeedLoader.loadCatalogue(from: repository.appendingPathComponent("Seeds"))
        #expect(try ServedContract.document(Data("[1,2]".utf8), catalogue: catalogue, today: LocalDate(iso: "2026-03-02")!) == Data("[1,2]".utf8))
    }
}

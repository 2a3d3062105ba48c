import Foundation
import MotCuaCore
import Testing
@testable import MotCuaStore

/// How a search is planned (both backends run the same plan): which index drives it, when the
/// name's own count is the total, and the keys a name is found by.
@Suite("Search plans")
struct SearchPlanTests {
    let agency = "000.15.01.H42"

    @Test("A name is found from each of its words to its end")
    func keys() {
        #expect(nameKeys(folded: "nguyen van an") == ["an", "nguyen van an", "van an"])
        #expect(nameKeys(folded: "an") == ["an"])
        #expect(nameKeys(folded: "") == [])
        #expect(nameKeys(folded: "an an") == ["an", "an an"], "a repeated word gives one key")
        let long = Array(repeating: "nguyen", count: 30).joined(separator: " ")
        #expect(nameKeys(folded: long).allSatisfy { $0.unicodeScalars.count <= SearchPlan.maxKeyCharacters })
    }

    func plan(_ query: DossierQuery, nameCount: (rows: Int, matches: Int)? = nil) -> SearchPlan {
        SearchPlan(query, nameCount: nameCount, dataColumns: "d.data")
    }

    @Test("An exact key, or no agency, drives from the dossiers; a rare name from its keys; the rest from the agency's list")
    func drivers() {
        #expect(plan(DossierQuery(visibleToAgency: agency, idNumber: "042190000001")).driver == .dossiers)
        #expect(plan(DossierQuery(visibleToAgency: agency, phone: "0912345678")).driver == .dossiers)
        #expect(plan(DossierQuery(visibleToAgency: agency, code: "\(agency)-2603")).driver == .dossiers)
        var codes = DossierQuery(visibleToAgency: agency)
        codes.codes = ["\(agency)-260302-0001"]
        #expect(plan(codes).driver == .dossiers)
        #expect(plan(DossierQuery(visibleToAgency: nil)).driver == .dossiers)

        let name = DossierQuery(visibleToAgency: agency, name: "Nguyễn Minh Yến Tuyết")
        #expect(plan(name, nameCount: (rows: 3, matches: 1)).driver == .nameKeys)
        #expect(plan(name, nameCount: (rows: 90_000, matches: 30_000)).driver == .list, "a common name walks the list")
        #expect(plan(DossierQuery(visibleToAgency: agency)).driver == .list)
        #expect(plan(DossierQuery(visibleToAgency: agency, statuses: [.received])).driver == .list)
    }

    @Test("The name's count is the total when nothing else filters; it says 'more' past the bound")
    func decidedTotals() {
        let name = DossierQuery(visibleToAgency: agency, name: "van an")
        #expect(plan(name, nameCount: (rows: 12, matches: 9)).decidedTotal == 9)
        var bounded = name
        bounded.totalBound = 10
        #expect(plan(bounded, nameCount: (rows: 11, matches: 10)).decidedTotal == 11, "one past the bound")
        #expect(plan(DossierQuery(visibleToAgency: agency, name: "van an", statuses: [.received]), nameCount: (rows: 12, matches: 9)).decidedTotal == nil)
        #expect(plan(DossierQuery(visibleToAgency: agency, name: "van an", procedureCode: "1.001193"), nameCount: (rows: 12, matches: 9)).decidedTotal == nil)
        #expect(plan(DossierQuery(visibleToAgency: agency)).decidedTotal == nil)
    }

    @Test("The name's count is asked only for a name within an agency without an exact key")
    func nameCounts() throws {
        let counted = try #require(SearchPlan.nameCount(DossierQuery(visibleToAgency: agency, name: "Văn An")))
        #expect(counted.sql.contains("dossier_name_keys"))
        guard case let .text(first) = counted.values[0], case let .text(low) = counted.values[1] else { Issue.record("values"); return }
        #expect(first == agency && low == "van an", "the name is folded before it is looked up")
        #expect(SearchPlan.nameCount(DossierQuery(visibleToAgency: nil, name: "van an")) == nil)
        #expect(SearchPlan.nameCount(DossierQuery(visibleToAgency: agency, name: "van an", idNumber: "042190000001")) == nil)
        #expect(SearchPlan.nameCount(DossierQuery(visibleToAgency: agency)) == nil)
        #expect(try #require(SearchPlan.nameCount(DossierQuery(visibleToAgency: agency, name: "an"), collation: " COLLATE \"C\"")).sql.contains("COLLATE \"C\""))
    }

    @Test("A search by code orders by code; every other by submission time")
    func ordering() {
        #expect(plan(DossierQuery(visibleToAgency: agency, code: "\(agency)-2603")).byCode)
        #expect(!plan(DossierQuery(visibleToAgency: agency, idNumber: "042190000001")).byCode)
        #expect(!plan(DossierQuery(visibleToAgency: agency)).byCode)
    }

    @Test("Several statuses are one ordered range each, merged; the count never passes the bound")
    func parts() {
        var query = DossierQuery(visibleToAgency: agency, statuses: [.received, .processing, .supplementation])
        query.totalBound = 500
        let plan = plan(query)
        #expect(plan.parts.count == 3)
        #expect(plan.parts.allSatisfy { $0.count.contains("LIMIT 501") })
        #expect(plan.bound == 500)
        var none = DossierQuery(visibleToAgency: agency)
        none.totalBound = 0
        #expect(self.plan(none).bound == 1, "a bound of at least one")
    }
}

import Foundation
import Testing
@testable import MotCuaCore

/// The agency tree and the procedure entries are data a province edits; every mistake in them
/// must be refused at load with the entry and the key named, never found later in a dossier.
@Suite("Catalogue: the agency tree and procedure entries")
struct CatalogueTests {
    static let twoTiers = [AgencyLevel(code: "province", name: "Tỉnh", rank: 0), AgencyLevel(code: "commune", name: "Xã", rank: 2)]
    static let threeTiers = twoTiers + [AgencyLevel(code: "district", name: "Huyện", rank: 1)]

    static func agency(
        _ id: String, level: String = "commune", parent: String? = "P", from: String = "2020-01-01", to: String? = nil,
        successor: String? = nil, departments: [Department] = [], name: String? = nil, desk: AgencyDesk? = nil
    ) -> Agency {
        Agency(
            id: id, name: name ?? "Ủy ban nhân dân xã \(id)", level: level, parentID: parent, validFrom: day(from), validTo: to.map(day),
            successorID: successor, departments: departments, desk: desk)
    }

    static let province = agency("P", level: "province", parent: nil, name: "Ủy ban nhân dân tỉnh Hà Tĩnh")

    func refusal(_ agencies: [Agency], levels: [AgencyLevel] = threeTiers) -> CatalogueError? {
        do {
            _ = try AgencyTree(levels: levels, agencies: agencies)
            return nil
        } catch {
            return error
        }
    }

    @Test("A well-formed tree loads, with its levels in rank order")
    func loads() throws {
        let tree = try AgencyTree(
            levels: Self.threeTiers,
            agencies: [Self.province, Self.agency("D", level: "district"), Self.agency("X", parent: "D"), Self.agency("Y")])
        #expect(tree.levels.map(\.code) == ["province", "district", "commune"])
        #expect(tree.agencies.count == 4)
        #expect(tree.agencies["X"]?.parentID == "D")
    }

    @Test("Each mistake in the tree is refused, naming the agency and the key")
    func refusals() {
        let province = Self.province
        #expect(refusal([province], levels: Self.twoTiers + [AgencyLevel(code: "commune", name: "Phường", rank: 3)])
            == CatalogueError(entry: "levels", reason: "level 'commune' is defined twice"))
        #expect(refusal([province, Self.agency("X"), Self.agency("X")]) == CatalogueError(entry: "X", reason: "id: defined twice"))
        for bad in ["", "a b", "x/y", "xã", String(repeating: "a", count: 41), "x-y"] {
            #expect(refusal([province, Self.agency(bad)])?.reason == "id: use only letters, digits, '.' and '_' (at most 40)", "\(bad)")
        }
        #expect(refusal([province, Self.agency("H.01_a")]) == nil, "letters, digits, dots and underscores pass")
        #expect(refusal([province, Self.agency("X", level: "hamlet")]) == CatalogueError(entry: "X", reason: "level: 'hamlet' is not a defined level"))
        #expect(refusal([province, Self.agency("X", name: "  \n")]) == CatalogueError(entry: "X", reason: "name: is empty"))
        #expect(refusal([province, Self.agency("X", parent: "Q")]) == CatalogueError(entry: "X", reason: "parent: 'Q' does not exist"))
        #expect(refusal([province, Self.agency("D", level: "district"), Self.agency("E", level: "district", parent: "D")])
            == CatalogueError(entry: "E", reason: "parent: 'D' is not above it in the tree"))
        #expect(refusal([province, Self.agency("X", parent: "X")]) == CatalogueError(entry: "X", reason: "parent: 'X' is not above it in the tree"))
        #expect(refusal([province, Self.agency("X", from: "2025-07-01", to: "2025-06-30")])
            == CatalogueError(entry: "X", reason: "validTo: before validFrom"))
        #expect(refusal([province, Self.agency("X", to: "2025-06-30", successor: "Z")])
            == CatalogueError(entry: "X", reason: "successor: 'Z' does not exist"))
        #expect(refusal([province, Self.agency("X", successor: "Y"), Self.agency("Y")])
            == CatalogueError(entry: "X", reason: "successor: given but the agency has no validTo"))
        #expect(refusal([province, Self.agency("X", to: "2025-06-30", successor: "X")])
            == CatalogueError(entry: "X", reason: "successor: is the agency itself"))
        let twice = [Department(id: "tp", name: "Tư pháp"), Department(id: "tp", name: "Tư pháp – Hộ tịch")]
        #expect(refusal([province, Self.agency("X", departments: twice)])
            == CatalogueError(entry: "X", reason: "departments: 'tp' is listed twice"))
    }

    @Test("An error reads as entry: reason")
    func errorText() {
        #expect(CatalogueError(entry: "1.001193", reason: "name: is empty").description == "1.001193: name: is empty")
    }

    @Test("An agency exists from its first day to its last, both included")
    func activeDays() {
        let merged = Self.agency("X", from: "2020-01-01", to: "2025-06-30", successor: "Y")
        #expect(!merged.isActive(on: day("2019-12-31")))
        #expect(merged.isActive(on: day("2020-01-01")))
        #expect(merged.isActive(on: day("2025-06-30")))
        #expect(!merged.isActive(on: day("2025-07-01")))
        #expect(Self.agency("Y", from: "2025-07-01").isActive(on: day("2040-01-01")))
    }

    @Test("The heir of a merged agency is the end of its successor chain on that day")
    func heirs() throws {
        // X merged into Y on 1 July 2025; Y into Z on 1 January 2027.
        let tree = try AgencyTree(levels: Self.twoTiers, agencies: [
            Self.province,
            Self.agency("X", to: "2025-06-30", successor: "Y"),
            Self.agency("Y", from: "2025-07-01", to: "2026-12-31", successor: "Z"),
            Self.agency("Z", from: "2027-01-01"),
            Self.agency("W"),
        ])
        #expect(tree.heir(of: "X", on: day("2025-06-30")) == "X")
        #expect(tree.heir(of: "X", on: day("2025-07-01")) == "Y")
        #expect(tree.heir(of: "X", on: day("2027-01-01")) == "Z")
        #expect(tree.heir(of: "Y", on: day("2027-03-01")) == "Z")
        #expect(tree.heir(of: "W", on: day("2027-03-01")) == "W")
        #expect(tree.heir(of: "unknown", on: day("2027-03-01")) == "unknown")
    }

    @Test("A cycle of successors ends instead of looping")
    func heirCycle() throws {
        let tree = try AgencyTree(levels: Self.twoTiers, agencies: [
            Self.province,
            Self.agency("A", to: "2025-06-30", successor: "B"),
            Self.agency("B", to: "2025-06-30", successor: "A"),
        ])
        let heir = tree.heir(of: "A", on: day("2026-01-01"))
        #expect(heir == "A" || heir == "B")
    }

    @Test("Province and subtree follow the parents")
    func branches() throws {
        let tree = try AgencyTree(levels: Self.threeTiers, agencies: [
            Self.province, Self.agency("D", level: "district"), Self.agency("X", parent: "D"), Self.agency("Y"),
            Self.agency("Q", level: "province", parent: nil), Self.agency("Z", parent: "Q"),
        ])
        #expect(tree.province(of: "X") == "P")
        #expect(tree.province(of: "D") == "P")
        #expect(tree.province(of: "P") == "P")
        #expect(tree.province(of: "Z") == "Q")
        #expect(tree.province(of: "nowhere") == nil)
        #expect(tree.subtree("P") == ["P", "D", "X", "Y"])
        #expect(tree.subtree("D") == ["D", "X"])
        #expect(tree.subtree("X") == ["X"])
        #expect(tree.subtree("nowhere").isEmpty)
    }

    // MARK: Procedures

    static func procedure(
        code: String = "1.001193", name: String = "Đăng ký khai sinh", field: String = "Hộ tịch", level: String = "commune",
        term: Term = .workingDays(3), fee: Fee = Fee(amount: 8000, text: "8.000 đồng"), onlineLevel: Int = 4,
        documents: [DocumentRequirement] = [DocumentRequirement(name: "Tờ khai", originals: 1, copies: 0)], source: String = "QĐ 1/2025"
    ) -> Procedure {
        Procedure(
            code: code, name: name, field: field, level: level, term: term, fee: fee, onlineLevel: onlineLevel, postalIntake: true,
            postalReturn: true, documents: documents, source: source)
    }

    @Test("A well-formed procedure passes")
    func procedurePasses() {
        #expect(Self.procedure().validate(levels: ["commune"]) == nil)
        #expect(Self.procedure(term: .workingHours(8), fee: Fee(amount: nil, text: "Theo quy định của tỉnh")).validate(levels: ["commune"]) == nil)
        #expect(Self.procedure(term: .calendarDays(365), onlineLevel: 2).validate(levels: ["commune"]) == nil)
    }

    @Test("Each mistake in a procedure names its key", arguments: [
        (procedure(code: "1001193"), "code: '1001193' is not a national procedure code (e.g. 1.001193)"),
        (procedure(code: "1.00119"), "code: '1.00119' is not a national procedure code (e.g. 1.001193)"),
        (procedure(code: "1.00119a"), "code: '1.00119a' is not a national procedure code (e.g. 1.001193)"),
        (procedure(code: ".001193"), "code: '.001193' is not a national procedure code (e.g. 1.001193)"),
        (procedure(code: "1.001193.2"), "code: '1.001193.2' is not a national procedure code (e.g. 1.001193)"),
        (procedure(code: "1.００1193"), "code: '1.００1193' is not a national procedure code (e.g. 1.001193)"),
        (procedure(name: " "), "name: is empty"),
        (procedure(field: ""), "field: is empty"),
        (procedure(level: "hamlet"), "level: 'hamlet' is not a level of the agency tree"),
        (procedure(term: .workingDays(0)), "term: 0 is outside 1–365"),
        (procedure(term: .calendarDays(366)), "term: 366 is outside 1–365"),
        (procedure(term: .workingHours(-4)), "term: -4 is outside 1–365"),
        (procedure(fee: Fee(amount: -1, text: "")), "fee.amount: is negative"),
        (procedure(onlineLevel: 1), "onlineLevel: 1 is not 2, 3 or 4"),
        (procedure(onlineLevel: 5), "onlineLevel: 5 is not 2, 3 or 4"),
        (procedure(documents: []), "documents: the list is empty"),
        (procedure(documents: [DocumentRequirement(name: "Tờ khai", originals: 1, copies: 0), DocumentRequirement(name: "\t", originals: 1, copies: 0)]),
         "documents[1].name: is empty"),
        (procedure(documents: [DocumentRequirement(name: "CCCD", originals: 0, copies: 0)]), "documents[0]: asks for neither an original nor a copy"),
        (procedure(documents: [DocumentRequirement(name: "CCCD", originals: -1, copies: 2)]), "documents[0]: asks for neither an original nor a copy"),
        (procedure(source: "  "), "source: is empty"),
    ])
    func procedureRefusals(procedure: Procedure, reason: String) {
        #expect(procedure.validate(levels: ["commune", "province"]) == reason)
    }

    @Test("Filing anywhere in the province is a flag that is absent unless set")
    func anywhereFlag() throws {
        var procedure = Self.procedure()
        #expect(!procedure.isFiledAnywhere)
        #expect(procedure.anywhereInProvince == nil)
        let flagged = Procedure(
            code: "1.001193", name: "Đăng ký khai sinh", field: "Hộ tịch", level: "commune", term: .workingDays(3),
            fee: Fee(amount: nil, text: ""), onlineLevel: 4, postalIntake: false, postalReturn: false,
            documents: procedure.documents, source: "QĐ", anywhereInProvince: true)
        #expect(flagged.isFiledAnywhere)
        // The flag is left out of the stored JSON when it is not set.
        let plain = String(decoding: try JSONEncoder().encode(procedure), as: UTF8.self)
        #expect(!plain.contains("anywhereInProvince"))
        let set = String(decoding: try JSONEncoder().encode(flagged), as: UTF8.self)
        #expect(set.contains(#""anywhereInProvince":true"#))
        procedure.anywhereInProvince = false
        #expect(!procedure.isFiledAnywhere)
    }

    @Test("Terms read as the catalogue writes them")
    func termText() {
        #expect(Term.workingDays(3).description == "3 ngày làm việc")
        #expect(Term.workingHours(8).description == "8 giờ làm việc")
        #expect(Term.calendarDays(30).description == "30 ngày")
    }

    @Test("Trimming white space works on scalars, in every script")
    func trimming() {
        #expect("  Hộ tịch \n".trimmingWhitespace() == "Hộ tịch")
        #expect("\u{3000}Đăng ký\u{00A0}".trimmingWhitespace() == "Đăng ký")
        #expect("Hộ tịch".trimmingWhitespace() == "Hộ tịch")
        #expect(" \t\n ".trimmingWhitespace().isEmpty)
        #expect("".trimmingWhitespace().isEmpty)
        #expect("a b".trimmingWhitespace() == "a b")
    }
}

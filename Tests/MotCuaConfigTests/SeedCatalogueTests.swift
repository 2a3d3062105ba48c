import Foundation
import MotCuaCore
import MotCuaTestSupport
import Testing
@testable import MotCuaConfig

/// The repository's own `Seeds/`, and seed files written by the tests.
@Suite("Seed catalogue")
struct SeedCatalogueTests {
    static let seeds = repositoryConfig.deletingLastPathComponent().appendingPathComponent("Seeds")

    @Test("Filing anywhere in the province: the seed flags a few procedures, each marked illustrative")
    func anywhereFlags() throws {
        let catalogue = try SeedLoader.loadCatalogue(from: Self.seeds)
        let flagged = catalogue.procedures.filter(\.isFiledAnywhere)
        #expect(Set(flagged.map(\.code)) == ["1.001193", "1.000656", "1.004873", "2.000942"])
        #expect(flagged.allSatisfy { $0.illustrative.contains("anywhereInProvince") && $0.level == "xa" })
        // A procedure without the key is not filed anywhere, and says nothing of it.
        let plain = try #require(catalogue.procedures.first { $0.code == "2.000513" })
        #expect(plain.anywhereInProvince == nil && !plain.illustrative.contains("anywhereInProvince"))
    }

    @Test("Each agency's province is the top of its branch, across the 2025 mergers; an unknown agency has none")
    func provinces() throws {
        let tree = try SeedLoader.loadCatalogue(from: Self.seeds).tree
        #expect(tree.province(of: "000.15.01.H42") == "000.00.00.H42")
        #expect(tree.province(of: "000.15.02.H42") == tree.province(of: "000.15.01.H42"), "two communes of Hà Tĩnh")
        #expect(tree.province(of: "000.15.21.H42") == "000.00.00.H42", "a former ward, through its former town")
        #expect(tree.province(of: "000.07.01.H25") == "000.00.00.H25N", "the merged Phú Thọ")
        #expect(tree.province(of: "000.07.22.H25") == "000.00.00.H25", "a former commune stays under the former province")
        #expect(tree.province(of: "000.00.00.H42") == "000.00.00.H42")
        #expect(tree.province(of: "000.99.99.H42") == nil)
    }

    @Test("A flag that is not a boolean stops the load, naming the procedure")
    func badFlag() throws {
        let directory = TestScratch.path("motcua-seeds")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Self.seeds.appendingPathComponent("agencies.json"), to: directory.appendingPathComponent("agencies.json"))
        let text = try String(contentsOf: Self.seeds.appendingPathComponent("procedures.json"), encoding: .utf8)
        // The first flag in the file, on 1.001193, made a string.
        let broken = text.replacingOccurrences(of: #""anywhereInProvince": true"#, with: #""anywhereInProvince": "có""#)
        #expect(broken != text)
        try broken.write(to: directory.appendingPathComponent("procedures.json"), atomically: true, encoding: .utf8)
        #expect {
            try SeedLoader.loadCatalogue(from: directory)
        } throws: { error in
            guard let error = error as? SeedError else { return false }
            return error.file == "Seeds/procedures.json" && "\(error)".contains("anywhereInProvince")
        }
    }
}

import Foundation
import MotCuaDemo
import Testing
@testable import MotCuaCore
import MotCuaStore

/// The search key of a name, as properties over generated Vietnamese names: folding is
/// idempotent, leaves ASCII lower case only, collapses white space, and keeps the words apart.
@Suite("Folding names for search, as properties")
struct FoldingPropertyTests {
    static let syllables = [
        "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý",
        "Văn", "Thị", "Minh", "Đức", "Ngọc", "Thu", "Hương", "Tuấn", "Ánh", "Yến", "Tuyết", "Quỳnh", "Phượng", "Đào", "Ưng", "Ơn",
    ]

    static func name(_ rng: inout SeededGenerator) -> String {
        let spaces = [" ", "  ", "\t", " \u{00A0}"]
        return (0..<Int.random(in: 1...5, using: &rng)).map { _ in syllables.randomElement(using: &rng)! }
            .joined(separator: spaces.randomElement(using: &rng)!)
    }

    @Test("Over 2,000 generated names: idempotent, ASCII lower case, single spaces, as many words")
    func properties() {
        var rng = SeededGenerator(seed: 5)
        for _ in 0..<2_000 {
            let name = Self.name(&rng)
            let key = foldedSearchKey(name)
            #expect(foldedSearchKey(key) == key, "\(name)")
            #expect(key.unicodeScalars.allSatisfy { $0.isASCII && !("A"..."Z").contains($0) }, "\(name) → \(key)")
            #expect(!key.contains("  ") && !key.hasPrefix(" ") && !key.hasSuffix(" "))
            #expect(key.split(separator: " ").count == name.split(whereSeparator: { $0.isWhitespace }).count)
            #expect(key == foldedSearchKeyGeneral(name), "the table agrees with the general rule")
            // Decomposed input folds the same.
            #expect(foldedSearchKey(name.decomposedStringWithCanonicalMapping) == key)
        }
    }

    @Test("Each name's keys let every word-start prefix find it")
    func prefixes() {
        var rng = SeededGenerator(seed: 9)
        for _ in 0..<300 {
            let key = foldedSearchKey(Self.name(&rng))
            let keys = nameKeys(folded: key)
            let words = key.split(separator: " ")
            for index in words.indices {
                let suffix = words[index...].joined(separator: " ")
                let prefix = String(suffix.prefix(Int.random(in: 1...suffix.count, using: &rng)))
                #expect(keys.contains { $0.hasPrefix(prefix) }, "\(key): \(prefix)")
            }
            // Inside a word is not a start: "guyen" does not find "nguyen …" through a key of its own.
            if let first = words.first, first.count > 2 {
                let inside = String(first.dropFirst())
                #expect(!keys.contains { $0.hasPrefix(inside) } || words.dropFirst().contains { $0.hasPrefix(inside) })
            }
        }
    }

    @Test("Dossier codes: the agency, the day as yyMMdd and four digits; the day key alone")
    func codes() {
        #expect(DossierCode.make(agencyID: "H40.01", date: day("2026-01-05"), sequence: 1) == "H40.01-260105-0001")
        #expect(DossierCode.make(agencyID: "H40.01", date: day("2030-12-31"), sequence: 9_999) == "H40.01-301231-9999")
        #expect(DossierCode.dayKey(day("2026-03-02")) == "260302")
        #expect(DossierCode.dailyLimit == 9_999)
        #expect(DossierCode.make(agencyID: "X", date: day("2026-03-02"), sequence: 42).hasSuffix("-0042"))
    }
}

import Foundation
import Testing
@testable import MotCuaJSON

/// The fast reader against `JSONDecoder` on generated documents: random shapes, strings with
/// every kind of escape, numbers of every form, then the same documents damaged byte by byte.
/// Wherever the reader gives a value it must be `JSONDecoder`'s; where it declines, the server
/// falls back to `JSONDecoder`, so declining is always allowed and never wrong.
@Suite("Fast JSON reader, generated documents")
struct JSONReaderFuzzTests {
    /// splitmix64: the same documents on every run, so a failure can be replayed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    let reader = JSONReader(parseDate: { _ in nil })

    static let pieces = [
        "a", "Z", "7", " ", "đ", "Đ", "ễ", "😀", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\r", "\\b", "\\f", "\\u00e9", "\\u1EA0",
        "\\ud83d\\ude00", "\\u0000", "/", "'", "{", "}", "[", "]", ",", ":",
    ]

    static func string(_ rng: inout Generator) -> String {
        "\"" + (0..<Int.random(in: 0...6, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined() + "\""
    }

    static func number(_ rng: inout Generator) -> String {
        switch Int.random(in: 0..<7, using: &rng) {
        case 0: String(Int.random(in: -1000...1000, using: &rng))
        case 1: String(Int64.random(in: .min ... .max, using: &rng))
        case 2: "\(Int.random(in: -99...99, using: &rng)).\(Int.random(in: 0...999, using: &rng))"
        case 3: "\(Int.random(in: 1...9, using: &rng))e\(Int.random(in: -5...5, using: &rng))"
        case 4: "-0"
        case 5: "\(Int.random(in: 1...9, using: &rng)).5E+\(Int.random(in: 0...20, using: &rng))"
        default: "18446744073709551615"
        }
    }

    static func space(_ rng: inout Generator) -> String {
        ["", "", "", " ", "\n", "\t ", "\r\n  "].randomElement(using: &rng)!
    }

    static func value(_ rng: inout Generator, depth: Int) -> String {
        let kind = depth > 4 ? Int.random(in: 0..<4, using: &rng) : Int.random(in: 0..<7, using: &rng)
        switch kind {
        case 0: return string(&rng)
        case 1: return number(&rng)
        case 2: return ["true", "false"].randomElement(using: &rng)!
        case 3: return "null"
        case 4, 5:
            let keys = (0..<Int.random(in: 0...4, using: &rng)).map { _ in string(&rng) }
            let members = keys.map { key in space(&rng) + key + space(&rng) + ":" + space(&rng) + value(&rng, depth: depth + 1) }
            return "{" + members.joined(separator: ",") + space(&rng) + "}"
        default:
            let items = (0..<Int.random(in: 0...4, using: &rng)).map { _ in space(&rng) + value(&rng, depth: depth + 1) + space(&rng) }
            return "[" + items.joined(separator: ",") + "]"
        }
    }

    /// Decodes both ways; where the reader answers, it answers as JSONDecoder does.
    @discardableResult
    func agree<T: Decodable & Equatable>(_ type: T.Type, _ bytes: [UInt8]) -> Bool {
        guard let fast = try? reader.decode(T.self, from: bytes) else { return false }
        let foundation = try? JSONDecoder().decode(T.self, from: Data(bytes))
        #expect(foundation == fast, "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
        return true
    }

    @Test("Any generated document: the reader's value is JSONDecoder's")
    func generatedDocuments() {
        var rng = Generator(state: 20_261_130)
        var taken = 0
        for _ in 0..<3000 {
            let text = Self.space(&rng) + Self.value(&rng, depth: 0) + Self.space(&rng)
            if agree(JSONValue.self, Array(text.utf8)) { taken += 1 }
        }
        // JSONValue tries each kind in turn and swallows the misses, so the reader leaves every
        // document with a string or a number to JSONDecoder (`ReaderInput.declined`): it takes
        // only those of nulls, booleans and containers.
        #expect(taken > 0, "taken \(taken) of 3000")
    }

    @Test("Damaged documents: a flipped, dropped or inserted byte never makes the reader disagree")
    func damagedDocuments() {
        var rng = Generator(state: 7)
        let alphabet = Array("{}[],:\"\\ 0123456789.-+eEtrufalsn\u{00}\u{1f}".utf8) + [0xC3, 0xFF, 0x80]
        var declined = 0
        for _ in 0..<3000 {
            var bytes = Array(Self.value(&rng, depth: 0).utf8)
            guard !bytes.isEmpty else { continue }
            let position = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: bytes[position] = alphabet.randomElement(using: &rng)!
            case 1: bytes.remove(at: position)
            default: bytes.insert(alphabet.randomElement(using: &rng)!, at: position)
            }
            if !agree(JSONValue.self, bytes) { declined += 1 }
            agree([String: [Int]].self, bytes)
            agree([Double?].self, bytes)
        }
        #expect(declined > 0)
    }

    struct Form: Codable, Equatable {
        enum Method: String, Codable { case desk, post, electronic }
        var code: String
        var count: Int
        var ratio: Double?
        var method: Method
        var tags: [String]
        var extra: [String: Bool]?
    }

    @Test("Generated typed bodies, compact and spaced, read the same both ways and mostly by the fast path")
    func typedBodies() throws {
        var rng = Generator(state: 42)
        var fast = 0
        for index in 0..<1000 {
            let form = Form(
                code: String(Self.string(&rng).dropFirst().dropLast()).replacingOccurrences(of: "\\", with: ""),
                count: Int.random(in: -1_000_000...1_000_000, using: &rng), ratio: Bool.random(using: &rng) ? Double(index) / 7 : nil,
                method: [.desk, .post, .electronic].randomElement(using: &rng)!, tags: (0..<Int.random(in: 0...3, using: &rng)).map { "t\($0)" },
                extra: Bool.random(using: &rng) ? ["x": true, "y": false] : nil)
            let encoder = JSONEncoder()
            encoder.outputFormatting = index % 2 == 0 ? [] : [.prettyPrinted, .sortedKeys]
            let bytes = Array(try encoder.encode(form))
            if agree(Form.self, bytes) {
                fast += 1
                #expect(try reader.decode(Form.self, from: bytes) == form)
            }
        }
        #expect(fast > 900, "fast path took \(fast) of 1000")
    }

    /// An amount written either way: a whole number or one with a fraction.
    enum Amount: Decodable, Equatable {
        case whole(Int), part(Double)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let whole = try? container.decode(Int.self) { self = .whole(whole) } else { self = .part(try container.decode(Double.self)) }
        }
    }

    @Test("A type that tries one reading and then another gets JSONDecoder's answer, not the reader's second choice")
    func swallowedRefusals() throws {
        // JSONDecoder reads 4e0 and 6.5e3 as Int; the reader does not, and the type's `try?`
        // hides that: without the remembered refusal the reader would answer .part(4.0).
        for text in ["[4e0]", "[6.5e3]", "[1.0]", "[2.5]"] {
            #expect(throws: JSONReader.NotHandled.self, "\(text)") { try reader.decode([Amount].self, from: Array(text.utf8)) }
        }
        #expect(try JSONDecoder().decode([Amount].self, from: Data("[4e0,2.5]".utf8)) == [.whole(4), .part(2.5)])
        #expect(try reader.decode([Amount].self, from: Array("[4,-7]".utf8)) == [.whole(4), .whole(-7)])
    }

    @Test("Nesting deeper than the reader goes is left to JSONDecoder, at every depth past the limit")
    func depth() {
        for levels in [63, 64, 65, 70, 200] {
            let text = String(repeating: "[", count: levels) + "1" + String(repeating: "]", count: levels)
            let taken = (try? reader.decode(JSONValue.self, from: Array(text.utf8))) != nil
            if taken { agree(JSONValue.self, Array(text.utf8)) }
            #expect(levels <= 64 || !taken, "depth \(levels)")
        }
    }
}

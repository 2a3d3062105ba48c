import Foundation
import Testing
@testable import MotCuaJSON

/// The one JSON writer replaced Foundation's `JSONEncoder` everywhere MotCua writes JSON: what
/// that encoder did by default (bytes as base64, URLs and decimals as text, ISO 8601 dates,
/// indentation for a person) it must do too, and `JSONDecoder` must read it back.
@Suite("JSON writer: formats that replaced JSONEncoder")
struct JSONWriterFormatTests {
    struct Attachment: Codable, Equatable {
        var name: String
        var bytes: Data
        var link: URL
        var fee: Decimal
        var at: Date
        var note: String?
    }

    let sample = Attachment(
        name: "Giấy khai sinh / bản sao", bytes: Data([0, 1, 2, 250, 251, 255]), link: URL(string: "https://dichvucong.gov.vn/p/1.001193?x=1&y=2")!,
        fee: Decimal(string: "8000.50")!, at: Date(timeIntervalSince1970: 1_764_483_340), note: nil)

    @Test("Data, URL and Decimal are written as JSONEncoder writes them, and read back by JSONDecoder")
    func foundationScalars() throws {
        let bytes = try JSONWriter(dateFormat: .iso8601).encode(sample)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(#""bytes":"AAEC+vv/""#))
        #expect(text.contains(#""link":"https://dichvucong.gov.vn/p/1.001193?x=1&y=2""#), "slashes are not escaped")
        #expect(text.contains(#""fee":8000.5"#))
        #expect(text.contains(#""at":"2025-11-30T06:15:40Z""#))
        #expect(!text.contains("note"), "nil is left out")
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        #expect(try decoder.decode(Attachment.self, from: Data(bytes)) == sample)
        // The same document as Foundation's encoder with the same strategies, up to key order.
        let foundation = JSONEncoder()
        foundation.dateEncodingStrategy = .iso8601
        let ours = try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary
        let theirs = try JSONSerialization.jsonObject(with: foundation.encode(sample)) as? NSDictionary
        #expect(ours == theirs)
    }

    @Test("Scalars inside containers and at the top level take the same forms")
    func nestedScalars() throws {
        let writer = JSONWriter()
        #expect(try writer.string([Data([255])]) == #"["/w=="]"#)
        #expect(try writer.string(["a": URL(string: "file:///tmp/x")!]) == #"{"a":"file:///tmp/x"}"#)
        #expect(try writer.string(Decimal(-12)) == "-12")
        #expect(try writer.string(Data()) == #""""#)
    }

    @Test("Pretty printing: two spaces a level, a member a line, empty containers kept short")
    func pretty() throws {
        struct Doc: Encodable { var a = 1; var b: [Int] = [1, 2]; var c: [String: Int] = [:]; var d: [Int] = []; var e = ["k": "v"] }
        let text = try JSONWriter(prettyPrinted: true).string(Doc())
        #expect(text == """
            {
              "a": 1,
              "b": [
                1,
                2
              ],
              "c": {},
              "d": [],
              "e": {
                "k": "v"
              }
            }
            """)
    }

    @Test("Indenting leaves strings alone: braces, commas, colons, quotes and escapes inside them")
    func indentKeepsStrings() throws {
        let tricky = #"{"s":"a,{b}:[c] \"q\" \\","t":["x\\\""]}"#
        let indented = String(decoding: JSONWriter.indented(Array(tricky.utf8)), as: UTF8.self)
        #expect(indented == """
            {
              "s": "a,{b}:[c] \\"q\\" \\\\",
              "t": [
                "x\\\\\\""
              ]
            }
            """)
        // Indenting is idempotent up to white space, and what comes out is the same document.
        let again = JSONWriter.indented(Array(indented.utf8))
        #expect(String(decoding: again, as: UTF8.self) == indented)
        let before = try JSONSerialization.jsonObject(with: Data(tricky.utf8)) as? NSDictionary
        let after = try JSONSerialization.jsonObject(with: Data(again)) as? NSDictionary
        #expect(before == after)
    }

    @Test("Indenting a scalar or already spaced JSON")
    func indentScalarsAndSpacing() {
        #expect(String(decoding: JSONWriter.indented(Array("42".utf8)), as: UTF8.self) == "42")
        #expect(String(decoding: JSONWriter.indented(Array(" [ 1 ,\n 2 ] ".utf8)), as: UTF8.self) == "[\n  1,\n  2\n]")
        #expect(String(decoding: JSONWriter.indented(Array(#""a b""#.utf8)), as: UTF8.self) == #""a b""#)
    }

    @Test("Pretty output is read back by JSONDecoder as the compact one is")
    func prettyRoundTrip() throws {
        let pretty = try JSONWriter(dateFormat: .iso8601, prettyPrinted: true).encode(sample)
        let compact = try JSONWriter(dateFormat: .iso8601).encode(sample)
        #expect(pretty.count > compact.count)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        #expect(try decoder.decode(Attachment.self, from: Data(pretty)) == decoder.decode(Attachment.self, from: Data(compact)))
    }
}

@Suite("JSONValue: any document, edited and written again")
struct JSONValueTests {
    @Test("Every kind of value survives reading and writing; objects come out with sorted keys")
    func roundTrip() throws {
        let text = #"{"z":null,"b":true,"i":-3,"n":2.5,"s":"chữ \"x\"","a":[1,"2",[],{}],"o":{"y":1,"x":2}}"#
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(value["z"] == .null)
        #expect(value["b"] == .bool(true))
        #expect(value["i"] == .integer(-3))
        #expect(value["n"] == .number(2.5))
        #expect(value["s"] == .string("chữ \"x\""))
        #expect(value["a"] == .array([.integer(1), .string("2"), .array([]), .object([:])]))
        let written = try JSONWriter().string(value)
        #expect(written == #"{"a":[1,"2",[],{}],"b":true,"i":-3,"n":2.5,"o":{"x":2,"y":1},"s":"chữ \"x\"","z":null}"#)
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(written.utf8)) == value)
    }

    @Test("Editing through the subscript changes objects only")
    func subscripts() throws {
        var value = JSONValue.object(["a": .object(["b": .integer(1)])])
        value["c"] = .string("new")
        value["a"] = .array([])
        #expect(value == .object(["a": .array([]), "c": .string("new")]))
        var scalar = JSONValue.integer(7)
        scalar["x"] = .null
        #expect(scalar == .integer(7))
        #expect(scalar["x"] == nil)
        value["c"] = nil
        #expect(value == .object(["a": .array([])]))
    }

    @Test("Booleans stay booleans and whole numbers stay whole")
    func kinds() throws {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data("[true,false,0,1,1.0,1e3,-0.5]".utf8))
        guard case let .array(items) = value else { Issue.record("not an array"); return }
        #expect(items[0] == .bool(true) && items[1] == .bool(false))
        #expect(items[2] == .integer(0) && items[3] == .integer(1))
        #expect(items[6] == .number(-0.5))
    }
}

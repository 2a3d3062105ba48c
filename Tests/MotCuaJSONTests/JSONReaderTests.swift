import Foundation
import Testing
@testable import MotCuaCore
@testable import MotCuaJSON

/// The fast reader must read what it accepts exactly as `JSONDecoder` does, and leave to it
/// (throw `NotHandled`) whatever it is not sure of; the server then decodes with `JSONDecoder`.
@Suite("Fast JSON reader for request bodies")
struct JSONReaderTests {
    struct Document: Codable, Equatable {
        var name: String
        var originals: Int
        var copies: Int
    }

    struct Body: Codable, Equatable {
        enum Method: String, Codable { case desk, post }
        var procedureCode: String
        var applicant: Applicant
        var documents: [Document]
        var returnMethod: Method
        var missingItems: [String]?
        var note: String?
        var at: Date?
        var day: LocalDate?
        var small: Int8?
        var big: Int64?
        var ratio: Double?
        var flag: Bool?
        var tags: [String: Int]?
        var nested: [[Int?]]?
    }

    let reader = JSONReader(parseDate: { WorkCalendar.parse($0) })

    var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = WorkCalendar.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a date")
            }
            return date
        }
        return decoder
    }

    /// Decodes `json` both ways: where the reader gives a value, it is JSONDecoder's.
    @discardableResult
    func agree<T: Decodable & Equatable>(_ type: T.Type, _ json: String) -> (fast: T?, foundation: T?) {
        let fast = try? reader.decode(T.self, from: Array(json.utf8))
        let foundation = try? decoder.decode(T.self, from: Data(json.utf8))
        if let fast {
            #expect(fast == foundation, "\(json)")
        }
        return (fast, foundation)
    }

    static let full = #"""
        {"procedureCode":"1.001193","returnMethod":"post",
         "applicant":{"name":"Nguyễn Văn An","idNumber":"001203004005","phone":"0912345678","address":"Phường Sông Trí, Hà Tĩnh","email":"an@example.vn"},
         "documents":[{"name":"Tờ khai đăng ký khai sinh theo mẫu","originals":1,"copies":0},{"name":"Giấy chứng sinh","originals":1,"copies":2}],
         "missingItems":[], "note":"tab\there \"quoted\" \\ \/ \u00e9\u1ea0 \ud83d\ude00 end", "at":"2026-03-02T08:00:00+07:00", "day":"2026-03-02",
         "small":-128, "big":-9223372036854775808, "ratio":-1.5e-3, "flag":false, "tags":{"a":1,"b":-2}, "nested":[[1,null],[]],
         "unknown":{"deep":[1,2,{"x":null}]}}
        """#

    @Test("A full body reads the same both ways, escapes, dates, nested containers and unknown keys included")
    func fullBody() throws {
        let (fast, foundation) = agree(Body.self, Self.full)
        #expect(fast != nil, "the fast path should take this body")
        #expect(foundation != nil)
        #expect(fast?.note == "tab\there \"quoted\" \\ / é\u{1EA0} 😀 end")
        #expect(fast?.big == Int64.min)
    }

    @Test("Missing optional keys and nulls are nil; a typical intake body is taken by the fast path")
    func optionals() {
        let json = #"{"procedureCode":"x","returnMethod":"desk","applicant":{"name":"A","idNumber":"1","phone":"2","address":"3","email":null},"documents":[],"note":null}"#
        let (fast, _) = agree(Body.self, json)
        #expect(fast != nil)
        #expect(fast?.applicant.email == nil && fast?.note == nil && fast?.missingItems == nil)
        #expect(agree(Body.self, " \n\t" + json + " \r\n").fast != nil)
    }

    @Test("What the reader leaves to JSONDecoder: errors, and anything it is not sure to read the same way")
    func leftToFoundation() {
        let base = #"{"procedureCode":"x","returnMethod":"desk","applicant":{"name":"A","idNumber":"1","phone":"2","address":"3"},"documents":[]"#
        let cases = [
            base + "}}",                                  // trailing garbage
            base,                                         // unterminated
            base + #","procedureCode":"y"}"#,             // duplicate key
            base + #","n\u006fte":"z"}"#,                 // escaped key
            base + #","small":128}"#,                     // out of range
            base + #","small":1.0}"#,                     // fraction for an integer
            base + #","small":1e2}"#,                     // exponent for an integer
            base + #","big":01}"#,                        // leading zero
            base + #","ratio":1.}"#,                      // malformed number
            base + #","note":"a\qb"}"#,                   // unknown escape
            base + #","note":"\ud83d"}"#,                 // lone surrogate
            base + "," + "\"note\":\"a\u{01}b\"}",        // raw control character
            base + #","note":5}"#,                        // wrong type
            base + #","flag":"true"}"#,                   // wrong type
            base + #","at":"yesterday"}"#,                // bad date
            base + #","day":"2026-02-30"}"#,              // bad day (the type's own init throws)
            base + #","returnMethod":"drone"}"#,          // bad enum value
            #"{"returnMethod":"desk"}"#,                  // missing keys
            "",                                           // empty
            String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
        ]
        for json in cases {
            #expect(throws: (any Error).self, "\(json)") { try reader.decode(Body.self, from: Array(json.utf8)) }
            agree(Body.self, json)
        }
        // Invalid UTF-8 inside a string.
        var bytes = Array((base + #","note":"ab"}"#).utf8)
        bytes[bytes.count - 4] = 0xFF
        #expect(throws: JSONReader.NotHandled.self) { try reader.decode(Body.self, from: bytes) }
        // Even in a value no field reads, and in a key.
        var unread = Array((base + #","unknown":"ab"}"#).utf8)
        unread[unread.count - 4] = 0xC3
        #expect(throws: JSONReader.NotHandled.self) { try reader.decode(Body.self, from: unread) }
        #expect(agree(Body.self, String(decoding: unread, as: UTF8.self)).fast != nil)  // once repaired, it reads
        var key = Array((base + #","ab":1}"#).utf8)
        key[key.count - 6] = 0xFF
        #expect(throws: JSONReader.NotHandled.self) { try reader.decode(Body.self, from: key) }
        // Types with strategies of their own in JSONDecoder.
        #expect(throws: JSONReader.NotHandled.self) { try reader.decode([Data].self, from: Array(#"["AAAA"]"#.utf8)) }
        #expect(throws: JSONReader.NotHandled.self) { try reader.decode([Float].self, from: Array("[1.5]".utf8)) }
    }

    @Test("Every integer type at its limits, and numbers as Double")
    func numbers() {
        #expect(agree([Int8].self, "[-128,127]").fast == [-128, 127])
        #expect(agree([UInt8].self, "[0,255]").fast == [0, 255])
        #expect(agree([UInt8].self, "[-1]").fast == nil)
        #expect(agree([UInt64].self, "[18446744073709551615]").fast == [UInt64.max])
        #expect(agree([Int].self, "[9223372036854775807,-0]").fast == [Int.max, 0])
        #expect(agree([Int].self, "[9223372036854775808]").fast == nil)
        #expect(agree([Double].self, "[0,-0.5,1e308,2.5E-3,123456789012345678901234567890]").fast != nil)
        #expect(agree([Double].self, "[1e999]").fast == nil)
    }
}

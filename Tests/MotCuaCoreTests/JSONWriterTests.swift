import Foundation
import Testing
@testable import MotCuaCore
@testable import MotCuaJSON

@Suite("Streaming JSON writer")
struct JSONWriterTests {
    let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }()

    func roundTrip<T: Codable & Equatable>(_ value: T) throws {
        let bytes = try JSONWriter().encode(value)
        let back = try decoder.decode(T.self, from: Data(bytes))
        #expect(back == value, "\(String(decoding: bytes, as: UTF8.self))")
        // And it is the same document Foundation's encoder would write, up to key order.
        let foundation = JSONEncoder()
        foundation.dateEncodingStrategy = .secondsSince1970
        let ours = try JSONSerialization.jsonObject(with: Data(bytes)) as? NSObject
        let theirs = try JSONSerialization.jsonObject(with: foundation.encode(value)) as? NSObject
        #expect(ours == theirs)
    }

    @Test("Dossiers, events, procedures and agencies survive the round trip through JSONDecoder")
    func storedTypes() throws {
        var d = try dossier(in: .processing)
        d.applicant.email = "an@example.vn"
        d.applicant.name = "Nguyễn \"Văn\" An\\\n\t\u{1}"
        d.pauses = [Pause(start: at("2026-03-02T09:00:00+07:00"), end: nil), Pause(start: at("2026-03-01T09:00:00+07:00"), end: at("2026-03-01T10:30:00+07:00").addingTimeInterval(0.25))]
        try roundTrip(d)
        let events = try Lifecycle.file(completeIntake(), code: "C", id: "d", context: context(officer(.desk), "2026-03-02T08:00:00+07:00"))
        for event in events { try roundTrip(event) }
        try roundTrip(birthRegistration)
        for term in [Term.workingDays(3), .workingHours(4), .calendarDays(15)] { try roundTrip(term) }
        try roundTrip(Agency(id: "A.1", name: "Ủy ban", level: "xa", parentID: nil, validFrom: day("2025-07-01"), departments: departments))
        try roundTrip(["a": [1, 2], "b": []])
        try roundTrip([Optional<Int>.none, 3])
    }

    @Test("Dates as text, and non-finite numbers refused")
    func dates() throws {
        let writer = JSONWriter(dateFormat: .text { WorkCalendar.format($0) })
        #expect(try writer.string(["at": at("2026-02-27T15:30:00+07:00")]) == #"{"at":"2026-02-27T15:30:00+07:00"}"#)
        #expect(throws: EncodingError.self) { try JSONWriter().encode([Double.nan]) }
        #expect(try JSONWriter().string([0.5, 3, -2.25e20]) == "[0.5,3,-2.25e+20]")
    }

    @Test("Integers of every size and sign, digit for digit")
    func integers() throws {
        let ints = [0, 7, -7, 10, -10, 1_795_455_447, Int.max, Int.min, -999_999_999_999_999]
        #expect(try JSONWriter().string(ints) == "[" + ints.map(String.init).joined(separator: ",") + "]")
        #expect(try JSONWriter().string(["n": -42]) == #"{"n":-42}"#)
        // Other integer types and Float go their own way.
        #expect(try JSONWriter().string([UInt8.max]) == "[255]")
        #expect(try JSONWriter().string([Int64.min]) == "[\(Int64.min)]")
        #expect(try JSONWriter().string([Float(0.5)]) == "[0.5]")
        #expect(try JSONWriter().string([-1e14, 1e14]) == "[-100000000000000,100000000000000]")
    }

    @Test("Strings: every character that must be escaped, at every offset within eight-byte words")
    func escapes() throws {
        // The writer tests eight bytes at a time: put each special character at each position of
        // the first words, next to ASCII and to multi-byte letters, and compare with JSONSerialization.
        let specials: [Character] = ["\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{1}", "\u{1F}", " ", "~", "\u{7F}", "đ", "Ậ", "😀"]
        for special in specials {
            for fill in ["a", "ư"] {
                for offset in 0..<17 {
                    let text = String(repeating: fill, count: offset) + String(special) + String(repeating: "b", count: 9)
                    let written = try JSONWriter().encode([text])
                    let back = try JSONSerialization.jsonObject(with: Data(written)) as? [String]
                    #expect(back == [text], "\(String(decoding: written, as: UTF8.self))")
                    let mustEscape = special == "\"" || special == "\\" || special.unicodeScalars.first!.value < 0x20
                    #expect(written.count == text.utf8.count + 4 + (mustEscape ? (special.unicodeScalars.first!.value < 0x20 && !["\n", "\r", "\t"].contains(special) ? 5 : 1) : 0))
                }
            }
        }
    }
}

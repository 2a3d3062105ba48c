import Foundation
import Testing
@testable import MotCuaAPI
@testable import MotCuaCore

/// The wire format every door shares: instants with the Vietnam offset, problems per RFC 9457.
@Suite("Wire JSON")
struct WireJSONTests {
    struct Stamp: Codable, Equatable { var at: Date }

    @Test("Instants are written in Vietnam time with their offset, and read back")
    func instants() throws {
        let at = Date(timeIntervalSince1970: 1_780_000_000)
        let text = String(decoding: try WireJSON.encode(Stamp(at: at)), as: UTF8.self)
        #expect(text == #"{"at":"2026-05-29T03:26:40+07:00"}"#)
        #expect(try WireJSON.decoder.decode(Stamp.self, from: Data(text.utf8)) == Stamp(at: at))
    }

    @Test("Other offsets and UTC are read as the same instant")
    func offsets() throws {
        let at = Date(timeIntervalSince1970: 1_780_000_000)
        for text in ["2026-05-28T20:26:40Z", "2026-05-28T20:26:40+00:00", "2026-05-29T03:26:40+07:00"] {
            #expect(try WireJSON.decoder.decode(Stamp.self, from: Data(#"{"at":"\#(text)"}"#.utf8)) == Stamp(at: at), "\(text)")
        }
    }

    @Test("A date that is not a date-time is a decoding error naming the format")
    func badDates() {
        for text in ["2026-05-29", "817633354.05", "hôm qua", ""] {
            #expect(throws: DecodingError.self) { try WireJSON.decoder.decode(Stamp.self, from: Data(#"{"at":"\#(text)"}"#.utf8)) }
        }
        #expect(throws: DecodingError.self) { try WireJSON.decoder.decode(Stamp.self, from: Data(#"{"at":817633354.05}"#.utf8)) }
    }

    @Test("The portal's reader wants the offset written out")
    func portalDates() throws {
        #expect(throws: DecodingError.self) { try PortalMessages.decoder.decode(Stamp.self, from: Data(#"{"at":"2026-05-29T03:26"}"#.utf8)) }
        #expect(try PortalMessages.decoder.decode(Stamp.self, from: Data(#"{"at":"2026-05-29T03:26:40+07:00"}"#.utf8)).at == Date(timeIntervalSince1970: 1_780_000_000))
    }

    @Test("A problem document leaves out what it does not have and reads back")
    func problems() throws {
        let problem = ProblemDocument(
            type: "https://motcua.gov.vn/problems/validation", title: "Nội dung không hợp lệ", status: 422,
            errors: [ProblemDocument.FieldError(field: "procedureCode", reason: "không có trong danh mục")])
        let text = String(decoding: try WireJSON.encode(problem), as: UTF8.self)
        #expect(!text.contains("detail") && !text.contains("instance"))
        #expect(text.contains(#""type":"https://motcua.gov.vn/problems/validation""#), "slashes are not escaped")
        #expect(try WireJSON.decoder.decode(ProblemDocument.self, from: Data(text.utf8)) == problem)
        let minimal = try WireJSON.decoder.decode(ProblemDocument.self, from: Data(#"{"title":"x"}"#.utf8))
        #expect(minimal == ProblemDocument(title: "x"))
    }
}

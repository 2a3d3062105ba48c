import Foundation
import MotCuaCore
import MotCuaDemo
import Testing
@testable import MotCuaStore

/// A search's page cursor: an opaque token the client hands back, read back to the same place,
/// and anything else, crafted or damaged, refused rather than trusted.
@Suite("Page cursors")
struct CursorTests {
    @Test("Tokens read back to their cursor, by time or by code, URL-safe")
    func roundTrip() {
        var rng = SeededGenerator(seed: 3)
        for _ in 0..<500 {
            let cursor: DossierCursor = Bool.random(using: &rng)
                ? .submitted(at: Double(Int.random(in: 1_700_000_000...1_900_000_000, using: &rng)) + Double(Int.random(in: 0...999, using: &rng)) / 1000,
                             id: UUID().uuidString)
                : .code("000.15.01.H42-26\(String(format: "%04d", Int.random(in: 101...1231, using: &rng)))-\(String(format: "%04d", Int.random(in: 1...9999, using: &rng)))")
            let token = cursor.token
            #expect(!token.contains("+") && !token.contains("/") && !token.contains("="))
            #expect(DossierCursor(token: token) == cursor, "\(token)")
        }
        #expect(DossierCursor.code("X-1").isByCode && !DossierCursor.submitted(at: 1, id: "a").isByCode)
    }

    @Test("The cursor after a dossier is its submission time and id")
    func afterDossier() throws {
        let filed = Lifecycle.replay(try Lifecycle.file(
            intake(), code: "\(desk.agencyID)-260302-0001", id: "019cac0f-2680-7000-8000-000000000001",
            context: DecisionContext(actor: desk, now: WorkCalendar.parse("2026-03-02T09:00:00+07:00")!, calendar: calendar)))
        let dossier = try #require(filed)
        #expect(DossierCursor(after: dossier) == .submitted(at: dossier.submittedAt.timeIntervalSince1970, id: dossier.id))
    }

    func token(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    @Test("Crafted or damaged tokens are refused", arguments: [
        "", "%%%", "not base64!", String(repeating: "A", count: 201),
    ])
    func garbage(text: String) {
        #expect(DossierCursor(token: text) == nil)
    }

    @Test("Decoded texts that are not a cursor are refused: no separator, an empty key, quotes, a time that is not one, an id with a dot")
    func craftedTexts() {
        for text in ["1780000000", "1780000000|", "code|", "code|X' OR '1'='1", "abc|id", "inf|id", "nan|id", "1780000000|a.b", "code|\(String(repeating: "x", count: 65))", "1780000000|a b"] {
            #expect(DossierCursor(token: token(text)) == nil, "\(text)")
        }
        #expect(DossierCursor(token: token("code|000.15.01.H42-260302-0001")) == .code("000.15.01.H42-260302-0001"))
        #expect(DossierCursor(token: token("1780000000.5|abc-123")) == .submitted(at: 1_780_000_000.5, id: "abc-123"))
    }
}

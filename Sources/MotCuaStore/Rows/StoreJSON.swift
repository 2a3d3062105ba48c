import Foundation
import MotCuaCore
import MotCuaJSON

/// How both backends store JSON (dates as seconds since 1970) and read it back.
package enum StoreJSON {
    package static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }()

    package static let writer = JSONWriter(dateFormat: .secondsSince1970)

    package static func encode<T: Encodable>(_ value: T) throws -> String {
        try writer.string(value)
    }

    /// A stored value, or `StoreError.corrupt` naming its type.
    package static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        do {
            return try decoder.decode(T.self, from: Data(text.utf8))
        } catch {
            throw StoreError.corrupt("\(T.self): \(error)")
        }
    }
}

/// A new dossier decided before its code is known: `make` ran with an unguessable stand-in code
/// that the store replaces with the allocated one in the encoded rows.
package struct NewDossier: Sendable {
    package let placeholder: String
    package let dossier: Dossier
    package let events: [DossierEvent]

    package init(make: (String) throws -> [DossierEvent]) throws {
        placeholder = "motcua-code-\(UUID().uuidString)"
        events = try make(placeholder)
        guard let filed = Lifecycle.replay(events), filed.code == placeholder else {
            throw StoreError.corrupt("a new dossier must start with 'created' and carry the code it is given")
        }
        dossier = filed
    }

    /// `text` (the dossier's or an event's JSON) with the stand-in code replaced by `code`, byte
    /// by byte over UTF-8. Foundation's `replacingOccurrences` went through UTF-16 and took
    /// ~35% of the server's CPU in PostgreSQL intakes (perf, 1,057 intakes/s from one desk).
    package func replacingPlaceholder(in text: String, with code: String) -> String {
        let needle = Array(placeholder.utf8), bytes = Array(text.utf8)
        guard let first = needle.first, bytes.count >= needle.count else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0, copied = 0
        while index <= bytes.count - needle.count {
            if bytes[index] == first, bytes[index..<(index + needle.count)].elementsEqual(needle) {
                out.append(contentsOf: bytes[copied..<index])
                out.append(contentsOf: code.utf8)
                index += needle.count
                copied = index
            } else {
                index += 1
            }
        }
        guard copied > 0 else { return text }
        out.append(contentsOf: bytes[copied...])
        return String(decoding: out, as: UTF8.self)
    }

    /// The dossier and its events as stored under `code`.
    package func stored(code: String) -> (Dossier, [DossierEvent]) {
        var dossier = dossier
        dossier.code = code
        return (dossier, events.map { event in
            var event = event
            event.dossier?.code = code
            return event
        })
    }
}

import Foundation
import MotCuaCore
import MotCuaJSON

/// JSON as the API speaks it: instants as ISO 8601 in Vietnam time (`2026-02-27T15:30:00+07:00`).
enum APIJSON {
    /// Responses are written by the streaming writer; instants as ISO 8601 in Vietnam time.
    static let writer = JSONWriter(dateFormat: .text { WorkCalendar.format($0) })

    /// The fast path for request bodies, with the same reading of dates as `decoder`.
    static let reader = JSONReader(parseDate: { WorkCalendar.parse($0) })

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = WorkCalendar.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "'\(text)' is not a date-time (yyyy-MM-ddTHH:mm:ss+07:00)")
            }
            return date
        }
        return decoder
    }()
}

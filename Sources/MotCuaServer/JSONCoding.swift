import Foundation
import MotCuaAPI
import MotCuaCore
import MotCuaJSON

/// JSON as the API speaks it: instants as ISO 8601 in Vietnam time (`2026-02-27T15:30:00+07:00`).
enum APIJSON {
    /// Responses are written by the streaming writer; instants as ISO 8601 in Vietnam time.
    static let writer = JSONWriter(dateFormat: .text { WorkCalendar.format($0) })

    /// The fast path for request bodies, with the same reading of dates as `decoder`.
    static let reader = JSONReader(parseDate: { WorkCalendar.parse($0) })

    /// Foundation's reader of the same format (`MotCuaAPI`'s, which clients use too).
    static var decoder: JSONDecoder { WireJSON.decoder }
}

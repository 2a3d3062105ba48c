import Foundation
import MotCuaCore
import MotCuaJSON

/// JSON as MotCua's doors speak it: instants as ISO 8601 with the Vietnam offset
/// (`2026-02-27T15:30:00+07:00`). Everything MotCua sends (the server's answers, the partners'
/// messages, the client's requests) is written by `writer`, the one JSON writer; clients and
/// tests read answers with `decoder`.
public enum WireJSON {
    public static let decoder: JSONDecoder = {
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

    public static let writer = JSONWriter(dateFormat: .text { WorkCalendar.format($0) })

    /// `value` as the wire's JSON.
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        try writer.data(value)
    }
}

/// An RFC 9457 problem as every door answers one.
public struct ProblemDocument: Codable, Sendable, Equatable {
    public struct FieldError: Codable, Sendable, Equatable {
        public var field: String
        public var reason: String

        public init(field: String, reason: String) {
            self.field = field
            self.reason = reason
        }
    }

    public var type: String?
    public var title: String?
    public var status: Int?
    public var detail: String?
    public var instance: String?
    public var errors: [FieldError]?

    public init(
        type: String? = nil, title: String? = nil, status: Int? = nil, detail: String? = nil, instance: String? = nil,
        errors: [FieldError]? = nil
    ) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.instance = instance
        self.errors = errors
    }
}

import Foundation
import MotCuaAPI
import MotCuaCore
import MotCuaJSON
import Hummingbird
import NIOCore

/// JSON as the API speaks it: instants as ISO 8601 in Vietnam time (`2026-02-27T15:30:00+07:00`).
enum APIJSON {
    /// Responses are written by the one JSON writer, as the wire format has it.
    static var writer: JSONWriter { WireJSON.writer }

    /// The fast path for request bodies, with the same reading of dates as `decoder`.
    static let reader = JSONReader(parseDate: { WorkCalendar.parse($0) })

    /// Foundation's reader of the same format (`MotCuaAPI`'s, which clients use too).
    static var decoder: JSONDecoder { WireJSON.decoder }
}

/// The context's `responseEncoder`: the streaming writer, as `application/json; charset=utf-8`.
public struct APIResponseEncoder: ResponseEncoder {
    public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
        try Self.response(value)
    }

    static func response(_ value: some Encodable) throws -> Response {
        let bytes = try APIJSON.writer.encode(value)
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// The context's `requestDecoder`: the body within the context's `maxUploadSize`, read by the
/// fast reader (Foundation's when it cannot be sure), with malformed JSON a 400 and a missing or
/// mistyped field a 422 naming it (`decodeJSON`).
public struct APIRequestDecoder: RequestDecoder {
    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        try await decodeBody(T.self, from: request, limit: context.maxUploadSize)
    }
}

/// A handler's typed answer: its value written by the context's `responseEncoder`, with a status
/// and headers.
struct Reply<Value: Encodable & Sendable>: ResponseGenerator, Sendable {
    var value: Value
    var status: HTTPResponse.Status
    var headers: HTTPFields

    init(_ value: Value, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) {
        self.value = value
        self.status = status
        self.headers = headers
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        finish(try context.responseEncoder.encode(value, from: request, context: context))
    }

    /// Outside a request (an answer replayed from the idempotency store): the API's encoder.
    func response() throws -> Response {
        finish(try APIResponseEncoder.response(value))
    }

    private func finish(_ response: Response) -> Response {
        var response = response
        response.status = status
        for field in headers { response.headers[field.name] = field.value }
        return response
    }
}

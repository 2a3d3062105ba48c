import Foundation
import HTTPTypes
import Hummingbird
import MotCuaAPI
import MotCuaCore
import NIOCore

/// How the stand-ins answer: JSON written as MotCua's own doors write it (`WireJSON`), problems
/// as RFC 9457 documents, and the two controls every partner stand-in gives its tests.
enum SimHTTP {
    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? WireJSON.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(data: data)))
    }

    /// A problem with the partner's own title for `status` and, for a 422, the fields at fault.
    static func problem(_ status: Int, title: String, detail: String, errors: [FieldProblem]? = nil) -> Response {
        struct Body: Encodable { var type = "about:blank"; var title: String; var status: Int; var detail: String; var errors: [FieldProblem]? }
        var response = json(Body(title: title, status: status, detail: detail, errors: errors), status: .init(code: status))
        response.headers[.contentType] = "application/problem+json"
        return response
    }

    /// A 503 with `Retry-After: 1`: down for maintenance, or a failure injected on purpose.
    static func unavailable(title: String) -> Response {
        var response = problem(503, title: title, detail: "Tạm thời không phục vụ; thử lại sau.")
        response.headers[.retryAfter] = "1"
        return response
    }

    /// `GET sim/stats` (what the stand-in counted) and `POST sim/outage?on=true|false` (answer
    /// every request with a 503 until turned off, as a partner down for maintenance does).
    static func addControls<Stats: Encodable & Sendable>(
        to router: Router<BasicRequestContext>, stats: @escaping @Sendable () -> Stats, setDown: @escaping @Sendable (Bool) -> Void
    ) {
        router.get("sim/stats") { _, _ -> Response in json(stats()) }
        router.post("sim/outage") { request, _ -> Response in
            let on = request.uri.queryParameters["on"].map { $0 != "false" && $0 != "0" } ?? true
            setDown(on)
            return json(["down": on])
        }
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import MotCuaAPI
import MotCuaCore
import MotCuaStore
import NIOCore
import Testing
@testable import MotCuaServer

/// The server's small parts, each on its own: the rate limiter, the caches, the query reader,
/// multipart and file-type recognition, the signed-webhook reader and the typed answer.
@Suite("HTTP parts")
struct HTTPPartsTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("The rate limiter lets a burst through, then says how long to wait; it refills with time, per client")
    func rateLimiter() {
        let limiter = RateLimiter(perMinute: 6, burst: 3)
        #expect((0..<3).map { _ in limiter.take("a", now: t0) } == [nil, nil, nil])
        #expect(limiter.take("a", now: t0) == 10, "6 a minute: one token every 10 s")
        #expect(limiter.take("b", now: t0) == nil, "another client has its own bucket")
        #expect(limiter.take("a", now: t0.addingTimeInterval(4)) == 6)
        #expect(limiter.take("a", now: t0.addingTimeInterval(10)) == nil)
        #expect(limiter.take("a", now: t0.addingTimeInterval(10)) == 10)
        // A long pause refills the bucket to its burst, no further.
        let later = t0.addingTimeInterval(3600)
        #expect((0..<4).map { _ in limiter.take("a", now: later) } == [nil, nil, nil, 10])
    }

    @Test("A cached session lives its ttl at most, never past its expiry, and goes at logout")
    func sessionCache() {
        let cache = SessionCache(ttl: 5)
        let officer = Officer(
            id: "o1", username: "motcua.songtri", name: "Cán bộ", role: .desk, agencyID: "000.15.01.H42", departmentID: nil, passwordHash: "x")
        cache.put("h", officer: officer, expiresAt: t0.addingTimeInterval(60), now: t0)
        #expect(cache.get("h", now: t0.addingTimeInterval(4.9))?.id == "o1")
        #expect(cache.get("h", now: t0.addingTimeInterval(5)) == nil, "past the ttl: read the table again")
        cache.put("h", officer: officer, expiresAt: t0.addingTimeInterval(2), now: t0)
        #expect(cache.get("h", now: t0.addingTimeInterval(2)) == nil, "the session's own expiry comes first")
        cache.put("h", officer: officer, expiresAt: t0.addingTimeInterval(60), now: t0)
        #expect(cache.get("h", now: t0.addingTimeInterval(-1)) == nil, "a clock that went back does not extend it")
        cache.put("h", officer: officer, expiresAt: t0.addingTimeInterval(60), now: t0)
        cache.remove("h")
        #expect(cache.get("h", now: t0) == nil)
    }

    @Test("A cached rendering is served for its version only, until it goes stale; a full cache starts over")
    func detailCache() {
        let cache = DetailCache(capacity: 2)
        cache.put(code: "A", version: 3, visibleTo: ["x"], response: Response(status: .ok), validUntil: t0)
        #expect(cache.get(code: "A", version: 3, now: t0.addingTimeInterval(-1))?.visibleTo == ["x"])
        #expect(cache.get(code: "A", version: 4, now: t0.addingTimeInterval(-1)) == nil, "another version")
        #expect(cache.get(code: "A", version: 3, now: t0) == nil, "stale at its instant")
        cache.put(code: "B", version: 1, response: Response(status: .ok))
        cache.put(code: "C", version: 1, response: Response(status: .ok))
        #expect(cache.get(code: "B", version: 1) == nil && cache.get(code: "C", version: 1) != nil, "full: emptied, then C")
    }

    static func parameters(_ query: String) -> Parameters {
        Request(head: HTTPRequest(method: .get, scheme: "http", authority: "x", path: "/p?\(query)"), body: .init(buffer: ByteBuffer())).uri.queryParameters
    }

    static func field(of error: any Error) -> String? {
        (error as? Problem)?.errors?.first?.field
    }

    @Test("Query parameters: an empty text is absent, lengths count code points, integers are in range or a 422 naming them")
    func queryReader() throws {
        let reader = QueryReader(Self.parameters("q=&name=%C4%90%E1%BB%97&limit=50&offset=&huge=99999999999999999999999&neg=-1"))
        #expect(try reader.text("q") == nil)
        #expect(try reader.text("name", max: 2) == "Đỗ", "two code points")
        #expect(throws: Problem.self) { try reader.text("name", max: 1) }
        #expect(try reader.integer("limit", 1...200) == 50)
        #expect(try reader.integer("missing", 1...200, default: 7) == 7)
        for key in ["offset", "huge", "neg"] {
            #expect { try reader.integer(key, 0...10_000) } throws: { Self.field(of: $0) == key }
        }
    }

    @Test("Multipart: the boundary of a form's content type only; disposition parameters, quoted or not")
    func multipartHeaders() {
        #expect(MultipartForm.boundary(of: "multipart/form-data; boundary=abc") == "abc")
        #expect(MultipartForm.boundary(of: "Multipart/Form-Data; charset=utf-8; BOUNDARY=\"q q\"") == "q q")
        #expect(MultipartForm.boundary(of: "application/json") == nil)
        #expect(MultipartForm.boundary(of: "multipart/form-data") == nil)
        #expect(MultipartForm.boundary(of: "multipart/form-data; boundary=\(String(repeating: "x", count: 71))") == nil, "at most 70")
        #expect(MultipartForm.boundary(of: nil) == nil)
        let parameters = MultipartForm.dispositionParameters(#"form-data; name="document-1"; filename="a \"b\".pdf"; size=3"#)
        #expect(parameters == ["name": "document-1", "filename": #"a "b".pdf"#, "size": "3"])
    }

    @Test("A file's type is read from its first bytes, never its name; a stored name keeps no path and no control character")
    func fileKinds() {
        #expect(FileKind.sniff(ByteBuffer(string: "%PDF-1.7\n")) == "application/pdf")
        #expect(FileKind.sniff(ByteBuffer(bytes: [0xFF, 0xD8, 0xFF, 0xE0])) == "image/jpeg")
        #expect(FileKind.sniff(ByteBuffer(bytes: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) == "image/png")
        #expect(FileKind.sniff(ByteBuffer(bytes: [0x7F, 0x45, 0x4C, 0x46])) == nil)
        #expect(FileKind.sniff(ByteBuffer()) == nil)
        #expect(FileKind.safeName("../../etc/giấy khai sinh.pdf", fallback: "f") == "giấy khai sinh.pdf")
        #expect(FileKind.safeName("C:\\scan\\a\u{7}b.pdf", fallback: "f") == "ab.pdf")
        #expect(FileKind.safeName(nil, fallback: "document-2") == "document-2")
        #expect(FileKind.safeName(String(repeating: "ă", count: 300), fallback: "f").count == 200)
    }

    static let secret = "whsec_" + Data("motcua-test-secret-32-bytes-long!".utf8).base64EncodedString()

    static func webhook(_ body: String, id: String? = "msg_1", at timestamp: Int, signatureSecret: String = secret) -> Request {
        var fields = HTTPFields()
        let bytes = Array(body.utf8)
        if let id {
            fields[.webhookID] = id
            fields[.webhookTimestamp] = "\(timestamp)"
            fields[.webhookSignature] = StandardWebhooks(secret: signatureSecret)!.signature(id: id, timestamp: timestamp, body: bytes)
        }
        return Request(
            head: HTTPRequest(method: .post, scheme: "http", authority: "x", path: "/postal/webhooks", headerFields: fields),
            body: .init(buffer: ByteBuffer(bytes: bytes)))
    }

    @Test("A signed webhook is read with its id and body; unconfigured is 503, a wrong or missing signature 401, too large 413")
    func signedWebhook() async throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let read = try await SignedWebhook.read(Self.webhook(#"{"a":1}"#, at: 1_800_000_000), secret: Self.secret, unconfigured: "chưa", now: now)
        #expect(read.id == "msg_1" && String(buffer: read.body) == #"{"a":1}"#)
        func status(_ request: Request, secret: String? = HTTPPartsTests.secret) async -> Int? {
            do {
                _ = try await SignedWebhook.read(request, secret: secret, unconfigured: "chưa cấu hình", now: now)
                return nil
            } catch {
                return (error as? Problem)?.status
            }
        }
        #expect(await status(Self.webhook("{}", at: 1_800_000_000), secret: nil) == 503)
        let otherSecret = "whsec_" + Data("another-secret-of-thirty-two-b!!".utf8).base64EncodedString()
        #expect(await status(Self.webhook("{}", at: 1_800_000_000, signatureSecret: otherSecret)) == 401)
        #expect(await status(Self.webhook("{}", at: 1_800_000_000 - 3600)) == 401, "outside the 5-minute tolerance")
        #expect(await status(Self.webhook("{}", id: nil, at: 1_800_000_000)) == 401)
        #expect(await status(Self.webhook("{}", id: String(repeating: "i", count: 201), at: 1_800_000_000)) == 401)
        #expect(await status(Self.webhook(String(repeating: " ", count: 70_000), at: 1_800_000_000)) == 413)
    }

    @Test("A typed answer is written by the API's encoder with its status and headers")
    func reply() throws {
        struct Body: Encodable, Sendable { var at: Date; var name: String }
        let value = Body(at: WorkCalendar.parse("2026-03-02T08:00:00+07:00")!, name: "Đỗ")
        let response = try Reply(value, status: .created, headers: [.location: "/x"]).response()
        #expect(response.status == .created && response.headers[.location] == "/x")
        #expect(response.headers[.contentType] == "application/json; charset=utf-8")
        // The body is the writer's bytes: instants in Vietnam time.
        let expected = #"{"at":"2026-03-02T08:00:00+07:00","name":"Đỗ"}"#
        #expect(String(decoding: try APIJSON.writer.encode(value), as: UTF8.self) == expected)
        #expect(response.body.contentLength == expected.utf8.count)
    }
}

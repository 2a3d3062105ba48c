import Foundation
import HTTPTypes
import Hummingbird
import MotCuaStore
import NIOCore
import Testing
@testable import MotCuaServer

/// The parts of `Idempotency-Key` handling that decide "the same request": its fingerprint, the
/// dossier a filing's answer names, and the answer replayed.
@Suite("Idempotency keys: fingerprints, filings, replays")
struct IdempotencyPartsTests {
    typealias Middleware = IdempotencyMiddleware

    func fingerprint(_ method: String = "POST", _ uri: String = "/api/v1/public/dossiers", _ type: String? = "application/json", _ body: String = #"{"a":1}"#) -> String {
        Middleware.fingerprint(method: method, uri: uri, contentType: type, body: ByteBuffer(string: body))
    }

    @Test("The same request is the same fingerprint; any difference in method, path, query, content type or body is another")
    func fingerprints() {
        let base = fingerprint()
        #expect(base.count == 64 && base.allSatisfy(\.isHexDigit))
        #expect(fingerprint() == base)
        #expect(fingerprint("PUT") != base)
        #expect(fingerprint("POST", "/api/v1/public/dossiers?x=1") != base)
        #expect(fingerprint("POST", "/api/v1/dossiers") != base)
        #expect(fingerprint("POST", "/api/v1/public/dossiers", "multipart/form-data; boundary=x") != base)
        #expect(fingerprint("POST", "/api/v1/public/dossiers", nil) != base)
        #expect(fingerprint("POST", "/api/v1/public/dossiers", "application/json", #"{"a": 1}"#) != base, "bytes, not meaning: a retry sends the same bytes")
    }

    func response(_ status: HTTPResponse.Status, location: String?) -> Response {
        var headers = HTTPFields()
        if let location { headers[.location] = location }
        return Response(status: status, headers: headers)
    }

    @Test("A filing's answer is recognised by its 201 and its Location, officer or citizen")
    func filings() {
        #expect(Middleware.filedDossier(response(.created, location: "/api/v1/dossiers/000.15.01.H42-260302-0001")) == "000.15.01.H42-260302-0001")
        #expect(Middleware.filedDossier(response(.created, location: "/api/v1/public/dossiers/H40-260302-0002")) == "H40-260302-0002")
        #expect(Middleware.filedDossier(response(.ok, location: "/api/v1/dossiers/X-260302-0001")) == nil, "only a creation")
        #expect(Middleware.filedDossier(response(.created, location: nil)) == nil)
        #expect(Middleware.filedDossier(response(.created, location: "/api/v1/dossiers/")) == nil)
        #expect(Middleware.filedDossier(response(.created, location: "/api/v1/dossiers/X/files/abc")) == nil, "a file is not a filing")
        #expect(Middleware.filedDossier(response(.created, location: "/elsewhere/dossiers/X")) == nil)
    }

    @Test("A replay carries the kept status, headers and body, marked Idempotent-Replayed")
    func replays() async throws {
        let stored = StoredResponse(
            fingerprint: "f", status: 201, headers: ["Content-Type": "application/json; charset=utf-8", "Location": "/api/v1/dossiers/X"],
            body: Data(#"{"code":"X"}"#.utf8))
        let replayed = Middleware.replay(stored)
        #expect(replayed.status == .created)
        #expect(replayed.headers[.idempotentReplayed] == "true")
        #expect(replayed.headers[.location] == "/api/v1/dossiers/X")
        #expect(replayed.headers[.contentType] == "application/json; charset=utf-8")
        #expect(Set(replayed.headers.map(\.name.canonicalName)).isSubset(of: ["content-type", "location", "idempotent-replayed", "content-length"]))
        let collector = BodyCollector()
        try await replayed.body.write(CollectingWriter(collector: collector))
        #expect(String(buffer: collector.buffer) == #"{"code":"X"}"#)
    }
}

import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import MotCuaStore
import NIOCore

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
}

extension StoredResponse {
    /// The key under which a kept answer names the dossier it is rebuilt from (a filing, whose
    /// answer carries the access secret, which is never stored).
    static let dossierCodeKey = "motcua-replay-from"

    var dossierCode: String? { headers[Self.dossierCodeKey] }
}

/// `Idempotency-Key` on POST: the first request with a key runs and its successful response is
/// kept; a retry with the same key and the same body gets that response again (marked
/// `Idempotent-Replayed: true`) and has no second effect; the same key with another body is a
/// 422; a retry while the first still runs is a 409 with `Retry-After`. A request that fails
/// without effect frees its key. Keys are kept `ttl` seconds, per client and path.
///
/// A request that filed a dossier and then died before answering (a crash) is recognised by
/// the dossier code linked to its key in the filing transaction: after `staleAfter` a retry gets
/// the response rebuilt from that dossier (`recover`), never a second dossier.
struct IdempotencyMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let store: any DossierStore
    let ttl: TimeInterval
    let bodyLimit: Int
    let now: @Sendable () -> Date
    /// The key namespace of the client.
    let scope: @Sendable (Request, AppRequestContext) -> String
    let recover: @Sendable (_ dossierCode: String) async throws -> Response?
    var staleAfter: TimeInterval = 60

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post, let raw = request.headers[.idempotencyKey] else {
            return try await next(request, context)
        }
        guard (1...255).contains(raw.utf8.count), raw.utf8.allSatisfy({ (33...126).contains($0) }) else {
            throw Problem.validation(field: "Idempotency-Key", reason: "Idempotency-Key phải gồm 1–255 ký tự ASCII hiển thị được.")
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: bodyLimit)
        } catch {
            throw Problem.typed(.tooLarge, detail: "Nội dung yêu cầu vượt quá \(bodyLimit) byte.")
        }
        let fingerprint = Self.fingerprint(
            method: request.method.rawValue, uri: request.uri.description, contentType: request.headers[.contentType], body: body)
        // Scoped to the path as well: a client that numbers its keys per endpoint (or a fuzzer that
        // tries "0" everywhere) does not see a key of one action refused as "reused" on another.
        let key = IdempotencyKey(scope: "\(scope(request, context)) \(request.uri.path)", key: raw)
        let started = now()

        switch try await store.claimIdempotencyKey(key, fingerprint: fingerprint, now: started, expiresAt: started.addingTimeInterval(ttl)) {
        case .claimed:
            break
        case let .completed(stored):
            guard stored.fingerprint == fingerprint else { throw Self.reused }
            if let code = stored.dossierCode {
                guard var rebuilt = try await recover(code) else { throw Problem.notFound }
                rebuilt.headers[.idempotentReplayed] = "true"
                return rebuilt
            }
            return Self.replay(stored)
        case let .inProgress(storedFingerprint, since, dossierCode):
            guard storedFingerprint == fingerprint else { throw Self.reused }
            guard started.timeIntervalSince(since) >= staleAfter else {
                throw Self.inProgress
            }
            if let dossierCode, let response = try await recover(dossierCode) {
                return try await keep(response, key: key, fingerprint: fingerprint)
            }
            // The earlier attempt died before any effect: run it again under the same key.
            try await store.releaseIdempotencyKey(key)
            guard case .claimed = try await store.claimIdempotencyKey(
                key, fingerprint: fingerprint, now: started, expiresAt: started.addingTimeInterval(ttl))
            else {
                throw Self.inProgress
            }
        }

        var context = context
        context.idempotencyKey = key
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            try? await store.releaseIdempotencyKey(key)
            throw error
        }
        guard (200..<300).contains(Int(response.status.code)) else {
            try? await store.releaseIdempotencyKey(key)
            return response
        }
        return try await keep(response, key: key, fingerprint: fingerprint)
    }

    static let inProgress = Problem.typed(
        .requestInProgress, detail: "Yêu cầu với Idempotency-Key này đang được xử lý; hãy thử lại sau giây lát.")
    static let reused = Problem.typed(
        .idempotencyKeyReused, detail: "Idempotency-Key này đã được dùng cho một yêu cầu có nội dung khác.")

    /// SHA-256 over method, path and query, content type and body.
    static func fingerprint(method: String, uri: String, contentType: String?, body: ByteBuffer) -> String {
        var hash = SHA256()
        hash.update(data: Array("\(method) \(uri)\n\(contentType ?? "")\n".utf8))
        body.withUnsafeReadableBytes { hash.update(bufferPointer: $0) }
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The dossier a filing's answer names (201 with `Location: …/dossiers/{code}`): such an
    /// answer carries the access secret, so it is kept as the code alone and rebuilt on replay.
    static func filedDossier(_ response: Response) -> String? {
        guard response.status == .created, let location = response.headers[.location] else { return nil }
        for prefix in ["/api/v1/dossiers/", "/api/v1/public/dossiers/"] where location.hasPrefix(prefix) {
            let code = location.dropFirst(prefix.count)
            if !code.isEmpty, !code.contains("/") { return String(code) }
        }
        return nil
    }

    /// Stores a successful response for replay and returns it with its body in memory; a filing's
    /// answer (`filedDossier`) is kept as its dossier code only.
    func keep(_ response: Response, key: IdempotencyKey, fingerprint: String) async throws -> Response {
        let collector = BodyCollector()
        try await response.body.write(CollectingWriter(collector: collector))
        var headers: [String: String] = [:]
        for field in response.headers where field.name != .contentLength && field.name != .date {
            headers[field.name.canonicalName] = field.value
        }
        let bytes = collector.buffer
        let filed = Self.filedDossier(response)
        if let filed { headers = [StoredResponse.dossierCodeKey: filed] }
        try await store.completeIdempotencyKey(
            key, response: StoredResponse(
                fingerprint: fingerprint, status: Int(response.status.code), headers: headers, body: filed == nil ? Data(buffer: bytes) : Data()))
        return Response(status: response.status, headers: response.headers, body: .init(byteBuffer: bytes))
    }

    static func replay(_ stored: StoredResponse) -> Response {
        var headers = HTTPFields()
        for (name, value) in stored.headers.sorted(by: { $0.key < $1.key }) {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        headers[.idempotentReplayed] = "true"
        return Response(status: .init(code: stored.status), headers: headers, body: .init(byteBuffer: ByteBuffer(data: stored.body)))
    }
}

final class BodyCollector: @unchecked Sendable {
    var buffer = ByteBuffer()
}

struct CollectingWriter: ResponseBodyWriter {
    let collector: BodyCollector

    mutating func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        collector.buffer.writeBuffer(&buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

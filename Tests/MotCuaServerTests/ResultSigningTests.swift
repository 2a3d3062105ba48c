import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import MotCuaAPI
import MotCuaCore
import MotCuaSim
import MotCuaStore
import Testing
@testable import MotCuaServer

/// Signed electronic results (issue #20): signed at approval, the signature on the control
/// sheet, in the download's header and at the public verification endpoint.
@Suite("Signed electronic results")
struct ResultSigningTests {
    /// An online level-4 dossier with electronic return, taken to approval with `result` and
    /// made ready. Returns its code, access secret and the approval's answer.
    func approvedOnline(_ server: TestServer, result: Data) async throws -> (code: String, secret: String, approval: HTTPResult) {
        let filed = try await server.submit(Fixture.birthParts())
        let code = try #require(filed.json["code"] as? String)
        let secret = try #require(filed.json["accessSecret"] as? String)
        let desk = try await server.login(.desk), leader = try await server.login(.leader), handler = try await server.login(.handler)
        #expect(try await server.request("POST", "/api/v1/dossiers/\(code)/receive", token: desk, json: [:]).status == 200)
        let departments = try #require(try await server.store.agencies().first { $0.id == TestServer.agencyA }?.departments)
        _ = try await server.request("POST", "/api/v1/dossiers/\(code)/transfer", token: desk, json: ["departmentID": departments[0].id])
        server.clock.advance(600)
        let (body, type) = Fixture.multipart([.text("note", "Đồng ý"), .file("result", "ket-qua.pdf", result)])
        let approval = try await server.request("POST", "/api/v1/dossiers/\(code)/approve", token: leader, body: body, contentType: type)
        if approval.status == 200 {
            #expect(try await server.request("POST", "/api/v1/dossiers/\(code)/ready", token: handler, json: [:]).status == 200)
        }
        return (code, secret, approval)
    }

    func keys(_ server: TestServer) async throws -> [PublishedSigningKey] {
        let answer = try await server.request("GET", "/api/v1/public/keys")
        #expect(answer.status == 200, "\(answer.text)")
        return try WireJSON.decoder.decode(PublishedSigningKeyList.self, from: answer.body).keys
    }

    func verification(_ server: TestServer, _ path: String) async throws -> (status: Int, view: ResultVerificationView?) {
        let answer = try await server.request("GET", path)
        return (answer.status, answer.status == 200 ? try WireJSON.decoder.decode(ResultVerificationView.self, from: answer.body) : nil)
    }

    @Test("Approval signs the result with the agency's key: the control sheet, the download's header, the status page and the public endpoint agree")
    func signedAtApproval() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let pdf = Fixture.pdf(seed: "kết quả")
        let sha256 = SHA256.hash(data: pdf).map { String(format: "%02x", $0) }.joined()
        let (code, secret, approval) = try await approvedOnline(server, result: pdf)
        #expect(approval.status == 200, "\(approval.text)")

        // The control sheet's approval carries it, made by the leader's agency for this file.
        let dossier = try #require(try await server.store.dossier(code: code))
        let events = try await server.store.events(dossierID: dossier.id)
        let signature = try #require(events.first { $0.kind == .approved }?.resultSignature)
        #expect(signature.sha256 == sha256 && signature.dossierCode == code && signature.agencyID == TestServer.agencyA)
        let sheet = try #require((approval.json["controlSheet"] as? [[String: Any]])?.first { $0["kind"] as? String == "approved" })
        #expect((sheet["resultSignature"] as? [String: Any])?["keyID"] as? String == signature.keyID)

        // The key was made on first use, kept mode 0600, and published.
        let keyFile = URL(fileURLWithPath: server.dependencies.configuration.signingKeysPath)
            .appendingPathComponent(TestServer.agencyA).appendingPathComponent("\(signature.keyID).pem")
        let mode = try FileManager.default.attributesOfItem(atPath: keyFile.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let published = try await keys(server)
        #expect(published.map(\.keyID) == [signature.keyID] && published[0].agencyID == TestServer.agencyA)
        #expect(ResultSigning.check(signature, fileSHA256: sha256, keys: published) == nil)

        // The citizen's download carries the signature; the status page prints the code to check it.
        let download = try await server.request("GET", "/api/v1/public/dossiers/\(code)/result", headers: ["X-Access-Secret": secret])
        #expect(download.status == 200 && download.body == pdf)
        let token = try #require(download.headers[ResultSigning.header.lowercased()])
        #expect(ResultSigning.signature(fromToken: token) == signature)
        let result = try #require(try await server.lookup(code, secret: secret).json["result"] as? [String: Any])
        #expect(result["signed"] as? Bool == true)
        let verificationCode = try #require(result["verificationCode"] as? String)
        #expect(verificationCode == String(sha256.prefix(16)).uppercased().enumerated().map { ($0.offset > 0 && $0.offset % 4 == 0 ? "-" : "") + String($0.element) }.joined())

        // Anyone can check it, by the digest or by the printed code; no personal data is shown.
        for path in ["/api/v1/public/verify/\(sha256)", "/api/v1/public/verify/\(verificationCode)",
                     "/api/v1/public/verify/\(sha256)?signature=\(token)"] {
            let (status, view) = try await verification(server, path)
            #expect(status == 200, "\(path)")
            let entry = try #require(view?.signatures.first)
            #expect(view?.signatures.count == 1 && entry.valid && entry.problem == nil, "\(path)")
            #expect(entry.dossierCode == code && entry.agencyID == TestServer.agencyA && entry.keyID == signature.keyID)
            #expect(entry.signedAt == signature.signedAt && entry.agencyName != nil)
        }
        let page = try await server.request("GET", "/api/v1/public/verify/\(sha256)")
        #expect(!page.text.contains("Trần Thị Bình") && !page.text.contains("001203004005") && !page.text.contains("0912345678"))
        // The officers' download of the result carries it too.
        let desk = try await server.login(.desk)
        let officerDownload = try await server.request("GET", "/api/v1/dossiers/\(code)/files/\(sha256)", token: desk)
        #expect(officerDownload.headers[ResultSigning.header.lowercased()] == token)
        // The receipt (form 01), reprinted, carries the verification code.
        let receipt = try await server.request("GET", "/api/v1/dossiers/\(code)/forms/01", token: desk)
        #expect(receipt.status == 200 && receipt.text.contains("Mã xác thực: <strong>\(verificationCode)</strong>"), "\(receipt.text.suffix(600))")
    }

    @Test("A forged, altered or re-signed result is refused")
    func refusals() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let pdf = Fixture.pdf(seed: "gốc")
        let (code, _, approval) = try await approvedOnline(server, result: pdf)
        #expect(approval.status == 200, "\(approval.text)")
        let dossier = try #require(try await server.store.dossier(code: code))
        let signature = try #require(try await server.store.events(dossierID: dossier.id).first { $0.kind == .approved }?.resultSignature)
        let published = try await keys(server)

        // Altered: one byte changed, another digest: nothing was signed with it.
        var altered = pdf
        altered[altered.count - 1] ^= 1
        let alteredSHA = SHA256.hash(data: altered).map { String(format: "%02x", $0) }.joined()
        #expect(try await verification(server, "/api/v1/public/verify/\(alteredSHA)").status == 404)
        let token = try ResultSigning.token(signature)
        let mismatch = try await verification(server, "/api/v1/public/verify/\(alteredSHA)?signature=\(token)")
        #expect(mismatch.view?.signatures.first?.valid == false)
        #expect(ResultSigning.check(signature, fileSHA256: alteredSHA, keys: published) == .digestMismatch)

        // Forged: the signed values changed (another dossier code), or the signature's bytes.
        var forged = signature
        forged.dossierCode = "\(TestServer.agencyA)-260302-9999"
        #expect(ResultSigning.check(forged, keys: published) == .badSignature)
        var flipped = signature
        var bytes = try #require(Data(base64Encoded: signature.signature))
        bytes[5] ^= 0x40
        flipped.signature = bytes.base64EncodedString()
        #expect(ResultSigning.check(flipped, keys: published) == .badSignature)
        for bad in [forged, flipped] {
            let answer = try await verification(server, "/api/v1/public/verify/\(signature.sha256)?signature=\(try ResultSigning.token(bad))")
            #expect(answer.status == 200 && answer.view?.signatures.first?.valid == false)
        }

        // Re-signed: the same file and values signed by a key no agency published.
        let stranger = try ResultSigning.sign(
            sha256: signature.sha256, dossierCode: code, agencyID: TestServer.agencyA, at: signature.signedAt, key: P256.Signing.PrivateKey())
        #expect(ResultSigning.check(stranger, fileSHA256: signature.sha256, keys: published) == .unknownKey)
        let resigned = try await verification(server, "/api/v1/public/verify/\(signature.sha256)?signature=\(try ResultSigning.token(stranger))")
        #expect(resigned.view?.signatures.first?.valid == false)
        #expect(resigned.view?.signatures.first?.problem?.contains("khóa") == true)
        // Signed by a published key of another agency and passed off as this one's.
        var borrowed = stranger
        borrowed.keyID = signature.keyID
        borrowed.agencyID = TestServer.agencyB
        #expect(ResultSigning.check(borrowed, keys: published) == .wrongAgency)

        // Malformed digests and tokens are refused with the field named.
        let malformed = try await server.request("GET", "/api/v1/public/verify/not-a-digest")
        #expect(malformed.status == 422 && malformed.text.contains("digest"))
        let unreadable = try await server.request("GET", "/api/v1/public/verify/\(signature.sha256)?signature=%25%25")
        #expect(unreadable.status == 422 && unreadable.text.contains("signature"))
    }

    @Test("Rotating an agency's key: new results are signed with the new key, the old ones still verify")
    func rotation() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let first = try await approvedOnline(server, result: Fixture.pdf(seed: "một"))
        #expect(first.approval.status == 200, "\(first.approval.text)")
        let signer = try #require(server.dependencies.signer as? LocalResultSigner)
        let before = try await keys(server)
        server.clock.advance(60)
        let newKeyID = try await signer.rotate(agencyID: TestServer.agencyA, now: server.clock.now)
        #expect(newKeyID != before[0].keyID)
        server.clock.advance(60)
        let second = try await approvedOnline(server, result: Fixture.pdf(seed: "hai"))
        #expect(second.approval.status == 200, "\(second.approval.text)")

        let after = try await keys(server)
        #expect(after.count == 2 && after.first { $0.keyID == before[0].keyID }?.retiredAt != nil)
        #expect(after.first { $0.keyID == newKeyID }?.retiredAt == nil)
        for (code, keyID) in [(first.code, before[0].keyID), (second.code, newKeyID)] {
            let dossier = try #require(try await server.store.dossier(code: code))
            let signature = try #require(try await server.store.events(dossierID: dossier.id).first { $0.kind == .approved }?.resultSignature)
            #expect(signature.keyID == keyID)
            let view = try #require(try await verification(server, "/api/v1/public/verify/\(signature.sha256)").view)
            #expect(view.signatures.map(\.valid) == [true], "\(code)")
        }
        // A signature dated after its key's retirement does not hold.
        let oldKeyFile = URL(fileURLWithPath: server.dependencies.configuration.signingKeysPath)
            .appendingPathComponent(TestServer.agencyA).appendingPathComponent("\(before[0].keyID).pem")
        let oldKey = try P256.Signing.PrivateKey(pemRepresentation: String(contentsOf: oldKeyFile, encoding: .utf8))
        let late = try ResultSigning.sign(sha256: String(repeating: "a", count: 64), dossierCode: first.code, agencyID: TestServer.agencyA,
                                          at: server.clock.now, key: oldKey)
        #expect(ResultSigning.check(late, keys: after) == .keyRetired)
    }

    @Test("A remote signing service signs; when it is down nothing is approved (503) and the approval goes through once it is back")
    func remote() async throws {
        let sim = SigningSim(apiKey: "khoa-ky-so")
        let (port, task) = await serveOnLoopback(sim.router(), label: "signing-sim")
        defer { task.cancel() }
        let server = try await TestServer.start {
            $0.signing.mode = .remote
            $0.signing.remoteURL = "http://127.0.0.1:\(port)"
            $0.signing.remoteAPIKey = "khoa-ky-so"
        }
        defer { Task { await server.stop() } }
        #expect(server.dependencies.signer is RemoteResultSigner)

        var outage = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/sim/outage?on=true")!)
        outage.httpMethod = "POST"
        _ = try await URLSession.shared.data(for: outage)
        let refused = try await approvedOnline(server, result: Fixture.pdf(seed: "ba"))
        #expect(refused.approval.status == 503, "\(refused.approval.text)")
        #expect(try await server.store.dossier(code: refused.code)?.status == .processing)

        outage.url = URL(string: "http://127.0.0.1:\(port)/sim/outage?on=false")!
        _ = try await URLSession.shared.data(for: outage)
        let leader = try await server.login(.leader)
        let pdf = Fixture.pdf(seed: "ba")
        let (body, type) = Fixture.multipart([.file("result", "ket-qua.pdf", pdf)])
        let approved = try await server.request("POST", "/api/v1/dossiers/\(refused.code)/approve", token: leader, body: body, contentType: type)
        #expect(approved.status == 200, "\(approved.text)")
        #expect(sim.stats.signatures == 1)
        let sha256 = SHA256.hash(data: pdf).map { String(format: "%02x", $0) }.joined()
        let view = try #require(try await verification(server, "/api/v1/public/verify/\(sha256)").view)
        #expect(view.signatures.map(\.valid) == [true] && view.signatures.first?.dossierCode == refused.code)
    }
}

import Foundation
import MotCuaCore
import Testing
@testable import MotCuaStore

@Suite("Signing keys and result signatures, on every backend")
struct SignatureStoreTests {
    let now = WorkCalendar.parse("2026-03-02T09:00:00+07:00")!

    @Test("Keys publish once, retire once and list oldest first; a signature is written with its approval and found by digest or prefix", arguments: Backend.all)
    func keysAndSignatures(backend: Backend) async throws {
        let store = try await backend.makeStore()
        _ = try await store.saveCatalogue(tree: catalogue.tree, procedures: catalogue.procedures)
        let first = SigningKeyRecord(keyID: String(repeating: "1", count: 32), agencyID: desk.agencyID, algorithm: "ES256", publicKeyPEM: "PEM 1", createdAt: now)
        let second = SigningKeyRecord(
            keyID: String(repeating: "2", count: 32), agencyID: desk.agencyID, algorithm: "ES256", publicKeyPEM: "PEM 2", createdAt: now.addingTimeInterval(60))
        let other = SigningKeyRecord(keyID: String(repeating: "3", count: 32), agencyID: "000.07.01.H25", algorithm: "ES256", publicKeyPEM: "PEM 3", createdAt: now)
        for key in [second, first, other, first] { try await store.publishSigningKey(key) }
        #expect(try await store.signingKeys(agencyID: desk.agencyID) == [first, second])
        #expect(try await store.signingKeys(agencyID: nil).count == 3)
        try await store.retireSigningKey(keyID: first.keyID, at: now.addingTimeInterval(60))
        try await store.retireSigningKey(keyID: first.keyID, at: now.addingTimeInterval(999))
        #expect(try await store.signingKeys(agencyID: desk.agencyID).first?.retiredAt == now.addingTimeInterval(60))

        let dossier = try await file(store, intake(), at: now)
        let sha256 = String(repeating: "ab", count: 32)
        let signature = ResultSignature(
            keyID: second.keyID, agencyID: desk.agencyID, dossierCode: dossier.code, sha256: sha256, signedAt: now.addingTimeInterval(120),
            signature: "c2lnbmF0dXJl")
        let approved = try await store.apply(code: dossier.code) { current in
            var event = DossierEvent(sequence: current.version + 1, kind: .approved, at: now.addingTimeInterval(120), actor: desk, agencyID: desk.agencyID)
            event.resultFile = StoredFile(sha256: sha256, name: "kq.pdf", contentType: "application/pdf", size: 10, document: "Kết quả")
            event.resultSignature = signature
            return [event]
        }
        #expect(try await store.events(dossierID: approved.id).last?.resultSignature == signature)
        #expect(try await store.resultSignatures(digestPrefix: sha256) == [signature])
        #expect(try await store.resultSignatures(digestPrefix: "abababababababab") == [signature])
        #expect(try await store.resultSignatures(digestPrefix: "abababababababac").isEmpty)
        #expect(try await store.resultSignatures(digestPrefix: String(repeating: "cd", count: 32)).isEmpty)
    }
}

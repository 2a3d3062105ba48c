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

@Suite("Steps that ended, on every backend")
struct StepFactStoreTests {
    @Test("A step ended is written with the event that ends it; counted by department or officer, late ones apart", arguments: Backend.all)
    func stepFacts(backend: Backend) async throws {
        let store = try await backend.makeStore()
        _ = try await store.saveCatalogue(tree: catalogue.tree, procedures: catalogue.procedures)
        let received = WorkCalendar.parse("2026-03-02T08:00:00+07:00")!
        // 1.001193 takes one working day: the desk's share (10%) ends at 08:48.
        let onTime = try await file(store, intake("Một"), at: received)
        let late = try await file(store, intake("Hai"), at: received)
        let department = catalogue.tree.agencies[desk.agencyID]!.departments[0].id
        let departments = catalogue.tree.agencies[desk.agencyID]!.departments
        let early = DecisionContext(actor: desk, now: WorkCalendar.parse("2026-03-02T08:30:00+07:00")!, calendar: calendar, departments: departments)
        let after = DecisionContext(actor: desk, now: WorkCalendar.parse("2026-03-02T10:00:00+07:00")!, calendar: calendar, departments: departments)
        _ = try await store.apply(code: onTime.code) { try Lifecycle.decide(.transfer(departmentID: department), dossier: $0, context: early) }
        _ = try await store.apply(code: late.code) { try Lifecycle.decide(.transfer(departmentID: department), dossier: $0, context: after) }
        let from = received.timeIntervalSince1970, to = from + 86_400
        let byDepartment = try await store.stepTallies(from: from, to: to, agencies: [desk.agencyID], byOfficer: false)
        #expect(byDepartment == [StepTally(key: "", name: nil, step: .desk, total: 2, late: 1)])
        let byOfficer = try await store.stepTallies(from: from, to: to, agencies: nil, byOfficer: true)
        #expect(byOfficer == [StepTally(key: desk.id, name: desk.name, step: .desk, total: 2, late: 1)])
        #expect(try await store.stepTallies(from: from, to: to, agencies: ["000.07.01.H25"], byOfficer: false).isEmpty)
        #expect(try await store.stepTallies(from: to, to: to + 86_400, agencies: nil, byOfficer: false).isEmpty)
    }
}

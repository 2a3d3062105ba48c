import Foundation
import MotCuaCore
import Testing
@testable import MotCuaStore

/// A filing under an `Idempotency-Key` names its dossier in the same transaction as the dossier:
/// a request that died after filing and before answering is recognised by a retry, which then
/// answers with that dossier instead of filing a second one. On both backends.
@Suite("Filings under an idempotency key, on every backend")
struct IdempotentFilingTests {
    let now = WorkCalendar.parse("2026-03-02T09:00:00+07:00")!

    func fileUnder(_ key: IdempotencyKey?, _ store: any DossierStore, name: String = "Nguyễn Văn An") async throws -> Dossier {
        let context = DecisionContext(actor: desk, now: now, calendar: calendar)
        let id = UUID().uuidString
        let application = intake(name)
        return try await store.fileDossier(agencyID: desk.agencyID, day: WorkCalendar.localDate(of: now), idempotencyKey: key) { code in
            try Lifecycle.file(application, code: code, id: id, context: context)
        }.0
    }

    @Test("A request that filed and died: the retry finds its dossier through the key", arguments: Backend.all)
    func diedAfterFiling(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let key = IdempotencyKey(scope: "officer:desk-1", key: "retry-1")
        #expect(try await store.claimIdempotencyKey(key, fingerprint: "f", now: now, expiresAt: now + 86_400) == .claimed)
        let filed = try await fileUnder(key, store)
        // No answer was kept (the process died here). A retry asks again:
        let retry = try await store.claimIdempotencyKey(key, fingerprint: "f", now: now + 30, expiresAt: now + 86_430)
        #expect(retry == .inProgress(fingerprint: "f", since: now, dossierCode: filed.code))
        #expect(try await store.counts().dossiers == 1)
    }

    @Test("A request still running, with nothing filed yet, shows no dossier; a released key is free again", arguments: Backend.all)
    func running(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let key = IdempotencyKey(scope: "public", key: "k")
        #expect(try await store.claimIdempotencyKey(key, fingerprint: "f", now: now, expiresAt: now + 3_600) == .claimed)
        #expect(try await store.claimIdempotencyKey(key, fingerprint: "f", now: now + 1, expiresAt: now + 3_601) == .inProgress(fingerprint: "f", since: now, dossierCode: nil))
        try await store.releaseIdempotencyKey(key)
        #expect(try await store.claimIdempotencyKey(key, fingerprint: "g", now: now + 2, expiresAt: now + 3_602) == .claimed)
    }

    @Test("Filings without a key, or under different keys, each file their own dossier", arguments: Backend.all)
    func independent(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let a = IdempotencyKey(scope: "public", key: "a"), b = IdempotencyKey(scope: "public", key: "b")
        for key in [a, b] { #expect(try await store.claimIdempotencyKey(key, fingerprint: "f", now: now, expiresAt: now + 3_600) == .claimed) }
        let first = try await fileUnder(a, store, name: "Một")
        let second = try await fileUnder(b, store, name: "Hai")
        let third = try await fileUnder(nil, store, name: "Ba")
        #expect(Set([first.code, second.code, third.code]).count == 3)
        if case let .inProgress(_, _, code) = try await store.claimIdempotencyKey(a, fingerprint: "f", now: now + 5, expiresAt: now + 3_605) {
            #expect(code == first.code)
        } else {
            Issue.record("key a is not in progress")
        }
        if case let .inProgress(_, _, code) = try await store.claimIdempotencyKey(b, fingerprint: "f", now: now + 5, expiresAt: now + 3_605) {
            #expect(code == second.code)
        } else {
            Issue.record("key b is not in progress")
        }
    }

    @Test("A filing the lifecycle refuses leaves the key without a dossier and the day's numbers untouched", arguments: Backend.all)
    func refusedFiling(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let key = IdempotencyKey(scope: "public", key: "refused")
        #expect(try await store.claimIdempotencyKey(key, fingerprint: "f", now: now, expiresAt: now + 3_600) == .claimed)
        let context = DecisionContext(actor: desk, now: now, calendar: calendar)
        var application = intake()
        application.applicant.phone = "123"
        let bad = application
        await #expect(throws: DomainError.self) {
            _ = try await store.fileDossier(agencyID: desk.agencyID, day: WorkCalendar.localDate(of: now), idempotencyKey: key) { code in
                try Lifecycle.file(bad, code: code, id: "x", context: context)
            }
        }
        #expect(try await store.claimIdempotencyKey(key, fingerprint: "f", now: now + 1, expiresAt: now + 3_601) == .inProgress(fingerprint: "f", since: now, dossierCode: nil))
        let next = try await fileUnder(nil, store)
        #expect(next.code.hasSuffix("-0001"), "the refused filing used no number: \(next.code)")
    }
}

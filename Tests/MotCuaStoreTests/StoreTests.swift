import Foundation
import GRDB
import MotCuaConfig
import MotCuaCore
import MotCuaTestSupport
import Testing
@testable import MotCuaStore

let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func temporaryDatabase() -> String {
    TestScratch.path("motcua-store", suffix: ".sqlite").path
}

let catalogue: Catalogue = {
    do {
        return try SeedLoader.loadCatalogue(from: repository.appendingPathComponent("Seeds"))
    } catch {
        preconditionFailure("Seeds/ does not load: \(error)")
    }
}()

let calendar: WorkCalendar = {
    do { return try ConfigLoader.loadCalendars(from: repository.appendingPathComponent("Config")).standard } catch {
        preconditionFailure("Config/ does not load: \(error)")
    }
}()

let desk = Actor(id: "desk-1", name: "Nguyễn Thị Hoa", role: .desk, agencyID: "000.15.01.H42")

func intake(_ name: String = "Nguyễn Văn An", procedureCode: String = "1.001193") -> Intake {
    let procedure = catalogue.procedures.first { $0.code == procedureCode }!
    return Intake(
        procedure: procedure,
        applicant: Applicant(name: name, idNumber: "001203004005", phone: "0912345678", address: "Sông Trí"),
        documents: procedure.documents.map { ProvidedDocument(name: $0.name, originals: $0.originals, copies: $0.copies) },
        returnMethod: .desk)
}

func file(_ store: any DossierStore, _ intake: Intake, at now: Date, by actor: Actor = desk) async throws -> Dossier {
    let context = DecisionContext(actor: actor, now: now, calendar: calendar)
    let id = UUID().uuidString
    return try await store.fileDossier(agencyID: actor.agencyID, day: WorkCalendar.localDate(of: now)) { code in
        try Lifecycle.file(intake, code: code, id: id, context: context)
    }.0
}

@Suite("Store, on every backend")
struct StoreTests {
    let now = WorkCalendar.parse("2026-03-02T09:00:00+07:00")!

    @Test("200 concurrent intakes get 200 distinct codes, numbered 0001–0200 for the day", arguments: Backend.all)
    func concurrentIntakes(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let codes = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<200 {
                group.addTask { try await file(store, intake("Người \(index)"), at: now).code }
            }
            var codes: [String] = []
            for try await code in group { codes.append(code) }
            return codes
        }
        #expect(Set(codes).count == 200)
        #expect(Set(codes) == Set((1...200).map { String(format: "000.15.01.H42-260302-%04d", $0) }))
        // The metrics' count of database calls running: back to none (PostgreSQL counts them).
        #expect(store.callsInFlight == (backend == .postgres ? 0 : nil))
        let counts = try await store.counts()
        #expect(counts.dossiers == 200 && counts.events == 400)
        // The sequence restarts the next day.
        let tomorrow = try await file(store, intake(), at: now.addingTimeInterval(86_400))
        #expect(tomorrow.code == "000.15.01.H42-260303-0001")
    }

    @Test("Near the day's last code, concurrent intakes take the numbers left and the others are refused, nothing half-written",
          arguments: Backend.all)
    func dailyLimitUnderConcurrency(backend: Backend) async throws {
        let store = try await backend.makeStore()
        _ = try await file(store, intake(), at: now)
        try await rawExecute(store, "UPDATE dossier_sequences SET last = \(DossierCode.dailyLimit - 6)")
        // Concurrent intakes of one desk and day are filed together (one transaction on
        // PostgreSQL): the group that crosses the limit must still file the ones that fit.
        let outcomes = await withTaskGroup(of: Result<String, any Error>.self) { group in
            for index in 0..<20 {
                group.addTask {
                    do { return .success(try await file(store, intake("Người \(index)"), at: now).code) } catch { return .failure(error) }
                }
            }
            var outcomes: [Result<String, any Error>] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        let codes = outcomes.compactMap { try? $0.get() }
        #expect(Set(codes) == Set((9_994...9_999).map { String(format: "000.15.01.H42-260302-%04d", $0) }))
        for case let .failure(error) in outcomes {
            guard case StoreError.dailyCodeLimit = error else {
                Issue.record("unexpected error \(error)")
                continue
            }
        }
        let counts = try await store.counts()
        #expect(counts.dossiers == 7 && counts.events == 14)
    }

    @Test("A restart keeps dossiers, control sheets, officers and sessions", arguments: Backend.all)
    func restart(backend: Backend) async throws {
        let database = try await backend.scratch()
        var store: (any DossierStore)? = try await database.open()
        let filed = try await file(store!, intake(), at: now)
        try await store!.createOfficer(Officer(id: "o1", username: "hoa", name: "Hoa", role: .desk, agencyID: desk.agencyID, departmentID: nil, passwordHash: "x"))
        try await store!.createSession(tokenHash: "h", officerID: "o1", createdAt: now, expiresAt: now.addingTimeInterval(3600))
        _ = try await store!.saveCatalogue(tree: catalogue.tree, procedures: catalogue.procedures)
        store = nil
        let reopened = try await database.open()
        #expect(try await reopened.dossier(code: filed.code) == filed)
        #expect(try await reopened.events(dossierID: filed.id).map(\.kind) == [.created, .received])
        #expect(try await reopened.session(tokenHash: "h", now: now)?.0.username == "hoa")
        #expect(try await reopened.session(tokenHash: "h", now: now.addingTimeInterval(7200)) == nil)
        #expect(try await reopened.procedures().count == catalogue.procedures.count)
        let migrations: [String] = switch backend {
        case .sqlite:
            ["v1-catalogue-officers-dossiers", "v2-files-idempotency-webhooks", "v3-overdue-watch", "v4-notification-outbox",
             "v5-statistics", "v6-postal-outbox", "v7-webhook-receipts-by-age", "v8-login-failures-audit",
             "v9-dead-letters", "v10-slim-layout", "v11-near-due-covering", "v12-outbox-retry-window", "v13-portal-outbox",
             "v14-result-signatures", "v15-supplementation-waits", "v16-step-watch",
             "v17-step-facts", "v18-anywhere-in-province"]
        case .postgres:
            ["v1-schema", "v2-lz4-json", "v3-login-failures-audit", "v4-dead-letters", "v5-report-covering-indexes", "v6-slim-layout",
             "v7-near-due-covering", "v8-outbox-retry-window", "v9-portal-outbox", "v10-result-signatures",
             "v11-supplementation-waits", "v12-step-watch", "v13-step-facts", "v14-anywhere-in-province"]
        }
        #expect(try await reopened.appliedMigrations() == migrations)
    }

    @Test("Idempotency keys: claim, complete, replay, expire; webhook ids are recorded once", arguments: Backend.all)
    func idempotencyKeys(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let key = IdempotencyKey(scope: "public", key: "k1")
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try await store.claimIdempotencyKey(key, fingerprint: "f1", now: t0, expiresAt: t0 + 3600) == .claimed)
        #expect(try await store.claimIdempotencyKey(key, fingerprint: "f1", now: t0 + 1, expiresAt: t0 + 3601)
            == .inProgress(fingerprint: "f1", since: t0, dossierCode: nil))
        let response = StoredResponse(fingerprint: "f1", status: 201, headers: ["Location": "/x"], body: Data("{}".utf8))
        try await store.completeIdempotencyKey(key, response: response)
        #expect(try await store.claimIdempotencyKey(key, fingerprint: "f2", now: t0 + 2, expiresAt: t0 + 3602) == .completed(response))
        // The same key in another namespace is another key.
        #expect(try await store.claimIdempotencyKey(IdempotencyKey(scope: "portal:p", key: "k1"), fingerprint: "f9", now: t0, expiresAt: t0 + 10) == .claimed)
        // A released claim is gone; a completed one is not released.
        try await store.releaseIdempotencyKey(key)
        #expect(try await store.claimIdempotencyKey(key, fingerprint: "f1", now: t0 + 3, expiresAt: t0 + 3603) == .completed(response))
        // After expiry the key is free again, and the purge counts what it forgot.
        #expect(try await store.claimIdempotencyKey(key, fingerprint: "f3", now: t0 + 3600, expiresAt: t0 + 7200) == .claimed)
        #expect(try await store.purgeExpiredIdempotencyKeys(now: t0 + 100) == 1)
        #expect(try await store.recordWebhook(source: "payment", id: "msg_1", at: t0))
        #expect(try await store.recordWebhook(source: "payment", id: "msg_1", at: t0 + 5) == false)
        let seen = try await store.webhookSeen(source: "payment", id: "msg_1")
        let otherSource = try await store.webhookSeen(source: "postal", id: "msg_1")
        #expect(seen && !otherSource)
        // Old receipts are forgotten by age, newer ones kept.
        #expect(try await store.recordWebhook(source: "postal", id: "evt_2", at: t0 + 86_400))
        #expect(try await store.purgeWebhookReceipts(before: t0 + 3600) == 1)
        let forgotten = try await store.webhookSeen(source: "payment", id: "msg_1")
        let kept = try await store.webhookSeen(source: "postal", id: "evt_2")
        #expect(!forgotten && kept)
    }

    @Test("Seeding twice changes nothing the second time", arguments: Backend.all)
    func idempotentSeed(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let first = try await store.saveCatalogue(tree: catalogue.tree, procedures: catalogue.procedures)
        #expect(first == CatalogueCounts(agencies: catalogue.tree.agencies.count, procedures: catalogue.procedures.count))
        let second = try await store.saveCatalogue(tree: catalogue.tree, procedures: catalogue.procedures)
        #expect(second == CatalogueCounts(agencies: 0, procedures: 0))
        #expect(try await store.agencies().count == catalogue.tree.agencies.count)
        #expect(try await store.agencyLevels().map(\.code) == ["tinh", "huyen", "xa"])
    }

    @Test("A refused intake allocates no code", arguments: Backend.all)
    func refusedIntakeBurnsNoNumber(backend: Backend) async throws {
        let store = try await backend.makeStore()
        var bad = intake()
        bad.applicant.idNumber = "1"
        await #expect(throws: DomainError.self) { try await file(store, bad, at: now) }
        #expect(try await file(store, intake(), at: now).code == "000.15.01.H42-260302-0001")
    }

    @Test("The control sheet is append-only", arguments: Backend.all)
    func appendOnly(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let filed = try await file(store, intake(), at: now)
        var statements = ["UPDATE dossier_events SET kind = 'refused'", "DELETE FROM dossier_events"]
        if backend == .postgres { statements.append("TRUNCATE dossier_events CASCADE") }
        for sql in statements {
            let error = await #expect(throws: (any Error).self) { try await rawExecute(store, sql) }
            #expect(String(reflecting: error).contains("append-only"), "\(sql)")
        }
        #expect(try await store.events(dossierID: filed.id).count == 2)
    }

    @Test("A refused command changes nothing", arguments: Backend.all)
    func atomicity(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let filed = try await file(store, intake(), at: now)
        let before = try await store.counts()
        let context = DecisionContext(actor: desk, now: now, calendar: calendar)
        await #expect(throws: DomainError.self) {
            _ = try await store.apply(code: filed.code) { try Lifecycle.decide(.returnResult(method: .desk), dossier: $0, context: context) }
        }
        #expect(try await store.counts() == before)
        #expect(try await store.dossier(code: filed.code) == filed)
    }

    @Test("Search folds diacritics and đ, pages, and respects agency visibility", arguments: Backend.all)
    func search(backend: Backend) async throws {
        let store = try await backend.makeStore()
        for name in ["Nguyễn Văn An", "Đặng Thị Đào", "Nguyễn Thị Ánh", "Trần Văn Bình"] {
            _ = try await file(store, intake(name), at: now)
        }
        let other = Actor(id: "desk-2", name: "B", role: .desk, agencyID: "000.07.01.H25")
        _ = try await file(store, intake("Nguyễn Văn An"), at: now, by: other)

        let byName = try await store.search(DossierQuery(visibleToAgency: desk.agencyID, name: "nguyen van an"))
        #expect(byName.total == 1 && byName.items[0].applicant.name == "Nguyễn Văn An")
        #expect(try await store.search(DossierQuery(visibleToAgency: desk.agencyID, name: "dang thi dao")).total == 1)
        #expect(try await store.search(DossierQuery(visibleToAgency: desk.agencyID, name: "NGUYỄN")).total == 2)
        let page = try await store.search(DossierQuery(visibleToAgency: desk.agencyID, limit: 3, offset: 3))
        #expect(page.total == 4 && page.items.count == 1)
        #expect(try await store.search(DossierQuery(visibleToAgency: desk.agencyID, statuses: [.returned])).total == 0)
        #expect(try await store.search(DossierQuery(visibleToAgency: desk.agencyID, code: "260302-0002")).total == 1)
        #expect(try await store.search(DossierQuery(visibleToAgency: "000.07.01.H25")).total == 1)
        #expect(try await store.search(DossierQuery(visibleToAgency: desk.agencyID, name: "100%_")).total == 0)
    }

    @Test("Open dossiers of a merged agency pass to its successor, with a hand-off on the sheet", arguments: Backend.all)
    func inheritance(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let old = Actor(id: "desk-old", name: "C", role: .desk, agencyID: "000.15.21.H42")
        let open = try await file(store, intake(), at: WorkCalendar.parse("2025-06-27T09:00:00+07:00")!, by: old)
        let system = Actor(id: "system", name: "Hệ thống", role: .admin, agencyID: "000.15.01.H42")
        let at = WorkCalendar.parse("2025-07-01T00:00:00+07:00")!
        let codes = try await store.openDossierCodes(heldBy: old.agencyID)
        #expect(codes == [open.code])
        var moved = 0
        for code in codes {
            let after = try await store.apply(code: code) { Lifecycle.inherit($0, from: old.agencyID, to: "000.15.01.H42", actor: system, at: at) }
            if after.currentAgencyID == "000.15.01.H42" { moved += 1 }
        }
        // A second pass finds nothing left to move.
        #expect(try await store.openDossierCodes(heldBy: old.agencyID).isEmpty)
        #expect(moved == 1)
        let after = try #require(try await store.dossier(code: open.code))
        #expect(after.currentAgencyID == "000.15.01.H42" && after.agencyID == old.agencyID)
        #expect(try await store.events(dossierID: open.id).last?.kind == .inherited)
        // Statistics can still be read per former agency, and both may see it.
        #expect(try await store.search(DossierQuery(visibleToAgency: old.agencyID)).total == 1)
        #expect(try await store.search(DossierQuery(visibleToAgency: "000.15.01.H42")).total == 1)
    }
}

@Suite("Catalogue seeds")
struct SeedTests {
    @Test("Seeds/ holds at least 40 real procedures with sources, and both agency trees")
    func shipped() throws {
        #expect(catalogue.procedures.count >= 40)
        #expect(catalogue.procedures.allSatisfy { $0.source.contains("dichvucong.gov.vn") })
        #expect(Set(catalogue.procedures.map(\.field)).isSuperset(of: ["Hộ tịch", "Chứng thực", "Đất đai"]))
        let tree = catalogue.tree
        #expect(tree.levels.map(\.code) == ["tinh", "huyen", "xa"])
        // Three tiers before 1 July 2025, two after.
        #expect(tree.agencies["000.15.21.H42"]?.parentID == "000.00.15.H42")
        #expect(tree.agencies["000.00.15.H42"]?.parentID == "000.00.00.H42")
        #expect(tree.agencies["000.15.01.H42"]?.parentID == "000.00.00.H42")
        #expect(tree.heir(of: "000.07.21.H25", on: LocalDate(iso: "2026-01-01")!) == "000.07.01.H25")
        #expect(tree.heir(of: "000.07.21.H25", on: LocalDate(iso: "2025-06-30")!) == "000.07.21.H25")
    }

    @Test("An invalid procedure is rejected at load with its code and the reason")
    func invalidProcedure() throws {
        let directory = TestScratch.path("motcua-seeds")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repository.appendingPathComponent("Seeds/agencies.json"), to: directory.appendingPathComponent("agencies.json"))
        let valid: [String: Any] = [
            "code": "1.999999", "name": "Thủ tục thử", "field": "Hộ tịch", "level": "xa", "term": ["workingDays": 3],
            "fee": ["amount": 0, "text": "Miễn phí"], "onlineLevel": 3, "postalIntake": true, "postalReturn": true,
            "documents": [["name": "Tờ khai", "originals": 1, "copies": 0]], "source": "test",
        ]
        let cases: [(String, Any, String)] = [
            ("onlineLevel", 5, "onlineLevel: 5 is not 2, 3 or 4"),
            ("term", ["workingDays": 0], "term: 0 is outside 1–365"),
            ("documents", [Any](), "documents: the list is empty"),
            ("level", "bo", "level: 'bo' is not a level of the agency tree"),
            ("code", "1.99", "code: '1.99' is not a national procedure code (e.g. 1.001193)"),
        ]
        for (key, value, reason) in cases {
            var entry = valid
            entry[key] = value
            let data = try JSONSerialization.data(withJSONObject: ["procedures": [entry]])
            try data.write(to: directory.appendingPathComponent("procedures.json"))
            let code = key == "code" ? "1.99" : "1.999999"
            #expect(throws: SeedError(file: "Seeds/procedures.json", entry: code, reason: reason)) {
                try SeedLoader.loadCatalogue(from: directory)
            }
        }
    }
}

@Suite("A new dossier's stand-in code")
struct PlaceholderTests {
    @Test("Every occurrence is replaced, the text around it (Vietnamese included) kept byte for byte")
    func replaced() throws {
        let new = try NewDossier { code in
            try Lifecycle.file(intake("Nguyễn Thị Hồng Đào"), code: code, id: "d1", context: DecisionContext(actor: desk, now: WorkCalendar.parse("2026-03-02T09:00:00+07:00")!, calendar: calendar))
        }
        let text = "«\(new.placeholder)» và \(new.placeholder)\(new.placeholder) — Hà Tĩnh"
        #expect(new.replacingPlaceholder(in: text, with: "000.15.01.H42-260302-0001")
            == "«000.15.01.H42-260302-0001» và 000.15.01.H42-260302-0001000.15.01.H42-260302-0001 — Hà Tĩnh")
        #expect(new.replacingPlaceholder(in: "Đơn không mã", with: "X") == "Đơn không mã")
        #expect(new.replacingPlaceholder(in: String(new.placeholder.dropLast()), with: "X") == String(new.placeholder.dropLast()))
        let json = try StoreJSON.encode(new.dossier)
        let stored = try StoreJSON.decode(Dossier.self, new.replacingPlaceholder(in: json, with: "000.15.01.H42-260302-0001"))
        #expect(stored == new.stored(code: "000.15.01.H42-260302-0001").0)
    }
}

@Suite("Failed logins and the audit trail, on every backend")
struct SecurityStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("Failures recorded at once all count; a key is cleared alone; old records are purged", arguments: Backend.all)
    func failures(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let t0 = self.t0
        let keys = ["user:hoa", "address:203.0.113.7"]
        // 40 failures at once (two instances would do the same): read-and-rewrite under a lock.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    _ = try await store.recordLoginFailure(keys: keys) { _, stored in
                        LoginFailures(
                            count: (stored?.count ?? 0) + 1, lastAt: t0,
                            lockedUntil: (stored?.count ?? 0) + 1 >= 5 ? t0.addingTimeInterval(30) : nil)
                    }
                }
            }
            try await group.waitForAll()
        }
        let records = try await store.loginFailures(keys: keys + ["user:nobody"])
        #expect(records.count == 2)
        #expect(records["user:hoa"] == LoginFailures(count: 40, lastAt: t0, lockedUntil: t0.addingTimeInterval(30)))
        #expect(records["address:203.0.113.7"]?.count == 40)
        try await store.clearLoginFailures(key: "user:hoa")
        #expect(try await store.loginFailures(keys: keys).keys.sorted() == ["address:203.0.113.7"])
        #expect(try await store.purgeLoginFailures(before: t0) == 0)
        #expect(try await store.purgeLoginFailures(before: t0.addingTimeInterval(31)) == 1)
        #expect(try await store.loginFailures(keys: keys).isEmpty)
    }

    @Test("The audit trail: increasing ids, newest first, filtered and paged by id, refused UPDATE and DELETE", arguments: Backend.all)
    func audit(backend: Backend) async throws {
        let store = try await backend.makeStore()
        var ids: [Int64] = []
        for index in 0..<7 {
            let kind: AuditKind = index % 2 == 0 ? .loginFailed : .loginSucceeded
            ids.append(try await store.appendAudit(AuditEntry(
                at: t0.addingTimeInterval(Double(index)), kind: kind, username: index < 6 ? "hoa" : "lan",
                officerID: kind == .loginSucceeded ? "o1" : nil, agencyID: nil, address: "127.0.0.1", detail: "lần \(index)")))
        }
        #expect(ids == ids.sorted() && Set(ids).count == 7)
        let all = try await store.auditEntries(AuditQuery(limit: 50))
        #expect(all.map(\.id) == ids.reversed())
        #expect(all.last == AuditEntry(
            id: ids[0], at: t0, kind: .loginFailed, username: "hoa", address: "127.0.0.1", detail: "lần 0"))
        let failed = try await store.auditEntries(AuditQuery(limit: 2, kinds: [.loginFailed]))
        #expect(failed.map(\.detail) == ["lần 6", "lần 4"])
        let older = try await store.auditEntries(AuditQuery(before: failed.last!.id, limit: 10, kinds: [.loginFailed]))
        #expect(older.map(\.detail) == ["lần 2", "lần 0"])
        #expect(try await store.auditEntries(AuditQuery(limit: 10, username: "lan")).map(\.detail) == ["lần 6"])
        await #expect(throws: (any Error).self) { try await rawExecute(store, "UPDATE audit_log SET detail = 'sửa'") }
        await #expect(throws: (any Error).self) { try await rawExecute(store, "DELETE FROM audit_log") }
        #expect(try await store.auditEntries(AuditQuery(limit: 50)).count == 7)
    }
}

import Foundation
import MotCuaAPI
import MotCuaCore
import MotCuaConfig
import MotCuaStore
import NIOCore
import Testing
@testable import MotCuaServer

let paymentSecret = "whsec_" + Data((0..<32).map { UInt8($0 * 7 % 256) }).base64EncodedString()

@Suite("Citizen and portal API over loopback", .serialized)
struct PublicAPITests {
    @Test("Catalogue: search without diacritics, one procedure with documents, fees and postal options")
    func catalogue() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let found = try await server.request("GET", "/api/v1/public/procedures?q=dang%20ky%20khai%20sinh")
        #expect(found.status == 200)
        let items = try #require(found.json["items"] as? [[String: Any]])
        #expect(items.contains { $0["code"] as? String == "1.001193" })
        #expect(items.allSatisfy { foldedSearchKey($0["name"] as? String ?? "").contains("dang ky khai sinh") })
        let level4 = try #require(try await server.request("GET", "/api/v1/public/procedures?onlineLevel=4").json["items"] as? [[String: Any]])
        #expect(!level4.isEmpty && level4.allSatisfy { $0["onlineLevel"] as? Int == 4 })
        let one = try await server.request("GET", "/api/v1/public/procedures/1.001193").json
        #expect((one["documents"] as? [[String: Any]])?.count == 8)
        #expect(one["onlineLevel"] as? Int == 4 && one["postalReturn"] as? Bool == true && one["fee"] != nil && one["term"] as? String != nil)
        #expect(try await server.request("GET", "/api/v1/public/procedures/9.999999").status == 404)
        #expect(try await server.request("GET", "/api/v1/public/procedures?onlineLevel=7").status == 422)
    }

    @Test("Online level-4 submission: files stored by SHA-256, status 1, the desk sees and receives it")
    func submission() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let parts = Fixture.birthParts()
        let response = try await server.submit(parts)
        #expect(response.status == 201, "\(response.text)")
        let code = try #require(response.json["code"] as? String)
        let secret = try #require(response.json["accessSecret"] as? String)
        #expect(response.headers["location"] == "/api/v1/public/dossiers/\(code)")
        #expect((response.json["nationalStatus"] as? [String: Any])?["code"] as? Int == 1)
        #expect(server.secrets.verify(secret, code: code) && server.secrets.verify(secret.lowercased().replacingOccurrences(of: "-", with: ""), code: code))

        // Files are content-addressed: the blob is named by its SHA-256, which the dossier records.
        let dossier = try #require(try await server.store.dossier(code: code))
        #expect(dossier.channel == .online && dossier.submissionLevel == 4 && dossier.status == .submitted && dossier.dueAt == nil)
        let files = try #require(dossier.files)
        #expect(files.count == 2 && server.blobs.count() == 2)
        let pdf = try #require(files.first { $0.contentType == "application/pdf" })
        #expect(pdf.sha256 == BlobStore.sha256Hex(.init(data: parts[1].data)))
        let onDisk = try Data(contentsOf: server.blobs.path(pdf.sha256))
        #expect(onDisk == parts[1].data)

        // The desk's queue shows it; receiving it starts the clock.
        let desk = try await server.login(.desk)
        let queue = try await server.request("GET", "/api/v1/dossiers?status=submitted", token: desk)
        #expect((queue.json["items"] as? [[String: Any]])?.contains { $0["code"] as? String == code } == true)
        let download = try await server.request("GET", "/api/v1/dossiers/\(code)/files/\(pdf.sha256)", token: desk)
        #expect(download.status == 200 && download.body == parts[1].data)
        // A file the dossier lists but the blob store lost is a 404 problem, not a 500.
        try FileManager.default.removeItem(at: server.blobs.path(pdf.sha256))
        let lost = try await server.request("GET", "/api/v1/dossiers/\(code)/files/\(pdf.sha256)", token: desk)
        #expect(lost.status == 404 && lost.headers.contains { $0.key.lowercased() == "content-type" && $0.value == "application/problem+json" }, "\(lost.status) \(lost.headers)")
        try onDisk.write(to: server.blobs.path(pdf.sha256))
        server.clock.advance(3600)
        let received = try await server.request("POST", "/api/v1/dossiers/\(code)/receive", token: desk, json: [:])
        #expect(received.status == 200 && received.json["status"] as? String == "received" && received.json["dueAt"] is String)

        let status = try await server.lookup(code, secret: secret)
        #expect(status.status == 200 && (status.json["nationalStatus"] as? [String: Any])?["code"] as? Int == 2)
        #expect(status.json["dueAt"] is String && status.json["late"] as? Bool == false)
    }

    @Test("Only procedures offered online, only at their level or below")
    func onlineLevels() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        // 1.000656 is level 3: level 4 and the electronic result are refused, level 3 accepted.
        var application = Fixture.application(level: 4, returnMethod: "desk")
        application["procedureCode"] = "1.000656"
        application["notApplicable"] = [2, 3, 4, 5, 6, 8]
        let parts: (Int) -> [TestPart] = { level in
            var app = application
            app["level"] = level
            return [.json("application", app), .file("document-1", "giay-bao-tu.pdf", Fixture.pdf()), .file("document-7", "mau.pdf", Fixture.pdf())]
        }
        let refused = try await server.submit(parts(4))
        #expect(refused.status == 422 && (refused.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "level")
        let accepted = try await server.submit(parts(3))
        #expect(accepted.status == 201, "\(accepted.text)")
        // 1.000593 is level 2: not offered online at all.
        application["procedureCode"] = "1.000593"
        application["level"] = 3
        application["notApplicable"] = []
        let level2 = try await server.submit([.json("application", application), .file("document-1", "a.pdf", Fixture.pdf())])
        #expect(level2.status == 422 && level2.text.contains("procedureCode"))
        // Electronic return needs level 4.
        let electronic = try await server.submit(Fixture.birthParts(Fixture.application(level: 3, returnMethod: "electronic")))
        #expect(electronic.status == 422 && electronic.text.contains("returnMethod"))
    }

    @Test("Idempotency-Key: a retry replays the response, another body is a 422, keys expire")
    func idempotency() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let (body, contentType) = Fixture.multipart(Fixture.birthParts())
        let key = ["Idempotency-Key": "7f0c1d2e-retry-1"]
        let first = try await server.request("POST", "/api/v1/public/dossiers", body: body, contentType: contentType, headers: key)
        let second = try await server.request("POST", "/api/v1/public/dossiers", body: body, contentType: contentType, headers: key)
        #expect(first.status == 201 && second.status == 201)
        #expect(second.body == first.body && second.headers["idempotent-replayed"] == "true" && first.headers["idempotent-replayed"] == nil)
        #expect(second.headers["location"] == first.headers["location"] && first.headers["motcua-replay-from"] == nil)
        #expect(try await server.store.counts().dossiers == 1)
        // The stored record keeps no access secret: the replay derives it again.
        let secret = try #require(first.json["accessSecret"] as? String)
        let stored = try await server.store.claimIdempotencyKey(
            IdempotencyKey(scope: "public /api/v1/public/dossiers", key: "7f0c1d2e-retry-1"), fingerprint: "", now: server.clock.now, expiresAt: server.clock.now)
        guard case let .completed(record) = stored else { Issue.record("no stored record: \(stored)"); return }
        #expect(record.body.isEmpty && record.headers["motcua-replay-from"] == first.json["code"] as? String)
        for file in [server.store.path, server.store.path + "-wal"] {
            let raw = (try? String(contentsOfFile: file, encoding: .isoLatin1)) ?? ""
            #expect(!raw.contains(secret), "\(file)")
        }

        let (other, otherType) = Fixture.multipart(Fixture.birthParts())
        let reused = try await server.request("POST", "/api/v1/public/dossiers", body: other, contentType: otherType, headers: key)
        #expect(reused.status == 422 && reused.json["type"] as? String == "/problems/idempotency-key-reused")
        #expect(try await server.store.counts().dossiers == 1)

        // A failed request frees its key: the corrected retry runs.
        let badKey = ["Idempotency-Key": "retry-after-fix"]
        let bad = try await server.submit(Fixture.birthParts(Fixture.application(phone: "12")), headers: badKey)
        #expect(bad.status == 422)
        #expect(try await server.submit(Fixture.birthParts(), headers: badKey).status == 201)

        // After the configured 24 hours the key is forgotten.
        server.clock.advance(25 * 3600)
        let later = try await server.request("POST", "/api/v1/public/dossiers", body: body, contentType: contentType, headers: key)
        #expect(later.status == 201 && later.headers["idempotent-replayed"] == nil && later.json["code"] as? String != first.json["code"] as? String)

        // Concurrent retries of one request create one dossier.
        let (burst, burstType) = Fixture.multipart(Fixture.birthParts())
        let before = try await server.store.counts().dossiers
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await server.request("POST", "/api/v1/public/dossiers", body: burst, contentType: burstType, headers: ["Idempotency-Key": "burst"]).status
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.allSatisfy { $0 == 201 || $0 == 409 } && statuses.contains(201))
        #expect(try await server.store.counts().dossiers == before + 1)
    }

    @Test("A crash after filing: the retry gets the dossier, never a second one")
    func idempotencyRecovery() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        // What a crash between the commit and the answer leaves: a claimed key linked to a dossier.
        let key = IdempotencyKey(scope: "public /api/v1/public/dossiers", key: "crashed")
        let (body, contentType) = Fixture.multipart(Fixture.birthParts())
        let fingerprint = IdempotencyMiddleware.fingerprint(
            method: "POST", uri: "/api/v1/public/dossiers", contentType: contentType, body: ByteBuffer(data: body))
        let state = try await server.store.claimIdempotencyKey(key, fingerprint: fingerprint, now: server.clock.now, expiresAt: server.clock.now.addingTimeInterval(3600))
        #expect(state == .claimed)
        // The request filed its dossier (the key linked in the same transaction), then the process died.
        let procedure = try #require(try await server.store.procedure(code: "1.001193"))
        let submission = OnlineSubmission(
            procedure: procedure, agencyID: TestServer.agencyA, level: 4,
            applicant: Applicant(name: "Trần Thị Bình", idNumber: "001203004005", phone: "0912345678", address: "Hà Tĩnh"),
            returnMethod: .desk, files: [StoredFile(sha256: String(repeating: "a", count: 64), name: "a.pdf", contentType: "application/pdf", size: 1, document: procedure.documents[3].name),
                                         StoredFile(sha256: String(repeating: "b", count: 64), name: "b.pdf", contentType: "application/pdf", size: 1, document: procedure.documents[7].name)],
            notApplicable: [0, 1, 2, 4, 5, 6].map { procedure.documents[$0].name })
        let citizen = Actor(id: "citizen", name: "Trần Thị Bình", role: .citizen, agencyID: TestServer.agencyA)
        let now = server.clock.now
        let calendar = try ConfigLoader.loadCalendars(from: repository.appendingPathComponent("Config")).standard
        let (dossier, _) = try await server.store.fileDossier(agencyID: TestServer.agencyA, day: WorkCalendar.localDate(of: now), idempotencyKey: key) { code in
            try Lifecycle.submit(submission, code: code, id: TimeOrderedID.make(at: now), context: DecisionContext(actor: citizen, now: now, calendar: calendar))
        }
        let code = dossier.code

        let early = try await server.request("POST", "/api/v1/public/dossiers", body: body, contentType: contentType, headers: ["Idempotency-Key": "crashed"])
        #expect(early.status == 409 && early.headers["retry-after"] == "1")
        server.clock.advance(120)
        let retry = try await server.request("POST", "/api/v1/public/dossiers", body: body, contentType: contentType, headers: ["Idempotency-Key": "crashed"])
        #expect(retry.status == 201 && retry.json["code"] as? String == code && retry.json["accessSecret"] as? String == server.secrets.secret(for: code))
        #expect(retry.headers["idempotent-replayed"] == nil)
        let again = try await server.request("POST", "/api/v1/public/dossiers", body: body, contentType: contentType, headers: ["Idempotency-Key": "crashed"])
        #expect(again.body == retry.body && again.headers["idempotent-replayed"] == "true")
        #expect(try await server.store.counts().dossiers == 1)
    }

    @Test("Access: code plus secret, or the portal key; a wrong secret answers like an unknown code; lookups are rate-limited")
    func access() async throws {
        let portalKey = "portal-key-for-tests"
        let server = try await TestServer.start { configuration in
            configuration.publicAPI.environmentPortalKey = portalKey
            configuration.publicAPI.lookupsPerMinute = 60
            configuration.publicAPI.lookupBurst = 5
        }
        defer { Task { await server.stop() } }
        let filed = try await server.submit(Fixture.birthParts())
        let code = try #require(filed.json["code"] as? String)
        let secret = try #require(filed.json["accessSecret"] as? String)

        #expect(try await server.lookup(code, secret: secret).status == 200)
        let noSecret = try await server.lookup(code, secret: nil)
        let wrongSecret = try await server.lookup(code, secret: "AAAA-BBBB-CCCC")
        let unknownCode = try await server.lookup("\(TestServer.agencyA)-260302-9999", secret: secret)
        for answer in [noSecret, wrongSecret, unknownCode] {
            #expect(answer.status == 404 && answer.json["detail"] as? String == unknownCode.json["detail"] as? String)
            #expect(!answer.text.contains("Trần Thị Bình"))
        }
        // The portal reads any dossier with its key, without the secret, and is not throttled.
        for _ in 0..<8 {
            #expect(try await server.request("GET", "/api/v1/public/dossiers/\(code)", headers: ["X-API-Key": portalKey]).status == 200)
        }
        #expect(try await server.request("GET", "/api/v1/public/dossiers/\(code)", headers: ["X-API-Key": "wrong"]).status == 401)
        // Five lookups were used from this address (one ok, three refused, one more now); the next is refused with Retry-After.
        #expect(try await server.lookup(code, secret: secret).status == 200)
        let throttled = try await server.lookup(code, secret: secret)
        #expect(throttled.status == 429 && throttled.headers["retry-after"] == "1")
        #expect(throttled.json["type"] as? String == "/problems/rate-limited")
    }

    @Test("Status: missing items, supplementation upload resumes the clock, late and apology, no internal notes")
    func statusAndSupplementation() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let filed = try await server.submit(Fixture.birthParts())
        let code = try #require(filed.json["code"] as? String)
        let secret = try #require(filed.json["accessSecret"] as? String)
        let desk = try await server.login(.desk), leader = try await server.login(.leader)
        _ = try await server.request("POST", "/api/v1/dossiers/\(code)/receive", token: desk, json: [:])
        let departments = try #require(try await server.store.agencies().first { $0.id == TestServer.agencyA }?.departments)
        _ = try await server.request("POST", "/api/v1/dossiers/\(code)/transfer", token: desk, json: ["departmentID": departments[0].id])
        let asked = try await server.request(
            "POST", "/api/v1/dossiers/\(code)/request-supplementation", token: leader,
            json: ["items": ["Bản sao giấy đăng ký kết hôn của cha mẹ"], "reason": "Cần xác định quan hệ cha mẹ"])
        #expect(asked.status == 200, "\(asked.text)")
        let before = try #require(try await server.store.dossier(code: code))

        let waiting = try await server.lookup(code, secret: secret)
        #expect((waiting.json["nationalStatus"] as? [String: Any])?["code"] as? Int == 5)
        #expect(waiting.json["missingItems"] as? [String] == ["Bản sao giấy đăng ký kết hôn của cha mẹ"])
        #expect(waiting.json["paused"] as? Bool == true)

        // Two working hours later the applicant uploads the missing paper.
        server.clock.advance(2 * 3600)
        let (body, contentType) = Fixture.multipart([
            .text("note", "Đã bổ sung bản sao"), .file("item-1", "dang-ky-ket-hon.jpg", Data([0xFF, 0xD8, 0xFF, 0xE0]) + Data(repeating: 1, count: 300), type: "image/jpeg"),
        ])
        let uploaded = try await server.request(
            "POST", "/api/v1/public/dossiers/\(code)/supplementation", body: body, contentType: contentType, headers: ["X-Access-Secret": secret])
        #expect(uploaded.status == 200, "\(uploaded.text)")
        let after = try #require(try await server.store.dossier(code: code))
        #expect(after.status == .processing && !after.isPaused && after.files?.count == 3)
        #expect(after.files?.last?.contentType == "image/jpeg" && after.files?.last?.document == "Bản sao giấy đăng ký kết hôn của cha mẹ")
        // The clock kept its remaining time: the due time moved by the two paused hours.
        #expect(after.dueAt! > before.dueAt!)
        // A second upload is refused: nothing is waiting.
        let again = try await server.request(
            "POST", "/api/v1/public/dossiers/\(code)/supplementation", body: body, contentType: contentType, headers: ["X-Access-Secret": secret])
        #expect(again.status == 409)

        // Past the due time it is late; the apology shows with its new appointment.
        server.clock.advance(3 * 86_400)
        #expect(try await server.lookup(code, secret: secret).json["late"] as? Bool == true)
        let leaderAgain = try await server.login(.leader)
        let apology = try await server.request(
            "POST", "/api/v1/dossiers/\(code)/apologize", token: leaderAgain,
            json: ["reason": "Chờ xác minh", "newDueAt": WorkCalendar.format(server.clock.now.addingTimeInterval(5 * 86_400))])
        #expect(apology.status == 200, "\(apology.text)")
        let approved = try await server.request("POST", "/api/v1/dossiers/\(code)/approve", token: leaderAgain, json: ["note": "GHI CHÚ NỘI BỘ: đã kiểm tra kỹ"])
        #expect(approved.status == 422, "an electronic-return dossier needs its result file: \(approved.text)")
        let (resultBody, resultType) = Fixture.multipart([.text("note", "GHI CHÚ NỘI BỘ: đã kiểm tra kỹ"), .file("result", "kq.pdf", Fixture.pdf())])
        let approvedWithFile = try await server.request("POST", "/api/v1/dossiers/\(code)/approve", token: leaderAgain, body: resultBody, contentType: resultType)
        #expect(approvedWithFile.status == 200, "\(approvedWithFile.text)")
        let status = try await server.lookup(code, secret: secret)
        #expect(status.json["late"] as? Bool == true)
        #expect((status.json["apology"] as? [String: Any])?["newDueAt"] is String)
        let history = try #require(status.json["history"] as? [[String: Any]])
        #expect(history.contains { $0["kind"] as? String == "supplementationRequested" && ($0["items"] as? [String])?.count == 1 })
        #expect(!history.contains { $0["kind"] as? String == "transferred" })
        #expect(!status.text.contains("GHI CHÚ NỘI BỘ") && !status.text.contains("Cán bộ"))
    }

    @Test("Level 4: fee by signed payment callback, electronic result, return, rating once")
    func paymentResultRating() async throws {
        let server = try await TestServer.start { $0.paymentWebhookSecret = paymentSecret }
        defer { Task { await server.stop() } }
        let filed = try await server.submit(Fixture.birthParts())
        let code = try #require(filed.json["code"] as? String)
        let secret = try #require(filed.json["accessSecret"] as? String)
        let desk = try await server.login(.desk), leader = try await server.login(.leader), handler = try await server.login(.handler)
        _ = try await server.request("POST", "/api/v1/dossiers/\(code)/receive", token: desk, json: [:])
        let departments = try #require(try await server.store.agencies().first { $0.id == TestServer.agencyA }?.departments)
        _ = try await server.request("POST", "/api/v1/dossiers/\(code)/transfer", token: desk, json: ["departmentID": departments[0].id])
        let fee = try await server.request("POST", "/api/v1/dossiers/\(code)/request-fee", token: handler, json: ["amount": 8000])
        #expect(fee.status == 200, "\(fee.text)")
        let payment = try #require(try await server.lookup(code, secret: secret).json["payment"] as? [String: Any])
        let reference = try #require(payment["reference"] as? String)
        #expect(payment["paid"] as? Bool == false && payment["amount"] as? Int == 8000)

        let webhooks = try #require(StandardWebhooks(secret: paymentSecret))
        func callback(id: String, body: [String: Any], timestamp: Date? = nil, sign: Bool = true) async throws -> HTTPResult {
            let data = try JSONSerialization.data(withJSONObject: body)
            let seconds = Int((timestamp ?? server.clock.now).timeIntervalSince1970)
            var headers = webhooks.headers(id: id, timestamp: seconds, body: Array(data))
            if !sign { headers["webhook-signature"] = "v1," + Data(repeating: 1, count: 32).base64EncodedString() }
            return try await server.request("POST", "/api/v1/payments/callback", body: data, headers: headers)
        }
        let forged = try await callback(id: "msg_1", body: ["reference": reference, "amount": 8000], sign: false)
        #expect(forged.status == 401 && forged.json["type"] as? String == "/problems/invalid-signature")
        let stale = try await callback(id: "msg_1", body: ["reference": reference, "amount": 8000], timestamp: server.clock.now.addingTimeInterval(-600))
        #expect(stale.status == 401)
        let wrongAmount = try await callback(id: "msg_2", body: ["reference": reference, "amount": 7000])
        #expect(wrongAmount.status == 422)
        #expect(try await server.store.dossier(code: code)?.status == .awaitingFee)

        server.clock.advance(1800)
        let paid = try await callback(id: "msg_3", body: ["reference": reference, "amount": 8000, "transactionID": "VNPAY-1"])
        #expect(paid.status == 200 && paid.json["status"] as? String == "paid", "\(paid.text)")
        let replay = try await callback(id: "msg_3", body: ["reference": reference, "amount": 8000, "transactionID": "VNPAY-1"])
        #expect(replay.status == 200 && replay.json["status"] as? String == "duplicate")
        let second = try await callback(id: "msg_4", body: ["reference": reference, "amount": 8000])
        #expect(second.status == 200 && second.json["status"] as? String == "already-paid")
        let afterPayment = try #require(try await server.store.dossier(code: code))
        #expect(afterPayment.status == .processing && afterPayment.payment?.online == true && !afterPayment.isPaused)
        #expect(try await server.store.events(dossierID: afterPayment.id).filter { $0.kind == .feePaid }.count == 1)

        // Approval of an electronic-return dossier needs the result file.
        let bare = try await server.request("POST", "/api/v1/dossiers/\(code)/approve", token: leader, json: [:])
        #expect(bare.status == 422)
        let result = Fixture.pdf(size: 4096, seed: "ket-qua")
        let (body, contentType) = Fixture.multipart([.text("note", "Đồng ý"), .file("result", "trich-luc-khai-sinh.pdf", result)])
        let approved = try await server.request("POST", "/api/v1/dossiers/\(code)/approve", token: leader, body: body, contentType: contentType)
        #expect(approved.status == 200, "\(approved.text)")
        #expect(try await server.request("GET", "/api/v1/public/dossiers/\(code)/result", headers: ["X-Access-Secret": secret]).status == 409)
        _ = try await server.request("POST", "/api/v1/dossiers/\(code)/ready", token: handler, json: [:])

        let early = try await server.request("POST", "/api/v1/public/dossiers/\(code)/rating", json: ["score": 5], headers: ["X-Access-Secret": secret])
        #expect(early.status == 409)
        let download = try await server.request("GET", "/api/v1/public/dossiers/\(code)/result", headers: ["X-Access-Secret": secret])
        #expect(download.status == 200 && download.body == result && download.headers["content-type"] == "application/pdf")
        let returned = try #require(try await server.store.dossier(code: code))
        #expect(returned.status == .returned && returned.returnMethod == .electronic && returned.status.nationalCode == 10)

        let badScore = try await server.request("POST", "/api/v1/public/dossiers/\(code)/rating", json: ["score": 6], headers: ["X-Access-Secret": secret])
        #expect(badScore.status == 422)
        let rated = try await server.request(
            "POST", "/api/v1/public/dossiers/\(code)/rating", json: ["score": 5, "comment": "Nhanh, chu đáo"], headers: ["X-Access-Secret": secret])
        #expect(rated.status == 200 && (rated.json["rating"] as? [String: Any])?["score"] as? Int == 5)
        let twice = try await server.request("POST", "/api/v1/public/dossiers/\(code)/rating", json: ["score": 1], headers: ["X-Access-Secret": secret])
        #expect(twice.status == 409 && twice.json["type"] as? String == "/problems/limit-reached")
    }

    @Test("Withdrawal by the applicant")
    func withdrawal() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let filed = try await server.submit(Fixture.birthParts())
        let code = try #require(filed.json["code"] as? String)
        let secret = try #require(filed.json["accessSecret"] as? String)
        let wrong = try await server.request("POST", "/api/v1/public/dossiers/\(code)/withdraw", json: ["reason": "Không cần nữa"], headers: ["X-Access-Secret": "0000-0000-0000"])
        let untouched = try await server.store.dossier(code: code)
        #expect(wrong.status == 404 && untouched?.status == .submitted)
        let empty = try await server.request("POST", "/api/v1/public/dossiers/\(code)/withdraw", json: ["reason": " "], headers: ["X-Access-Secret": secret])
        #expect(empty.status == 422)
        let done = try await server.request("POST", "/api/v1/public/dossiers/\(code)/withdraw", json: ["reason": "Không cần nữa"], headers: ["X-Access-Secret": secret])
        #expect(done.status == 200 && (done.json["nationalStatus"] as? [String: Any])?["code"] as? Int == 7)
        let events = try await server.store.events(dossierID: try #require(try await server.store.dossier(code: code)).id)
        #expect(events.last?.kind == .withdrawn && events.last?.actor.role == .citizen)
    }

    @Test("Bad input: a clear 4xx, no dossier created and no file left behind")
    func badInput() async throws {
        let server = try await TestServer.start { configuration in
            configuration.publicAPI.maxFileBytes = 8192
            configuration.publicAPI.maxUploadBytes = 16_384
        }
        defer { Task { await server.stop() } }
        func application(_ change: (inout [String: Any]) -> Void) -> [String: Any] {
            var value = Fixture.application()
            change(&value)
            return value
        }
        let (valid, validType) = Fixture.multipart(Fixture.birthParts())
        let truncated = valid.prefix(valid.count - 30)
        let cases: [(String, Int, () async throws -> HTTPResult)] = [
            ("file over the limit", 413, { try await server.submit(Fixture.birthParts(size: 9000)) }),
            ("executable renamed .pdf", 415, {
                try await server.submit([.json("application", Fixture.application()), .file("document-4", "giay-chung-sinh.pdf", Fixture.executable),
                                         .file("document-8", "mau.png", Fixture.png, type: "image/png")])
            }),
            ("missing required document", 422, { try await server.submit([.json("application", Fixture.application()), .file("document-8", "mau.png", Fixture.png, type: "image/png")]) }),
            ("unknown procedure", 422, { try await server.submit(Fixture.birthParts(application { $0["procedureCode"] = "9.999999" })) }),
            ("level not offered", 422, {
                try await server.submit(Fixture.birthParts(application { $0["procedureCode"] = "1.000593"; $0["level"] = 3 }))
            }),
            ("malformed multipart", 400, {
                try await server.request("POST", "/api/v1/public/dossiers", body: Data(truncated), contentType: validType)
            }),
            ("not multipart", 400, { try await server.request("POST", "/api/v1/public/dossiers", json: Fixture.application()) }),
            ("malformed application JSON", 400, {
                try await server.submit([TestPart(name: "application", filename: nil, contentType: "application/json", data: Data("{nope".utf8))])
            }),
            ("invalid phone", 422, { try await server.submit(Fixture.birthParts(Fixture.application(phone: "12345"))) }),
            ("invalid ID number", 422, { try await server.submit(Fixture.birthParts(Fixture.application(idNumber: "12AB"))) }),
            ("oversized text", 422, {
                try await server.submit(Fixture.birthParts(application { $0["note"] = String(repeating: "ư", count: 2001) }))
            }),
            ("unknown part", 422, { try await server.submit(Fixture.birthParts() + [.file("document-99", "x.pdf", Fixture.pdf())]) }),
            ("post return without address", 422, { try await server.submit(Fixture.birthParts(Fixture.application(returnMethod: "post"))) }),
        ]
        for (name, status, send) in cases {
            let before = try await server.footprint()
            let answer = try await send()
            #expect(answer.status == status, "\(name): \(answer.status) \(answer.text)")
            #expect(answer.headers["content-type"] == "application/problem+json", "\(name)")
            #expect((answer.json["detail"] as? String)?.isEmpty == false, "\(name)")
            let after = try await server.footprint()
            #expect(after.dossiers == before.dossiers && after.blobs == before.blobs, "\(name) left \(after) after \(before)")
        }
        let emptyStore = try await server.footprint()
        #expect(emptyStore.blobs == 0)
        // The well-formed version of the same request goes through.
        #expect(try await server.request("POST", "/api/v1/public/dossiers", body: valid, contentType: validType).status == 201)
        let final = try await server.footprint()
        #expect(final.dossiers == 1 && final.blobs == 2)
    }

    @Test("Blob store: a failed request's new files go, shared or referenced ones stay")
    func blobCleanup() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let blobs = server.blobs
        let first = ByteBuffer(data: Fixture.pdf(seed: "a")), second = ByteBuffer(data: Fixture.pdf(seed: "b"))
        let a = BlobStore.sha256Hex(first), b = BlobStore.sha256Hex(second)
        #expect(try await blobs.put(first, sha256: a) == true)
        #expect(try await blobs.put(second, sha256: b) == true)
        // Another request in flight uses `b` too.
        #expect(try await blobs.put(second, sha256: b) == false)
        await blobs.discard(created: [a, b], pinned: [a, b], store: server.store)
        #expect(!FileManager.default.fileExists(atPath: blobs.path(a).path))
        #expect(FileManager.default.fileExists(atPath: blobs.path(b).path))
        blobs.unpin([b])
        // A file a stored dossier refers to is never removed.
        let filed = try await server.submit(Fixture.birthParts())
        let filedCode = try #require(filed.json["code"] as? String)
        let sha = try #require(try await server.store.dossier(code: filedCode)?.files?.first?.sha256)
        _ = try await blobs.put(try await blobs.read(sha), sha256: sha)
        await blobs.discard(created: [sha], pinned: [sha], store: server.store)
        #expect(FileManager.default.fileExists(atPath: blobs.path(sha).path))
    }
}

import Foundation
import GRDB
import MotCuaConfig
import MotCuaCore
import MotCuaPostgres
import MotCuaTestSupport
import Synchronization
import Testing
@testable import MotCuaStore

/// A dossier with every property set, its texts taken from `procedure` or not as asked.
func fullDossier(_ procedure: Procedure, code: String, fromCatalogue: Bool = true, submitted: Date) -> Dossier {
    let file = StoredFile(
        sha256: String(repeating: "ab", count: 32), name: "tờ khai.pdf", contentType: "application/pdf", size: 1024,
        document: fromCatalogue ? procedure.documents[0].name : "Giấy tờ khác")
    let address = PostalAddress(recipient: "Nguyễn Văn An", phone: "0912345678", street: "Số 1 Lê Lợi", ward: "Phường Sông Trí", district: "Kỳ Anh", province: "Hà Tĩnh")
    let shipment = Shipment(
        orderNumber: "\(code)-PHAT", direction: .delivery, attempt: 1, waybill: "EB1", status: .accepted, cod: 0, orderedAt: submitted,
        updatedAt: submitted, note: "n", address: address)
    let agency = String(code.prefix { $0 != "-" })
    let t = submitted.timeIntervalSince1970
    // Types without a public initializer, as the store reads them.
    func stored<T: Decodable>(_ type: T.Type, _ json: String) -> T { try! StoreJSON.decode(type, json) }
    var documents = procedure.documents.map { ProvidedDocument(name: $0.name, originals: $0.originals, copies: $0.copies + 1) }
    if !fromCatalogue {
        // Texts the catalogue does not have, one looking like a reference.
        documents.append(ProvidedDocument(name: "#0", originals: 1, copies: 0))
        documents.append(ProvidedDocument(name: "Bản khai bổ sung", originals: 0, copies: 1))
    }
    return Dossier.restored(
        id: TimeOrderedID.make(at: submitted), code: code, agencyID: agency, currentAgencyID: "000.00.00.H42",
        pendingAgencyID: "000.15.02.H42", agencyTrail: [agency, "000.00.00.H42"], procedureCode: procedure.code,
        procedureName: fromCatalogue ? procedure.name : "#" + procedure.name, term: fromCatalogue ? procedure.term : .workingDays(99),
        channel: .postal, applicant: Applicant(name: "Đặng \"Thị\" Đào", idNumber: "001203004005", phone: "0912345678", email: "dao@example.vn", address: "Hà Tĩnh"),
        documents: documents, returnMethod: .post, status: .supplementation, statusBeforePause: .processing, intakeSupplementations: 1,
        processingSupplementations: 2, missingItems: [procedure.documents.last!.name, "Bản sao CCCD", "#1"], submittedAt: submitted,
        receivedAt: submitted.addingTimeInterval(60), dueAt: submitted.addingTimeInterval(86_400.5),
        pauses: [Pause(start: submitted, end: submitted.addingTimeInterval(30))], departmentID: "TP", handlerID: "h-1",
        handlerName: "Trần Văn Cường", feeAmount: 8000, approvedAt: submitted, resultReadyAt: submitted, returnedAt: submitted,
        apology: stored(Apology.self, #"{"at":\#(t),"reason":"Chậm","newDueAt":\#(t),"by":"Lãnh đạo"}"#), outcome: .late, closingReason: "r",
        updatedAt: submitted.addingTimeInterval(0.25), version: 7, submissionLevel: 4, postalAddress: address, files: [file],
        resultFile: StoredFile(sha256: String(repeating: "cd", count: 32), name: "kq.pdf", contentType: "application/pdf", size: 9, document: "Kết quả"),
        payment: stored(Payment.self, #"{"reference":"P1","amount":8000,"requestedAt":\#(t),"paidAt":\#(t),"online":true}"#),
        rating: stored(Rating.self, #"{"score":5,"comment":"Tốt","at":\#(t)}"#), nearDueAt: submitted, closedAt: submitted, processingSeconds: 36_574,
        shipments: [shipment], stepDueAt: submitted.addingTimeInterval(3600), receivingAgencyID: "000.15.02.H42",
        returnAgencyID: "000.15.02.H42")
}

@Suite("Slim dossier rows: the catalogue referenced, the same dossier read back")
struct SlimLayoutTests {
    let submitted = WorkCalendar.parse("2026-03-02T08:00:00+07:00")!
    var construction: Procedure { catalogue.procedures.max { $0.documents.count < $1.documents.count }! }

    func versions() -> ProcedureVersions {
        let versions = ProcedureVersions()
        versions.add(catalogue.procedures.map { (version: 1, procedure: $0) })
        return versions
    }

    @Test("Every property comes back, from texts of the catalogue or not, and with no catalogue at all")
    func roundTrip() throws {
        for fromCatalogue in [true, false] {
            let d = fullDossier(construction, code: "000.15.01.H42-260302-0001", fromCatalogue: fromCatalogue, submitted: submitted)
            for child in Mirror(reflecting: d).children {
                let mirror = Mirror(reflecting: child.value)
                #expect(mirror.displayStyle != .optional || !mirror.children.isEmpty, "\(child.label ?? "?") is nil in the fixture")
            }
            let versions = versions()
            let (data, version) = try DossierCodec.encode(d, versions: versions)
            #expect(version == 1)
            #expect(try DossierCodec.decode(data, columns: DossierColumns(d), version: version, versions: versions) == d)
            // Byte for byte as the whole dossier was stored before.
            let back = try DossierCodec.decode(data, columns: DossierColumns(d), version: version, versions: versions)
            #expect(try StoreJSON.encode(back) == StoreJSON.encode(d))
            let (whole, none) = try DossierCodec.encode(d, versions: ProcedureVersions())
            #expect(none == DossierCodec.whole)
            #expect(try DossierCodec.decode(whole, columns: DossierColumns(d), version: none, versions: ProcedureVersions()) == d)
        }
    }

    @Test("A row holds indexes into the procedure version's list, not its texts: the largest procedure list in a tenth of the bytes")
    func slim() throws {
        let procedure = construction
        #expect(procedure.documents.count >= 40)
        var d = fullDossier(procedure, code: "000.15.01.H42-260302-0001", submitted: submitted)
        d.files = nil
        d.shipments = nil
        let (data, _) = try DossierCodec.encode(d, versions: versions())
        let whole = try StoreJSON.encode(d)
        #expect(!data.contains(procedure.documents[1].name) && !data.contains(procedure.name))
        #expect(data.contains("[1,1,2]"))
        #expect(whole.utf8.count > 10 * data.utf8.count, "\(data.utf8.count) bytes against \(whole.utf8.count)")
    }

    @Test("A row naming a version this process lacks is an error that names it, not a wrong dossier")
    func unknownVersion() throws {
        let d = fullDossier(construction, code: "000.15.01.H42-260302-0001", submitted: submitted)
        let (data, _) = try DossierCodec.encode(d, versions: versions())
        #expect(throws: StoreError.self) { try DossierCodec.decode(data, columns: DossierColumns(d), version: 2, versions: versions()) }
    }

    @Test("A changed procedure is a new version; dossiers filed under the old one read its texts", arguments: Backend.all)
    func catalogueVersions(backend: Backend) async throws {
        let database = try await backend.scratch()
        var store: (any DossierStore)? = try await database.open()
        _ = try await store!.saveCatalogue(tree: catalogue.tree, procedures: catalogue.procedures)
        let old = try await file(store!, intake(), at: submitted)
        var changed = catalogue.procedures
        let index = changed.firstIndex { $0.code == "1.001193" }!
        changed[index].name += " (sửa đổi)"
        changed[index].documents[0].name = "Tờ khai theo mẫu mới"
        #expect(try await store!.saveCatalogue(tree: catalogue.tree, procedures: changed).procedures == 1)
        // Another process, which has seen neither version, reads both.
        store = nil
        let reopened = try await database.open()
        #expect(try await reopened.dossier(code: old.code) == old)
        #expect(try await reopened.procedure(code: "1.001193")?.name == changed[index].name)
    }
}

@Suite("The rewrite of a database of the layout before issue #21")
struct LayoutRewriteTests {
    /// A database as the build before the slim layout left it: its migrations, and rows written
    /// the way that build wrote them (whole JSON, access rows).
    func legacyDatabase(_ dossiers: [(Dossier, [DossierEvent])]) throws -> String {
        let path = temporaryDatabase()
        try SQLiteStore.createLegacyDatabase(at: path)
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            for procedure in catalogue.procedures {
                try db.execute(
                    sql: "INSERT INTO procedures(code, name, name_folded, field, level, online_level, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [procedure.code, procedure.name, foldedSearchKey(procedure.name), procedure.field, procedure.level,
                                procedure.onlineLevel, try StoreJSON.encode(procedure)])
            }
            for (d, events) in dossiers {
                try db.execute(
                    sql: """
                        INSERT INTO dossiers(id, code, agency_id, current_agency_id, pending_agency_id, procedure_code, status, channel,
                          applicant_name, applicant_folded, id_number, phone, submitted_at, received_at, due_at, updated_at, version, data,
                          handler_id, department_id)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [d.id, d.code, d.agencyID, d.currentAgencyID, d.pendingAgencyID, d.procedureCode, d.status.rawValue,
                                d.channel.rawValue, d.applicant.name, foldedSearchKey(d.applicant.name), d.applicant.idNumber, d.applicant.phone,
                                d.submittedAt.timeIntervalSince1970, d.receivedAt?.timeIntervalSince1970, d.dueAt?.timeIntervalSince1970,
                                d.updatedAt.timeIntervalSince1970, d.version, try StoreJSON.encode(d), d.handlerID, d.departmentID])
                for agency in accessAgencies(of: d) {
                    try db.execute(sql: "INSERT INTO dossier_access(agency_id, dossier_id) VALUES (?, ?)", arguments: [agency, d.id])
                }
                for event in events {
                    try db.execute(
                        sql: "INSERT INTO dossier_events(dossier_id, sequence, kind, at, actor_id, agency_id, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        arguments: [d.id, event.sequence, event.kind.rawValue, event.at.timeIntervalSince1970, event.actor.id, event.agencyID,
                                    try StoreJSON.encode(event)])
                }
            }
        }
        return path
    }

    /// Dossiers as the lifecycle makes them (each procedure of the catalogue, some moved on), and
    /// the odd ones the rewrite must keep exactly (texts the catalogue lacks).
    func dossiers() async throws -> [(Dossier, [DossierEvent])] {
        let source = try SQLiteStore(path: temporaryDatabase())
        _ = try await source.saveCatalogue(tree: catalogue.tree, procedures: catalogue.procedures)
        let start = WorkCalendar.parse("2026-03-02T08:00:00+07:00")!
        var result: [(Dossier, [DossierEvent])] = []
        for (n, procedure) in catalogue.procedures.enumerated() {
            let now = start.addingTimeInterval(Double(n) * 600)
            var d = try await file(source, intake("Người Thứ \(n) Đặng", procedureCode: procedure.code), at: now)
            if n % 3 == 0 {
                let context = DecisionContext(actor: desk, now: now.addingTimeInterval(60), calendar: calendar)
                d = try await source.apply(code: d.code) { try Lifecycle.decide(.requestSupplementation(items: ["Bản sao CCCD", procedure.documents[0].name], reason: "thiếu"), dossier: $0, context: context) }
            }
            result.append((d, try await source.events(dossierID: d.id)))
        }
        let odd = fullDossier(catalogue.procedures[0], code: "000.15.01.H42-260303-0001", fromCatalogue: false, submitted: start)
        result.append((odd, []))
        return result
    }

    @Test("Every dossier, control sheet and search reads the same after the rewrite, which resumes where it stopped and reports progress")
    func rewrite() async throws {
        let originals = try await dossiers()
        let path = try legacyDatabase(originals)
        // Stopped after one batch of 5.
        let pool = try DatabasePool(path: path)
        try await pool.write { db in
            try db.execute(sql: SQLiteStore.slimDossiersTable)
            #expect(try SQLiteStore.copySlimRows(db, limit: 5) == 5)
        }
        let reports = Mutex<[LayoutProgress]>([])
        let store = try SQLiteStore(path: path, progress: { progress in reports.withLock { $0.append(progress) } })
        let seen = reports.withLock { $0 }
        #expect(seen.first?.done == 5 && seen.last?.done == originals.count && seen.allSatisfy { $0.total == originals.count })
        #expect(try await store.appliedMigrations().contains("v10-slim-layout"))
        for (d, events) in originals {
            let back = try #require(try await store.dossier(code: d.code))
            #expect(back == d)
            #expect(try StoreJSON.encode(back) == StoreJSON.encode(d))
            #expect(try await store.events(dossierID: d.id) == events)
            let visible = try await store.search(DossierQuery(visibleToAgency: d.currentAgencyID, code: d.code))
            #expect(visible.items == [d])
            let named = try await store.search(DossierQuery(visibleToAgency: d.agencyID, name: d.applicant.name))
            #expect(named.items.contains(d))
        }
        let counts = try await store.counts()
        #expect(counts.dossiers == originals.count)
        // The rows are slim now: references, not the catalogue's texts.
        let widest = try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT max(length(data)) FROM dossiers") ?? 0 }
        #expect(widest < 4_000)
    }
}

@Suite("Officers' lists: keyset pages, bounded totals, one answer whichever index a name search takes")
struct ListTests {
    let start = WorkCalendar.parse("2026-03-02T08:00:00+07:00")!
    static let names = ["Nguyễn Văn An", "Nguyễn Thị Ánh", "Trần Văn Bình", "Lê Văn Anh", "Đặng Thị Đào", "Phạm An", "Nguyễn Văn Anh Tú"]

    func filed(_ store: any DossierStore, count: Int) async throws -> [Dossier] {
        var result: [Dossier] = []
        for n in 0..<count {
            result.append(try await file(store, intake(Self.names[n % Self.names.count]), at: start.addingTimeInterval(Double(n / 2) * 60)))
        }
        // Newest first; two at each instant, their ids in order.
        return result.sorted { ($0.submittedAt, $0.id) > ($1.submittedAt, $1.id) }
    }

    @Test("Following nextCursor walks every dossier once, newest first, with filters too", arguments: Backend.all)
    func keyset(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let all = try await filed(store, count: 23)
        for statuses in [[], [DossierStatus.received], [.received, .supplementation]] {
            var query = DossierQuery(visibleToAgency: desk.agencyID, statuses: statuses, limit: 5)
            var seen: [Dossier] = []
            var pages = 0
            while true {
                let page = try await store.search(query)
                #expect(page.total == 23 && page.totalIsExact)
                seen += page.items
                pages += 1
                guard let next = page.next else { break }
                query.after = next
            }
            #expect(seen.map(\.code) == all.map(\.code) && pages == 5)
        }
        // A cursor survives its text form.
        let cursor = DossierCursor(after: all[3])
        #expect(DossierCursor(token: cursor.token) == cursor)
        #expect(DossierCursor(token: "bm90IGEgY3Vyc29y") == nil && DossierCursor(token: "") == nil)
    }

    @Test("Totals stop at the bound and say so", arguments: Backend.all)
    func boundedTotal(backend: Backend) async throws {
        let store = try await backend.makeStore()
        _ = try await filed(store, count: 12)
        var query = DossierQuery(visibleToAgency: desk.agencyID, limit: 3)
        query.totalBound = 5
        let page = try await store.search(query)
        #expect(page.total == 5 && !page.totalIsExact && page.items.count == 3 && page.next != nil)
        query.totalBound = 12
        let exact = try await store.search(query)
        #expect(exact.total == 12 && exact.totalIsExact)
    }

    @Test("A name finds the same dossiers, where a word starts, through the name keys and along the agency's list", arguments: Backend.all)
    func namePaths(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let all = try await filed(store, count: 21)
        _ = try await file(store, intake("Nguyễn Văn An"), at: start, by: Actor(id: "d2", name: "B", role: .desk, agencyID: "000.07.01.H25"))
        for name in ["nguyen van", "van an", "VĂN AN", "an", "đào", "dao", "nguyen van anh tu", "thi", "x%_", "ánh", "ran", "uyen"] {
            // Where a word starts: "an" finds Phạm An and Nguyễn Thị Ánh, not Trần Văn Bình.
            let key = foldedSearchKey(name)
            let expected = all.filter {
                let folded = foldedSearchKey($0.applicant.name)
                return folded.hasPrefix(key) || folded.contains(" " + key)
            }.map(\.code)
            var query = DossierQuery(visibleToAgency: desk.agencyID, name: name, limit: 50)
            let byIndex = try await store.search(query)
            query.rareNameMatches = 0
            let byList = try await store.search(query)
            #expect(byIndex.items.map(\.code) == expected, "\(name) through the name index")
            #expect(byList.items.map(\.code) == expected, "\(name) along the list")
            #expect(byIndex.total == expected.count && byList.total == expected.count)
        }
    }

    @Test("Codes: whole, a prefix, or the agency's own without its part; never another agency's", arguments: Backend.all)
    func codes(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let all = try await filed(store, count: 3)
        let other = try await file(store, intake(), at: start, by: Actor(id: "d2", name: "B", role: .desk, agencyID: "000.07.01.H25"))
        let code = all[0].code
        #expect(try await store.search(DossierQuery(visibleToAgency: desk.agencyID, code: code)).items.map(\.code) == [code])
        #expect(try await store.search(DossierQuery(visibleToAgency: desk.agencyID, code: String(code.prefix(18)))).total == 3)
        #expect(try await store.search(DossierQuery(visibleToAgency: desk.agencyID, code: String(code.dropFirst(desk.agencyID.count + 1)))).items.map(\.code) == [code])
        #expect(try await store.search(DossierQuery(visibleToAgency: desk.agencyID, code: other.code)).total == 0)
    }

    @Test("Queue counts stop at the bound and say so; the page is the same", arguments: Backend.all)
    func queueBound(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let all = try await filed(store, count: 5)
        var query = QueueQuery(kind: .agency, agencyID: desk.agencyID, now: start, limit: 10)
        let exact = try await store.queue(query)
        #expect(exact.total == 5 && exact.totalIsExact && exact.items.count == 5)
        query.totalBound = 3
        let bounded = try await store.queue(query)
        #expect(bounded.total == 3 && !bounded.totalIsExact && bounded.items.map(\.code) == exact.items.map(\.code))
        query.totalBound = 5
        #expect(try await store.queue(query).totalIsExact)
        #expect(Set(exact.items.map(\.code)) == Set(all.map(\.code)))
    }

    @Test("A search by code lists by code, last first; its cursor walks every match once, on every form of the code", arguments: Backend.all)
    func codeOrder(backend: Backend) async throws {
        let store = try await backend.makeStore()
        // Two days; on each, filed in an order that is not the codes' (a later filing instant can
        // take an earlier number when its transaction commits first).
        var day1: [Dossier] = [], day2: [Dossier] = []
        for n in 0..<7 {
            day1.append(try await file(store, intake(), at: start.addingTimeInterval(Double(7 - n) * 60)))
            if n < 4 { day2.append(try await file(store, intake(), at: start.addingTimeInterval(86_400 + Double(n) * 60))) }
        }
        _ = try await file(store, intake(), at: start, by: Actor(id: "d2", name: "B", role: .desk, agencyID: "000.07.01.H25"))
        let agency = desk.agencyID
        let dayPart = { (d: Dossier) in String(d.code.dropFirst(agency.count + 1).prefix(6)) }
        let forms: [(String, [Dossier])] = [
            (agency + "-" + dayPart(day1[0]), day1),          // the agency's day
            (dayPart(day1[0]), day1),                           // its own day, without the agency part
            (String(agency.prefix(6)), day1 + day2),            // a start of the agency's own identifier
            (agency, day1 + day2),
        ]
        for (code, expected) in forms {
            let codes = expected.map(\.code).sorted(by: >)
            var query = DossierQuery(visibleToAgency: agency, code: code, limit: 3)
            var seen: [String] = []
            while true {
                let page = try await store.search(query)
                #expect(page.total == codes.count && page.totalIsExact, "\(code)")
                seen += page.items.map(\.code)
                guard let next = page.next else { break }
                #expect(next.isByCode)
                query.after = next
                #expect(seen.count <= codes.count, "\(code): looping")
                if seen.count > codes.count { break }
            }
            #expect(seen == codes, "\(code)")
        }
        // A list's cursor continues a list, never a search by code (the API refuses the mix).
        #expect(DossierCursor(token: DossierCursor.code(day1[0].code).token) == .code(day1[0].code))
        #expect(DossierCursor(token: DossierCursor(after: day1[0]).token)?.isByCode == false)
    }
}

@Suite("Stored JSON of every procedure's dossier")
struct StoredJSONTests {
    @Test("Every procedure's documents, handed in whole, read back; the JSON is valid")
    func everyProcedure() throws {
        let versions = ProcedureVersions()
        versions.add(catalogue.procedures.map { (version: 1, procedure: $0) })
        let submitted = WorkCalendar.parse("2026-03-02T08:00:00+07:00")!
        for procedure in catalogue.procedures {
            var d = fullDossier(procedure, code: "000.15.01.H42-260302-0001", submitted: submitted)
            d.files = procedure.documents.map { StoredFile(sha256: String(repeating: "ab", count: 32), name: "a.pdf", contentType: "application/pdf", size: 1, document: $0.name) }
            let (data, version) = try DossierCodec.encode(d, versions: versions)
            #expect((try? JSONSerialization.jsonObject(with: Data(data.utf8))) != nil, "\(procedure.code): \(data.prefix(400))")
            #expect(try DossierCodec.decode(data, columns: DossierColumns(d), version: version, versions: versions) == d, "\(procedure.code)")
        }
    }
}

@Suite("PostgreSQL rows written before v6-slim-layout")
struct PostgresRewriteTests {
    @Test("Rows still holding the whole dossier are read as they are, and rewritten slim at the next start", arguments: Backend.all.filter { $0 == .postgres })
    func rewrite(backend: Backend) async throws {
        let database = try await backend.scratch()
        var store: (any DossierStore)? = try await database.open()
        _ = try await store!.saveCatalogue(tree: catalogue.tree, procedures: catalogue.procedures)
        let d = try await file(store!, intake("Đặng Thị Đào"), at: WorkCalendar.parse("2026-03-02T08:00:00+07:00")!)
        // As the build before the slim layout left it: the whole JSON, no procedure version.
        let whole = try StoreJSON.encode(d).replacingOccurrences(of: "'", with: "''")
        try await rawExecute(store!, "UPDATE dossiers SET data = '\(whole)', procedure_version = NULL WHERE code = '\(d.code)'")
        try await rawExecute(store!, "INSERT INTO motcua_pending_rewrites(name) VALUES ('slim-layout')")
        #expect(try await store!.dossier(code: d.code) == d)
        store = nil
        let reopened = try await database.open()
        #expect(try await reopened.dossier(code: d.code) == d)
        // Rewritten: no row left whole, nothing pending, and the row no longer holds the procedure's name.
        try await rawExecute(reopened, """
            DO $$ BEGIN
              IF EXISTS (SELECT 1 FROM dossiers WHERE procedure_version IS NULL) OR EXISTS (SELECT 1 FROM motcua_pending_rewrites)
                OR EXISTS (SELECT 1 FROM dossiers WHERE position('\(d.procedureName)' in data) > 0)
              THEN RAISE EXCEPTION 'not rewritten'; END IF;
            END $$
            """)
    }
}

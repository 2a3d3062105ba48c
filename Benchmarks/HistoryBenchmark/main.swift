// Officers' lists and searches over a province's history (issue #21): generates a Hà Tĩnh-shaped
// history in the store's real schema, for `Benchmarks/history/run.sh` to time the officer API on.
//
//   swift build -c release --product HistoryBenchmark
//   .build/release/HistoryBenchmark --dossiers 10000000 --db PATH [--layout slim|legacy] [--seeds Seeds]
//
// - Schema: the store's own migrations (`SQLiteStore` for the slim layout; the migrations before
//   `v10-slim-layout` for `legacy`, the layout the build before issue #21 reads), then rows
//   written by SQL in that schema, in one transaction per 50,000.
// - Shapes: procedures of the real catalogue (Seeds/) by the agency's level, Zipf-weighted; every
//   document of the procedure's list handed in, and as files when filed online; Vietnamese names
//   in the shares of the commonest family, middle and given names, with their diacritics; 12-digit
//   ID numbers, 10-digit phones; ten years of submissions, rising 8% a year; the centre
//   (000.00.00.H42) receives 15% of them, the other agencies of the two provinces the rest by
//   their validity; 15% pass to a second agency (two list rows and name keys); statuses as a history has them
//   (older than 60 days: 93% returned, 3.5% result never collected, 1.5% refused, 1.5% withdrawn,
//   0.5% stopped; the last 60 days spread over the open states).
// - No control-sheet events: no officer query reads them (the detail read is timed elsewhere),
//   and issue #21's bytes per dossier leave them out.
// - Writes `PATH.queries.json`: an ID number, phone, code and rare full name of the centre's, for
//   the timed queries, and an officer session token of the centre's leader.
import Crypto
import Foundation
import GRDB
import MotCuaConfig
import MotCuaCore
import MotCuaDemo
import MotCuaStore

func option(_ name: String) -> String? {
    let arguments = CommandLine.arguments
    return arguments.firstIndex(of: name).flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
}

func say(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

let count = Int(option("--dossiers") ?? "") ?? 1_000_000
guard let path = option("--db") else {
    say("usage: HistoryBenchmark --dossiers N --db PATH [--layout slim|legacy] [--seeds Seeds]")
    exit(64)
}
let legacy = option("--layout") == "legacy"
let catalogue: Catalogue
do {
    catalogue = try SeedLoader.loadCatalogue(from: URL(fileURLWithPath: option("--seeds") ?? "Seeds"))
} catch {
    say("cannot read the catalogue (run from the repository's root, or pass --seeds DIR): \(error)")
    exit(66)
}
let centre = "000.00.00.H42"
let end = Date(timeIntervalSince1970: 1_795_500_000)  // 2026-11-24
let start = end.addingTimeInterval(-10 * 365.25 * 86_400)

// The schema.
if FileManager.default.fileExists(atPath: path) {
    say("\(path) exists; remove it first")
    exit(73)
}
let versions = ProcedureVersions()
if legacy {
    try SQLiteStore.createLegacyDatabase(at: path)
} else {
    let store = try SQLiteStore(path: path)
    _ = try await store.saveCatalogue(tree: catalogue.tree, procedures: catalogue.procedures)
    versions.add(catalogue.procedures.map { (version: 1, procedure: $0) })
}
var configuration = Configuration()
configuration.prepareDatabase { db in
    try db.execute(sql: "PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000; PRAGMA temp_store = MEMORY")
}
let database = try DatabaseQueue(path: path, configuration: configuration)
if legacy {
    // The catalogue as the server saves it at start (the legacy build finds it unchanged).
    try database.write { db in
        for procedure in catalogue.procedures {
            try db.execute(
                sql: "INSERT INTO procedures(code, name, name_folded, field, level, online_level, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [procedure.code, procedure.name, foldedSearchKey(procedure.name), procedure.field, procedure.level,
                            procedure.onlineLevel, try StoreJSON.encode(procedure)])
        }
    }
}

/// The centre's values the timed queries look for.
struct Samples: Codable {
    var idNumber = "", phone = "", code = "", codePrefix = "", rareName = "", procedure = "", token = ""
}

func generate(database: DatabaseQueue, catalogue: Catalogue, versions: ProcedureVersions) throws {
    // The agencies that receive, with the share each takes while it exists.
    let agencies = catalogue.tree.agencies.values.sorted { $0.id < $1.id }.filter { $0.id != centre }
    // The two-tier reform: the agencies that ended on 30 June 2025 receive before it, their successors after.
    let cutover = WorkCalendar.parse("2025-07-01T00:00:00+07:00")!
    let livingBefore = agencies.filter { $0.validFrom.iso < "2025-07-01" && ($0.validTo.map { $0.iso >= "2025-06-30" } ?? true) }
    let livingAfter = agencies.filter { $0.validTo == nil }
    let procedures = Dictionary(grouping: catalogue.procedures, by: \.level)
    func procedureList(for agency: Agency) -> [Procedure] {
        procedures[agency.level] ?? catalogue.procedures
    }

    // Names: the commonest Vietnamese family names in their shares (Nguyễn ~38%), middle and given names.
    let families: [(String, Double)] = [
        ("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 4), ("Huỳnh", 1.5), ("Phan", 4.5), ("Vũ", 2), ("Võ", 2),
        ("Đặng", 2.1), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1), ("Lý", 0.5), ("Đinh", 1), ("Đào", 1),
        ("Cao", 0.8), ("Mai", 0.7), ("Trương", 0.9), ("Lưu", 0.5), ("Thái", 0.4), ("Tạ", 0.3), ("Hà", 0.5),
    ]
    let maleMiddles = ["Văn", "Văn", "Văn", "Văn", "Hữu", "Đức", "Minh", "Quang", "Thành", "Công", "Xuân", "Đình", "Ngọc", "Anh"]
    let femaleMiddles = ["Thị", "Thị", "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Hồng", "Kim", "Minh", "Phương", "Thùy", "Mai"]
    let maleGiven = [
        "An", "Anh", "Bình", "Cường", "Dũng", "Đạt", "Đức", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khang", "Khánh", "Kiên", "Long",
        "Lâm", "Mạnh", "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tài", "Thắng", "Thành", "Tiến", "Toàn",
        "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ", "Bảo", "Công", "Hậu",
    ]
    let femaleGiven = [
        "An", "Anh", "Ánh", "Bích", "Châu", "Chi", "Diệp", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hồng",
        "Huyền", "Hương", "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Nga", "Ngọc", "Nhung", "Oanh", "Phương", "Quỳnh", "Tâm",
        "Thảo", "Thủy", "Trang", "Trinh", "Tuyết", "Uyên", "Vân", "Yến", "Xuân",
    ]
    let familyTotal = families.reduce(0) { $0 + $1.1 }
    var random = SeededGenerator(seed: 21)
    func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &random)] }
    func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &random) < p }
    func name() -> String {
        var x = Double.random(in: 0..<familyTotal, using: &random)
        var family = families[0].0
        for (candidate, share) in families {
            x -= share
            if x < 0 { family = candidate; break }
        }
        let male = chance(0.5)
        let middle = pick(male ? maleMiddles : femaleMiddles)
        let given = pick(male ? maleGiven : femaleGiven)
        // One in five has two given names ("Nguyễn Thị Thu Hằng").
        return chance(0.2) ? "\(family) \(middle) \(pick(male ? maleGiven : femaleGiven)) \(given)" : "\(family) \(middle) \(given)"
    }
    /// Zipf-weighted index into a list of `n` (a few procedures take most dossiers).
    func zipf(_ n: Int) -> Int {
        let u = Double.random(in: 0..<1, using: &random)
        return min(n - 1, Int(pow(Double(n + 1), u)) - 1)
    }

    // A template per procedure (decoded once), each dossier a copy with its own values.
    func template(_ procedure: Procedure) throws -> Dossier {
        let term = try JSONSerialization.jsonObject(with: JSONEncoder().encode(procedure.term))
        let object: [String: Any] = [
            "id": "x", "code": "x", "agencyID": "x", "currentAgencyID": "x", "agencyTrail": [String](), "procedureCode": procedure.code,
            "procedureName": procedure.name, "term": term, "channel": "desk",
            "applicant": ["name": "x", "idNumber": "x", "phone": "x", "address": "x"],
            "documents": procedure.documents.map { ["name": $0.name, "originals": $0.originals, "copies": $0.copies] },
            "returnMethod": "desk", "status": "returned", "intakeSupplementations": 0, "processingSupplementations": 0,
            "missingItems": [String](), "submittedAt": 0, "pauses": [Any](), "updatedAt": 0, "version": 1,
        ]
        return try StoreJSON.decode(Dossier.self, String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
    }
    var templates: [String: Dossier] = [:]
    for procedure in catalogue.procedures { templates[procedure.code] = try template(procedure) }
    func days(_ term: Term) -> Double {
        switch term {
        case let .workingDays(n): Double(n) * 1.4
        case let .workingHours(n): Double(n) / 8 * 1.4
        case let .calendarDays(n): Double(n)
        }
    }
    let streets = ["Trần Phú", "Nguyễn Du", "Hà Huy Tập", "Phan Đình Phùng", "Lê Duẩn", "Xuân Diệu", "Hàm Nghi", "Nguyễn Huy Tự"]
    let wards = ["phường Thành Sen", "phường Trần Phú", "xã Thạch Hạ", "phường Sông Trí", "phường Hoành Sơn", "xã Kỳ Hoa"]

    var samples = Samples()
    var sequences: [String: Int] = [:]
    let dayFormatter = DateFormatter()
    dayFormatter.dateFormat = "yyMMdd"
    dayFormatter.timeZone = TimeZone(secondsFromGMT: 7 * 3600)
    let recent = end.addingTimeInterval(-60 * 86_400)
    let openStates: [DossierStatus] = [.received, .processing, .processing, .processing, .supplementation, .awaitingFee, .approved, .resultReady]

    let batch = 50_000
    let started = Date()
    var written = 0
    var listRows = 0
    while written < count {
        let upTo = min(count, written + batch)
        try database.write { db in
            let insertLegacy = legacy ? try db.makeStatement(sql: """
                INSERT INTO dossiers(id, code, agency_id, current_agency_id, procedure_code, status, channel, applicant_name, applicant_folded,
                  id_number, phone, submitted_at, received_at, due_at, updated_at, version, data, handler_id, watch_due, watch_near,
                  alert_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """) : nil
            let insertAccess = legacy ? try db.makeStatement(sql: "INSERT INTO dossier_access(agency_id, dossier_id) VALUES (?, ?)") : nil
            let insertSlim = legacy ? nil : try db.makeStatement(sql: """
                INSERT INTO dossiers(id, code, agency_id, current_agency_id, procedure_code, procedure_version, status, channel, return_method,
                  applicant_folded, id_number, phone, submitted_at, received_at, due_at, updated_at, version, data, handler_id, watch_due,
                  watch_near, alert_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let insertName = legacy ? nil : try db.makeStatement(sql: """
                INSERT INTO dossier_name_keys(agency_id, key, submitted_at, dossier_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING
                """)
            let insertList = legacy ? nil : try db.makeStatement(sql: """
                INSERT INTO dossier_list(agency_id, submitted_at, dossier_id, status, procedure_code, name_folded) VALUES (?, ?, ?, ?, ?, ?)
                """)
            for n in written..<upTo {
                // Submissions rise ~8% a year: the inverse of an exponential ramp over ten years.
                let fraction = log(1 + Double(n) / Double(count) * (pow(1.08, 10) - 1)) / log(pow(1.08, 10))
                let submitted = start.addingTimeInterval(fraction * end.timeIntervalSince(start) + Double.random(in: 0..<1, using: &random))
                let living = submitted < cutover ? livingBefore : livingAfter
                let agency = chance(0.15) ? catalogue.tree.agencies[centre]! : pick(living)
                let list = procedureList(for: agency)
                let procedure = list[zipf(list.count)]
                var d = templates[procedure.code]!
                let day = dayFormatter.string(from: submitted)
                let sequence = (sequences[agency.id + day] ?? 0) + 1
                sequences[agency.id + day] = sequence
                d.id = TimeOrderedID.make(at: submitted, using: &random)
                d.code = String(format: "%@-%@-%04d", agency.id, day, sequence)
                d.agencyID = agency.id
                d.currentAgencyID = agency.id
                d.agencyTrail = [agency.id]
                if chance(0.15) {
                    let other = agency.id == centre ? pick(living).id : centre
                    d.agencyTrail.append(other)
                    d.currentAgencyID = other
                }
                let applicant = name()
                d.applicant = Applicant(
                    name: applicant, idNumber: String(format: "0%02d%09d", Int.random(in: 40...42, using: &random), Int.random(in: 0..<1_000_000_000, using: &random)),
                    phone: String(format: "09%08d", Int.random(in: 0..<100_000_000, using: &random)),
                    email: chance(0.3) ? "congdan\(n)@gmail.com" : nil,
                    address: "Số \(Int.random(in: 1...300, using: &random)) \(pick(streets)), \(pick(wards)), tỉnh Hà Tĩnh")
                let year = WorkCalendar.localDate(of: submitted).year
                d.channel = chance(year >= 2022 ? 0.35 : 0.08) ? .online : chance(0.03) ? .postal : .desk
                d.returnMethod = d.channel == .online && chance(0.3) ? .electronic : chance(0.06) ? .post : .desk
                d.submittedAt = submitted
                d.receivedAt = submitted.addingTimeInterval(d.channel == .desk ? 0 : 3_600)
                d.dueAt = d.receivedAt!.addingTimeInterval(days(procedure.term) * 86_400)
                if d.channel == .online {
                    d.submissionLevel = procedure.onlineLevel == 4 ? 4 : 3
                    d.files = procedure.documents.map { document in
                        StoredFile(
                            sha256: String(format: "%016llx%016llx%016llx%016llx", random.next(), random.next(), random.next(), random.next()),
                            name: "tai-lieu-\(Int.random(in: 1...9, using: &random)).pdf", contentType: "application/pdf",
                            size: Int.random(in: 40_000..<2_000_000, using: &random), document: document.name)
                    }
                }
                d.handlerID = "handler-\(agency.id)-\(Int.random(in: 1...12, using: &random))"
                d.handlerName = name()
                if submitted < recent {
                    let x = Double.random(in: 0..<100, using: &random)
                    d.status = x < 93 ? .returned : x < 96.5 ? .resultReady : x < 98 ? .refused : x < 99.5 ? .withdrawn : .stopped
                } else {
                    d.status = pick(openStates)
                }
                let finished = min(end, d.dueAt!.addingTimeInterval(Double.random(in: -4...1, using: &random) * 86_400))
                switch d.status {
                case .returned, .resultReady:
                    d.approvedAt = finished.addingTimeInterval(-7_200)
                    d.resultReadyAt = finished
                    d.outcome = finished <= d.dueAt! ? (finished < d.dueAt!.addingTimeInterval(-86_400) ? .early : .onTime) : .late
                    d.processingSeconds = Int64(finished.timeIntervalSince(d.receivedAt!) / 3)
                    if d.status == .returned { d.returnedAt = finished.addingTimeInterval(86_400) }
                    if procedure.fee.amount.map({ $0 > 0 }) ?? false, let amount = procedure.fee.amount {
                        d.feeAmount = amount
                    }
                case .refused, .withdrawn, .stopped:
                    d.closedAt = finished
                    d.closingReason = "Hồ sơ không đủ điều kiện giải quyết theo quy định"
                default:
                    break
                }
                // An agency merged away on 1 July 2025 passed its open dossiers to its successor then.
            if !d.status.isFinal, let successor = catalogue.tree.agencies[d.currentAgencyID]?.successorID,
               catalogue.tree.agencies[d.currentAgencyID]?.validTo != nil {
                d.currentAgencyID = successor
                if !d.agencyTrail.contains(successor) { d.agencyTrail.append(successor) }
            }
            d.updatedAt = d.returnedAt ?? d.closedAt ?? d.resultReadyAt ?? d.receivedAt!
                d.version = d.status.isFinal ? 7 : 3
                let folded = foldedSearchKey(d.applicant.name)
            // Running dossiers are watched (the queues and the digest read these).
            let watch = WatchColumns(d, crossed: [])
                if agency.id == centre && d.agencyTrail.count == 1 {
                    if samples.idNumber.isEmpty || chance(0.00001) {
                        samples.idNumber = d.applicant.idNumber
                        samples.phone = d.applicant.phone
                        samples.code = d.code
                        samples.codePrefix = String(d.code.prefix(centre.count + 5))
                        samples.procedure = d.procedureCode
                    }
                    if applicant.split(separator: " ").count == 4 && (samples.rareName.isEmpty || chance(0.00001)) { samples.rareName = applicant }
                }
                if let insertLegacy, let insertAccess {
                    try insertLegacy.execute(arguments: [
                        d.id, d.code, d.agencyID, d.currentAgencyID, d.procedureCode, d.status.rawValue, d.channel.rawValue, d.applicant.name,
                        folded, d.applicant.idNumber, d.applicant.phone, submitted.timeIntervalSince1970, d.receivedAt?.timeIntervalSince1970,
                        d.dueAt?.timeIntervalSince1970, d.updatedAt.timeIntervalSince1970, d.version, try StoreJSON.encode(d), d.handlerID,
                        watch.due, watch.near, watch.alertAt,
                    ])
                    for agencyID in d.agencyTrail { try insertAccess.execute(arguments: [agencyID, d.id]) }
                } else if let insertSlim, let insertName, let insertList {
                    let (data, version) = try DossierCodec.encode(d, versions: versions)
                    try insertSlim.execute(arguments: [
                        d.id, d.code, d.agencyID, d.currentAgencyID, d.procedureCode, version, d.status.rawValue, d.channel.rawValue,
                        d.returnMethod.rawValue, folded, d.applicant.idNumber, d.applicant.phone, submitted.timeIntervalSince1970,
                        d.receivedAt?.timeIntervalSince1970, d.dueAt?.timeIntervalSince1970, d.updatedAt.timeIntervalSince1970, d.version, data,
                        d.handlerID, watch.due, watch.near, watch.alertAt,
                    ])
                    let keys = nameKeys(folded: folded)
                    for agencyID in d.agencyTrail {
                        try insertList.execute(arguments: [agencyID, submitted.timeIntervalSince1970, d.id, d.status.rawValue, d.procedureCode, folded])
                        for key in keys { try insertName.execute(arguments: [agencyID, key, submitted.timeIntervalSince1970, d.id]) }
                    }
                }
                listRows += d.agencyTrail.count
            }
        }
        written = upTo
        let seconds = Date().timeIntervalSince(started)
        say("  \(written) / \(count) dossiers, \(Int(seconds)) s (\(Int(Double(written) / max(seconds, 0.001)))/s)")
    }

    // The centre's leader, with a session the timed queries use.
    let token = "history-" + UUID().uuidString
    let hash = SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    samples.token = token
    try database.write { db in
        try db.execute(sql: """
            INSERT INTO officers(id, username, name, role, agency_id, password_hash, active, created_at)
            VALUES ('history-leader', 'history.leader', 'Lãnh đạo trung tâm', 'leader', ?, 'x', 1, 0)
            """, arguments: [centre])
        try db.execute(
            sql: "INSERT INTO sessions(token_hash, officer_id, created_at, expires_at) VALUES (?, 'history-leader', 0, 4102444800)",
            arguments: [hash])
    }
    try database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(samples).write(to: URL(fileURLWithPath: path + ".queries.json"))
    say("done: \(count) dossiers, \(listRows) list rows, \(Int(Date().timeIntervalSince(started))) s; queries in \(path).queries.json")

}

try generate(database: database, catalogue: catalogue, versions: versions)

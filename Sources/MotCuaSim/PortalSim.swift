import Foundation
import HTTPTypes
import Hummingbird
import MotCuaAPI
import MotCuaCore
import NIOCore
import Synchronization

/// A stand-in for the national public-service portal (Cổng DVCQG), for local runs, demos and tests.
///
/// It takes `POST /dossiers/sync` and `POST /dossiers/progress` (`docs/national-portal.openapi.json`),
/// checks every field (422 naming it), honours `Idempotency-Key` (the same key and body: the same
/// answer again; another body: a 422), and holds each dossier's version: a version at or below
/// the one it holds under a new key is stale (409), and one that skips a version is "out of
/// order" (409). `GET /dossiers?agencyID=&from=&to=` tells what it holds (reconciliation).
/// Faults on demand: a share of 503s, latency, answers lost after acceptance, an outage.
public final class PortalSim: Sendable {
    public struct Faults: Sendable {
        /// Share of messages answered 503 (with Retry-After: 1) without effect.
        public var failRate = 0.0
        /// Added to every answer but an outage's.
        public var latency: Duration = .zero
        /// Share of messages taken but answered only after `hang` (past the client's timeout).
        public var lostRate = 0.0
        public var hang: Duration = .seconds(15)

        public init() {}
    }

    /// What the portal holds of one dossier.
    public struct Holding: Sendable, Codable, Equatable {
        public var code: String
        public var agencyID: String?
        public var submittedAt: Date?
        public var version: Int
        public var status: Int
        public var dueAt: Date?
        /// The last whole-dossier message.
        public var sync: PortalSyncRequest?
        /// Every version taken, in order, and the control-sheet entries.
        public var versions: [Int]
        public var entries: [PortalProgressEntry]
    }

    public struct Stats: Sendable, Codable, Equatable {
        public var requests = 0
        public var accepted = 0
        /// Requests with a key seen before, answered as the first time.
        public var replays = 0
        public var rejected = 0
        public var stale = 0
        public var outOfOrder = 0
        public var unauthorized = 0
        public var injectedFailures = 0
        public var injectedLost = 0
        public var outageRefusals = 0
    }

    struct State: Sendable {
        var holdings: [String: Holding] = [:]
        /// Idempotency keys seen → the dossier code and the body's bytes.
        var keys: [String: (code: String, body: Data)] = [:]
        var stats = Stats()
        var down = false
        var faults: Faults
    }

    private let state: Mutex<State>
    let apiKey: String?

    public init(apiKey: String? = nil, faults: Faults = Faults()) {
        self.apiKey = apiKey
        state = Mutex(State(faults: faults))
    }

    public var stats: Stats { state.withLock { $0.stats } }
    public func holding(code: String) -> Holding? { state.withLock { $0.holdings[code] } }
    public var holdings: [Holding] { state.withLock { Array($0.holdings.values) }.sorted { $0.code < $1.code } }

    /// An outage: every request is answered 503 until it ends.
    public func setDown(_ down: Bool) { state.withLock { $0.down = down } }
    public func setFaults(_ faults: Faults) { state.withLock { $0.faults = faults } }
    /// Loses what the portal held of a dossier (reconciliation must send it again).
    public func forget(code: String) {
        state.withLock { state in
            state.holdings[code] = nil
            state.keys = state.keys.filter { $0.value.code != code }
        }
    }

    // MARK: The portal's API

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("dossiers/sync") { request, _ -> Response in try await self.message(request, kind: .sync) }
        router.post("dossiers/progress") { request, _ -> Response in try await self.message(request, kind: .progress) }
        router.get("dossiers") { request, _ -> Response in try self.list(request) }
        router.get("sim/dossiers/{code}") { _, context -> Response in
            let code = try context.parameters.require("code")
            guard let holding = self.holding(code: code) else { return Self.problem(404, "Không có hồ sơ \(code).") }
            return Self.json(holding, status: .ok)
        }
        router.delete("sim/dossiers/{code}") { _, context -> Response in
            self.forget(code: try context.parameters.require("code"))
            return Response(status: .noContent)
        }
        SimHTTP.addControls(to: router, stats: { self.stats }, setDown: { self.setDown($0) })
        return router
    }

    enum Kind { case sync, progress }

    func message(_ request: Request, kind: Kind) async throws -> Response {
        var request = request
        let body = Data(try await request.collectBody(upTo: 1_048_576).readableBytesView)
        enum Gate { case down, fail, unauthorized, open }
        let (gate, faults): (Gate, Faults) = state.withLock { state in
            state.stats.requests += 1
            if state.down { state.stats.outageRefusals += 1; return (.down, state.faults) }
            if let key = apiKey, request.headers[.authorization] != "Bearer \(key)" { state.stats.unauthorized += 1; return (.unauthorized, state.faults) }
            if state.faults.failRate > 0, Double.random(in: 0..<1) < state.faults.failRate {
                state.stats.injectedFailures += 1
                return (.fail, state.faults)
            }
            return (.open, state.faults)
        }
        switch gate {
        case .down, .fail:
            return SimHTTP.unavailable(title: "Cổng DVCQG tạm ngừng")
        case .unauthorized:
            return Self.problem(401, "Thiếu hoặc sai khóa API (Authorization: Bearer …).")
        case .open:
            break
        }
        if faults.latency > .zero { try await Task.sleep(for: faults.latency) }
        let response = take(body, key: request.headers[HTTPField.Name("Idempotency-Key")!], kind: kind)
        if response.status == .ok, faults.lostRate > 0, Double.random(in: 0..<1) < faults.lostRate {
            state.withLock { $0.stats.injectedLost += 1 }
            try? await Task.sleep(for: faults.hang)
        }
        return response
    }

    /// Checks and applies one message.
    func take(_ body: Data, key: String?, kind: Kind) -> Response {
        guard let key, !key.isEmpty, key.utf8.count <= 255 else { return reject(400, "Thiếu tiêu đề Idempotency-Key.") }
        let code: String, version: Int, status: Int, dueAt: Date?
        var sync: PortalSyncRequest?
        var entries: [PortalProgressEntry] = []
        do {
            switch kind {
            case .sync:
                let message = try PortalMessages.decoder.decode(PortalSyncRequest.self, from: body)
                let problems = Self.problems(message)
                guard problems.isEmpty else { return reject(422, problems) }
                (code, version, status, dueAt, sync) = (message.code, message.version, message.status, message.dueAt, message)
            case .progress:
                let message = try PortalMessages.decoder.decode(PortalProgressRequest.self, from: body)
                let problems = Self.problems(message)
                guard problems.isEmpty else { return reject(422, problems) }
                (code, version, status, dueAt, entries) = (message.code, message.version, message.status, message.dueAt, message.entries)
            }
        } catch let error as DecodingError {
            return reject(422, [Self.problem(error)])
        } catch {
            return reject(400, "Nội dung không phải JSON hợp lệ.")
        }
        enum Outcome { case taken, replay, reused, stale(Int), gap(Int) }
        let outcome: Outcome = state.withLock { state in
            if let seen = state.keys[key] {
                guard seen.body == body else { return .reused }
                state.stats.replays += 1
                return .replay
            }
            var holding = state.holdings[code] ?? Holding(code: code, version: 0, status: status, versions: [], entries: [])
            if version <= holding.version { state.stats.stale += 1; return .stale(holding.version) }
            if version > holding.version + 1 { state.stats.outOfOrder += 1; return .gap(holding.version) }
            holding.version = version
            holding.versions.append(version)
            holding.status = status
            holding.dueAt = dueAt
            if let sync {
                holding.sync = sync
                holding.agencyID = sync.agencyID
                holding.submittedAt = sync.submittedAt
            }
            holding.entries += entries
            state.holdings[code] = holding
            state.keys[key] = (code, body)
            state.stats.accepted += 1
            return .taken
        }
        switch outcome {
        case .taken, .replay:
            return Self.json(PortalAnswer(errorCode: "0", message: "Thành công"), status: .ok)
        case .reused:
            return reject(422, "Idempotency-Key đã dùng cho một nội dung khác.")
        case let .stale(held):
            return Self.problem(409, "Phiên bản \(version) cũ: cổng đã có phiên bản \(held) của hồ sơ \(code).")
        case let .gap(held):
            return Self.problem(409, "Sai thứ tự (out of order): cổng có phiên bản \(held), cần phiên bản \(held + 1) trước \(version).")
        }
    }

    /// `GET /dossiers?agencyID=&from=YYYY-MM-DD&to=YYYY-MM-DD`: the dossiers the portal holds of an
    /// agency, received (submitted) on those days.
    func list(_ request: Request) throws -> Response {
        let query = request.uri.queryParameters
        guard let agency = query["agencyID"].map(String.init), !agency.isEmpty else {
            return Self.problem(422, "agencyID: bắt buộc", errors: [FieldProblem(field: "agencyID", reason: "bắt buộc")])
        }
        guard let from = query["from"].flatMap({ LocalDate(iso: String($0)) }), let to = query["to"].flatMap({ LocalDate(iso: String($0)) }),
              from <= to else {
            return Self.problem(422, "from, to: ngày YYYY-MM-DD, from ≤ to", errors: [FieldProblem(field: "from", reason: "ngày YYYY-MM-DD, from ≤ to")])
        }
        let found = holdings.filter { holding in
            guard holding.agencyID == agency, let submitted = holding.submittedAt else { return false }
            let day = WorkCalendar.localDate(of: submitted)
            return from <= day && day <= to
        }
        return Self.json(
            PortalHoldings(dossiers: found.map { PortalHolding(code: $0.code, version: $0.version, status: $0.status, dueAt: $0.dueAt) }),
            status: .ok)
    }

    // MARK: Checks

    /// `{agency}-{yyMMdd}-{NNNN}`.
    static func isDossierCode(_ code: String) -> Bool {
        let parts = code.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, (1...40).contains(parts[0].count), parts[1].count == 6, parts[2].count == 4 else { return false }
        return parts[0].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == ".") }
            && (parts[1] + parts[2]).allSatisfy { $0.isASCII && $0.isNumber }
    }

    static func problems(_ m: PortalSyncRequest) -> [FieldProblem] {
        var problems = common(code: m.code, version: m.version, status: m.status)
        func required(_ value: String?, _ field: String, limit: Int = 300) {
            guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else {
                problems.append(FieldProblem(field: field, reason: "bắt buộc"))
                return
            }
            if value.count > limit { problems.append(FieldProblem(field: field, reason: "dài quá \(limit) ký tự")) }
        }
        required(m.procedureCode, "procedureCode", limit: 64)
        required(m.procedureName, "procedureName", limit: 2000)
        required(m.agencyID, "agencyID", limit: 64)
        required(m.currentAgencyID, "currentAgencyID", limit: 64)
        required(m.applicant.name, "applicant.name", limit: 200)
        required(m.applicant.phone, "applicant.phone", limit: 20)
        required(m.applicant.address, "applicant.address", limit: 500)
        required(m.statusName, "statusName", limit: 200)
        required(m.event.kind, "event.kind", limit: 64)
        required(m.event.name, "event.name", limit: 500)
        if m.applicant.idNumber.count != 12 || !m.applicant.idNumber.allSatisfy({ $0.isASCII && $0.isNumber }) {
            problems.append(FieldProblem(field: "applicant.idNumber", reason: "12 chữ số"))
        }
        if !(1...3).contains(m.channel) { problems.append(FieldProblem(field: "channel", reason: "từ 1 đến 3")) }
        if let level = m.submissionLevel, !(2...4).contains(level) { problems.append(FieldProblem(field: "submissionLevel", reason: "từ 2 đến 4")) }
        if let rating = m.rating, !(1...5).contains(rating) { problems.append(FieldProblem(field: "rating", reason: "từ 1 đến 5")) }
        if let outcome = m.outcome, !["early", "onTime", "late"].contains(outcome) {
            problems.append(FieldProblem(field: "outcome", reason: "early, onTime hoặc late"))
        }
        if m.event.sequence != m.version { problems.append(FieldProblem(field: "event.sequence", reason: "phải bằng version")) }
        for (date, field) in [(m.receivedAt, "receivedAt"), (m.dueAt, "dueAt"), (m.finishedAt, "finishedAt"), (m.returnedAt, "returnedAt")] {
            if let date, date < m.submittedAt.addingTimeInterval(-86_400) {
                problems.append(FieldProblem(field: field, reason: "trước thời điểm nộp"))
            }
        }
        return problems
    }

    static func problems(_ m: PortalProgressRequest) -> [FieldProblem] {
        var problems = common(code: m.code, version: m.version, status: m.status)
        if m.entries.isEmpty { problems.append(FieldProblem(field: "entries", reason: "ít nhất một bước")) }
        for (index, entry) in m.entries.enumerated() {
            let field = "entries[\(index)]"
            if entry.step.isEmpty { problems.append(FieldProblem(field: "\(field).step", reason: "bắt buộc")) }
            if entry.stepName.isEmpty { problems.append(FieldProblem(field: "\(field).stepName", reason: "bắt buộc")) }
            if entry.agencyID.isEmpty { problems.append(FieldProblem(field: "\(field).agencyID", reason: "bắt buộc")) }
            if entry.giver.agencyID.isEmpty { problems.append(FieldProblem(field: "\(field).giver.agencyID", reason: "bắt buộc")) }
            if !(1...10).contains(entry.status) { problems.append(FieldProblem(field: "\(field).status", reason: "từ 1 đến 10")) }
            if entry.sequence > m.version || entry.sequence < 1 {
                problems.append(FieldProblem(field: "\(field).sequence", reason: "từ 1 đến version"))
            }
        }
        if let last = m.entries.last, last.sequence != m.version {
            problems.append(FieldProblem(field: "entries", reason: "bước cuối phải là version"))
        }
        return problems
    }

    static func common(code: String, version: Int, status: Int) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if !isDossierCode(code) { problems.append(FieldProblem(field: "code", reason: "dạng {cơ quan}-{yyMMdd}-{NNNN}")) }
        if version < 1 { problems.append(FieldProblem(field: "version", reason: "từ 1")) }
        if !(1...10).contains(status) { problems.append(FieldProblem(field: "status", reason: "từ 1 đến 10")) }
        return problems
    }

    /// The field a decoding error is about, by its path.
    static func problem(_ error: DecodingError) -> FieldProblem {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case let .keyNotFound(key, context): return FieldProblem(field: path(context.codingPath + [key]), reason: "bắt buộc")
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            return FieldProblem(field: path(context.codingPath), reason: "sai kiểu")
        case let .dataCorrupted(context):
            return FieldProblem(field: context.codingPath.isEmpty ? "body" : path(context.codingPath), reason: context.debugDescription)
        @unknown default: return FieldProblem(field: "body", reason: "không đọc được")
        }
    }

    // MARK: Answers

    func reject(_ status: Int, _ problems: [FieldProblem]) -> Response {
        state.withLock { $0.stats.rejected += 1 }
        return Self.problem(status, problems.map { "\($0.field): \($0.reason)" }.joined(separator: "; "), errors: problems)
    }

    func reject(_ status: Int, _ detail: String) -> Response {
        state.withLock { $0.stats.rejected += 1 }
        return Self.problem(status, detail)
    }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status) -> Response {
        SimHTTP.json(value, status: status)
    }

    static func problem(_ status: Int, _ detail: String, errors: [FieldProblem]? = nil) -> Response {
        let title = switch status {
        case 422: "Nội dung không hợp lệ"
        case 409: "Xung đột phiên bản"
        case 401: "Chưa xác thực"
        case 404: "Không tìm thấy"
        default: "Yêu cầu không hợp lệ"
        }
        return SimHTTP.problem(status, title: title, detail: detail, errors: errors)
    }
}

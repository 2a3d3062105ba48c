import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import MotCuaAPI
import MotCuaConfig
import MotCuaCore
import MotCuaStore
import NIOCore

extension HTTPField.Name {
    static let accessSecret = HTTPField.Name("X-Access-Secret")!
    static let apiKey = HTTPField.Name("X-API-Key")!
    static let webhookID = HTTPField.Name("webhook-id")!
    static let webhookTimestamp = HTTPField.Name("webhook-timestamp")!
    static let webhookSignature = HTTPField.Name("webhook-signature")!
    /// The electronic result's detached signature (`ResultSigning.token`).
    static let resultSignature = HTTPField.Name(ResultSigning.header)!
}

/// The citizen and portal door under `/api/v1/public`: catalogue, online submission (levels 3
/// and 4), status lookup, supplementation upload, electronic result, withdrawal and rating; and
/// the payment provider's callback under `/api/v1/payments/callback`.
///
/// A dossier opens to its code plus its access secret (`X-Access-Secret`), or to the portal's
/// API key (`X-API-Key`). A wrong secret answers exactly like an unknown code.
struct PublicRoutes: Sendable {
    let dependencies: AppDependencies
    let limiter: RateLimiter
    let clientAddress: ClientAddress
    /// SHA-256 (hex) of each portal key → its id.
    let portalKeys: [String: String]
    /// Rendered status views by code and version, until the "late" flag would change.
    let views = DetailCache(capacity: 20_000)
    let procedures: [String: Procedure]

    var store: any DossierStore { dependencies.store }
    var settings: PublicAPISettings { dependencies.configuration.publicAPI }
    var files: FileIntake { FileIntake(dependencies: dependencies) }
    var uploadLimit: Int { settings.maxUploadBytes + 1_048_576 }

    init(dependencies: AppDependencies) {
        self.dependencies = dependencies
        let api = dependencies.configuration.publicAPI
        limiter = RateLimiter(perMinute: api.lookupsPerMinute, burst: api.lookupBurst)
        clientAddress = ClientAddress(trustedProxies: dependencies.configuration.trustedProxies)
        var keys: [String: String] = [:]
        for key in api.portalKeys { keys[key.sha256.lowercased()] = key.id }
        if let raw = api.environmentPortalKey { keys[Self.sha256Hex(raw)] = "portal" }
        portalKeys = keys
        procedures = Dictionary(uniqueKeysWithValues: dependencies.catalogue.procedures.map { ($0.code, $0) })
    }

    static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static let notFound = Problem.typed(.notFound, detail: "Không tìm thấy hồ sơ với mã và mã bí mật đã cung cấp.")

    // MARK: Who asks

    /// The portal's key id when `X-API-Key` is present; a wrong key is a 401.
    func portalID(_ request: Request) throws -> String? {
        guard let given = request.headers[.apiKey] else { return nil }
        let hash = Self.sha256Hex(given)
        // Compare against every configured hash without stopping early.
        var found: String?
        for (stored, id) in portalKeys where Self.constantTimeEquals(stored, hash) { found = id }
        guard let found else { throw Problem.typed(.unauthenticated, detail: "Khóa API (X-API-Key) không hợp lệ.") }
        return found
    }

    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The key namespace for `Idempotency-Key`.
    func idempotencyScope(_ request: Request) -> String {
        (try? portalID(request)).flatMap { $0 }.map { "portal:\($0)" } ?? "public"
    }

    /// Lets the request at `code` through: the portal's key, or the dossier's secret; rate-limited
    /// per client address for citizens. Touches no data, so every refusal costs the same.
    func authorize(_ request: Request, _ context: AppRequestContext, code: String) throws {
        let portal = try portalID(request)
        if portal == nil, let wait = limiter.take("ip:\(clientAddress.resolve(request, context: context))", now: dependencies.now()) {
            throw Problem.typed(.rateLimited, detail: "Bạn tra cứu quá nhiều lần; vui lòng thử lại sau \(wait) giây.", retryAfter: wait)
        }
        guard code.utf8.count <= 64 else { throw Self.notFound }
        if portal == nil {
            guard let secret = request.headers[.accessSecret], dependencies.secrets.verify(secret, code: code) else { throw Self.notFound }
        }
    }

    /// The dossier behind `code`, for the portal or for whoever holds its secret.
    func authorizedDossier(_ request: Request, _ context: AppRequestContext, code: String) async throws -> Dossier {
        try authorize(request, context, code: code)
        guard let dossier = try await store.dossier(code: code) else { throw Self.notFound }
        return dossier
    }

    /// The decision context of a citizen, portal or partner acting at `actor.agencyID` now.
    func decision(_ actor: Actor, now: Date? = nil) -> DecisionContext {
        DecisionContext(
            actor: actor, now: now ?? dependencies.now(), calendar: dependencies.calendars.calendar(forAgency: actor.agencyID),
            nearDue: dependencies.configuration.watch.policy, stepSplit: dependencies.stepSplit)
    }

    /// The applicant (or the portal for them) as the actor, at the agency holding the dossier.
    func citizen(_ request: Request, name: String, agencyID: String) -> Actor {
        let portal = (try? portalID(request)).flatMap { $0 }
        return Actor(id: portal.map { "portal:\($0)" } ?? "citizen", name: name, role: .citizen, agencyID: agencyID)
    }

    func citizenContext(_ dossier: Dossier, _ request: Request) -> DecisionContext {
        decision(citizen(request, name: dossier.applicant.name, agencyID: dossier.currentAgencyID))
    }

    func agencyName(_ id: String) -> String { dependencies.catalogue.tree.agencies[id]?.name ?? id }

    func statusResponse(_ dossier: Dossier) async throws -> Response {
        let events = try await store.events(dossierID: dossier.id)
        let now = dependencies.now()
        let response = try Reply(PublicDossierView(dossier, events: events, agencyName: agencyName, now: now)).response()
        views.put(code: dossier.code, version: dossier.version, response: response, validUntil: PublicDossierView.lateFlagChanges(dossier, now: now))
        return response
    }

    /// The answer to a submission; also rebuilt for a retry whose first attempt died after filing.
    func submissionResponse(_ dossier: Dossier) throws -> Response {
        // The secret is not kept with the idempotency record (`IdempotencyMiddleware.filedDossier`
        // reads the code from Location): a replay derives it again.
        try Reply(
            SubmissionResponse(
                code: dossier.code, accessSecret: dependencies.secrets.secret(for: dossier.code), status: dossier.status,
                nationalStatus: CodeName(code: dossier.status.nationalCode, name: dossier.status.vietnameseName),
                submittedAt: dossier.submittedAt, statusURL: "/api/v1/public/dossiers/\(dossier.code)",
                notice: "Hãy lưu mã hồ sơ và mã bí mật: cần cả hai để tra cứu, bổ sung hồ sơ và nhận kết quả."),
            status: .created, headers: [.location: "/api/v1/public/dossiers/\(dossier.code)"]
        ).response()
    }

    // MARK: Routes

    func register(public group: RouterGroup<AppRequestContext>, api: RouterGroup<AppRequestContext>) {
        group.get("procedures", use: listProcedures)
        group.get("procedures/{code}", use: procedure)
        group.post("dossiers", use: submit)
        group.get("dossiers/{code}", use: status)
        group.post("dossiers/{code}/supplementation", use: supplement)
        group.get("dossiers/{code}/result", use: downloadResult)
        group.post("dossiers/{code}/withdraw", use: withdraw)
        group.post("dossiers/{code}/rating", use: rate)
        api.post("payments/callback", use: paymentCallback)
    }
}

import Foundation
import MotCuaAPI
import MotCuaCore

// Bodies of the citizen and portal API. Field names are the contract (Resources/openapi.json).

/// The `application` part of an online submission.
struct SubmissionRequest: Decodable {
    var procedureCode: String
    var agencyID: String
    var level: Int
    var applicant: Applicant
    var returnMethod: ReturnMethod
    var postalPickup: Bool?
    var postalAddress: PostalAddress?
    /// 1-based numbers of the documents of the list that do not apply.
    var notApplicable: [Int]?
    var note: String?
    /// The national portal's own id of a dossier it forwards (portal key only): a second forward
    /// with the same id files nothing and answers with the dossier's code.
    var portalDossierID: String?

    func sizeProblems() -> [FieldProblem] {
        var problems: [FieldProblem] = []
        func check(_ value: String?, _ field: String, _ limit: Int) {
            if let value, value.unicodeScalars.count > limit {
                problems.append(FieldProblem(field: "application.\(field)", reason: "Dài quá \(limit) ký tự."))
            }
        }
        check(procedureCode, "procedureCode", 32)
        check(agencyID, "agencyID", 64)
        check(applicant.name, "applicant.name", 200)
        check(applicant.idNumber, "applicant.idNumber", 32)
        check(applicant.phone, "applicant.phone", 32)
        check(applicant.email, "applicant.email", 254)
        check(applicant.address, "applicant.address", 500)
        check(postalAddress?.phone, "postalAddress.phone", 32)
        check(note, "note", 2000)
        if (notApplicable?.count ?? 0) > 100 { problems.append(FieldProblem(field: "application.notApplicable", reason: "Quá 100 mục.")) }
        return problems
    }
}

struct WithdrawRequest: Decodable { var reason: String }
struct RatingRequest: Decodable { var score: Int; var comment: String? }

/// The payment provider's callback (signed per Standard Webhooks).
struct PaymentCallback: Decodable {
    var reference: String
    var amount: Int
    var transactionID: String?
}

struct SubmissionResponse: Encodable {
    var code: String
    /// Shown once: with the code, it opens the dossier to its applicant.
    var accessSecret: String
    var status: DossierStatus
    var nationalStatus: CodeName
    var submittedAt: Date
    var statusURL: String
    var notice: String
}

/// What the applicant (or the portal for them) sees of a dossier: no officer, no internal note.
struct PublicDossierView: Encodable {
    var code: String
    var status: DossierStatus
    var nationalStatus: CodeName
    var channel: Channel
    var nationalChannel: Int
    var submissionLevel: Int?
    var procedure: DossierView.ProcedureRef
    var agency: AgencyRef
    var submittedAt: Date
    var receivedAt: Date?
    var dueAt: Date?
    var appointmentAt: Date?
    var paused: Bool
    var late: Bool
    var apology: PublicApology?
    var missingItems: [String]?
    var returnMethod: ReturnMethod
    var payment: PublicPayment?
    var result: PublicResult?
    var postal: PublicPostal?
    var outcome: Outcome?
    var closingReason: String?
    var rating: Rating?
    var history: [PublicStep]

    struct AgencyRef: Encodable { var id: String; var name: String }
    struct PublicApology: Encodable { var at: Date; var reason: String; var newDueAt: Date }
    struct PublicPayment: Encodable {
        var reference: String?
        var amount: Int
        var paid: Bool
        var paidAt: Date?
        var online: Bool?
    }
    struct PublicResult: Encodable {
        var name: String
        var contentType: String
        var size: Int
        var sha256: String
        var downloadURL: String
        /// Whether the file carries the agency's signature (the download's `MotCua-Result-Signature`).
        var signed: Bool
        /// Printed on the result: the first 16 hex digits of its SHA-256, checked at `verifyURL`.
        var verificationCode: String?
        var verifyURL: String?
    }
    struct PublicPostal: Encodable {
        var pickup: Bool
        var delivery: Bool
        /// The orders, their waybill codes and where the parcels are.
        var tracking: [PublicParcel]
    }
    struct PublicParcel: Encodable {
        var direction: PostalDirection
        var waybill: String?
        var status: ShipmentStatus
        var statusName: String
        var updatedAt: Date
    }
    struct PublicStep: Encodable {
        var kind: DossierEvent.Kind
        var title: String
        var at: Date
        var agencyID: String
        var reason: String?
        var items: [String]?
        var dueAt: Date?
    }

    init(_ d: Dossier, events: [DossierEvent], agencyName: (String) -> String, now: Date) {
        code = d.code
        status = d.status
        nationalStatus = CodeName(code: d.status.nationalCode, name: d.status.vietnameseName)
        channel = d.channel
        nationalChannel = d.channel.nationalCode
        submissionLevel = d.submissionLevel
        procedure = .init(code: d.procedureCode, name: d.procedureName, term: d.term.description)
        agency = AgencyRef(id: d.currentAgencyID, name: agencyName(d.currentAgencyID))
        submittedAt = d.submittedAt
        receivedAt = d.receivedAt
        dueAt = d.dueAt
        appointmentAt = d.appointmentAt
        paused = d.isPaused
        late = Self.isLate(d, now: now)
        apology = d.apology.map { PublicApology(at: $0.at, reason: $0.reason, newDueAt: $0.newDueAt) }
        missingItems = d.status == .supplementation ? d.missingItems : nil
        returnMethod = d.returnMethod
        payment = d.payment.map {
            PublicPayment(reference: $0.reference, amount: $0.amount, paid: $0.paidAt != nil, paidAt: $0.paidAt, online: $0.online)
        }
        result = d.resultFile.flatMap { file in
            let signed = events.contains { $0.resultSignature?.sha256 == file.sha256 }
            return [.resultReady, .returned].contains(d.status)
                ? PublicResult(name: file.name, contentType: file.contentType, size: file.size, sha256: file.sha256,
                               downloadURL: "/api/v1/public/dossiers/\(d.code)/result", signed: signed,
                               verificationCode: signed ? VerificationRoutes.verificationCode(sha256: file.sha256) : nil,
                               verifyURL: signed ? "/api/v1/public/verify/\(file.sha256)" : nil)
                : nil
        }
        let pickup = d.channel == .postal
        postal = pickup || d.returnMethod == .post ? PublicPostal(
            pickup: pickup, delivery: d.returnMethod == .post,
            tracking: (d.shipments ?? []).map {
                PublicParcel(direction: $0.direction, waybill: $0.waybill, status: $0.status, statusName: $0.status.vietnameseName, updatedAt: $0.updatedAt)
            }) : nil
        outcome = d.outcome
        closingReason = d.closingReason
        rating = d.rating
        history = events.filter(\.isPublic).map { event in
            let showsReason: Set<DossierEvent.Kind> = [.refused, .stopped, .withdrawn, .supplementationRequested, .apologized]
            return PublicStep(
                kind: event.kind, title: event.kind == .created ? "Nộp hồ sơ" : event.vietnameseTitle, at: event.at, agencyID: event.agencyID,
                reason: showsReason.contains(event.kind) ? event.reason : nil,
                items: event.kind == .supplementationRequested ? event.items : nil,
                dueAt: [.received, .apologized, .supplementationReceived, .feePaid].contains(event.kind) ? event.dueAt : nil)
        }
    }

    /// When `isLate` would change by the clock alone: the due time of an open, running dossier
    /// not yet late; otherwise never.
    static func lateFlagChanges(_ d: Dossier, now: Date) -> Date {
        guard !isLate(d, now: now), !d.status.isFinal, d.outcome == nil, !d.isPaused, let due = d.dueAt else { return .distantFuture }
        return due
    }

    /// Late when finished late, when an apology was issued (it still counts as late), or when open,
    /// running and past its due time.
    static func isLate(_ d: Dossier, now: Date) -> Bool {
        if d.outcome == .late || d.apology != nil { return true }
        guard !d.status.isFinal, d.outcome == nil, !d.isPaused, let due = d.dueAt else { return false }
        return now > due
    }
}

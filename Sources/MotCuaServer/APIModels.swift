import Foundation
import MotCuaCore
import MotCuaStore

// Request and response bodies of the officer API. Field names are the API's contract
// (Resources/openapi.json); the domain types stay free to change behind them.

struct LoginRequest: Decodable {
    var username: String
    var password: String
}

struct LoginResponse: Encodable {
    var token: String
    var expiresAt: Date
    var officer: OfficerView
}

struct OfficerView: Encodable {
    var id: String
    var username: String
    var name: String
    var role: Role
    var agencyID: String
    var departmentID: String?

    init(_ officer: Officer) {
        id = officer.id
        username = officer.username
        name = officer.name
        role = officer.role
        agencyID = officer.agencyID
        departmentID = officer.departmentID
    }
}

struct IntakeRequest: Decodable {
    var procedureCode: String
    var applicant: Applicant
    var documents: [ProvidedDocument]
    var returnMethod: ReturnMethod
    var missingItems: [String]?
    var notApplicable: [String]?
    var note: String?
    /// Where the post office delivers the result (with `returnMethod: post`).
    var postalAddress: PostalAddress?

    /// Characters of a document's name or a missing item: twice the catalogue's longest.
    static let documentNameLimit = 10_000

    /// Length limits, so that an oversized field is refused with its name.
    func sizeProblems() -> [FieldProblem] {
        var problems: [FieldProblem] = []
        func check(_ value: String?, _ field: String, _ limit: Int) {
            // Characters, counted as Unicode scalars (never fewer than the graphemes); the UTF-8
            // length bounds them from above, so most values need no count at all.
            if let value, value.utf8.count > limit, value.unicodeScalars.count > limit {
                problems.append(FieldProblem(field: field, reason: "Dài quá \(limit) ký tự."))
            }
        }
        check(procedureCode, "procedureCode", 32)
        check(applicant.idNumber, "applicant.idNumber", 32)
        check(applicant.phone, "applicant.phone", 32)
        check(applicant.email, "applicant.email", 254)
        check(note, "note", 2000)
        if documents.count > 100 { problems.append(FieldProblem(field: "documents", reason: "Quá 100 giấy tờ.")) }
        // A document's name is the catalogue's legal text, which runs to 4,710 characters (1.013236).
        for (index, document) in documents.enumerated() {
            check(document.name, "documents[\(index)].name", Self.documentNameLimit)
            if document.originals < 0 || document.originals > 100 || document.copies < 0 || document.copies > 100 {
                problems.append(FieldProblem(field: "documents[\(index)]", reason: "Số bản chính và bản sao phải từ 0 đến 100."))
            }
        }
        if (missingItems?.count ?? 0) > 100 { problems.append(FieldProblem(field: "missingItems", reason: "Quá 100 mục.")) }
        for (index, item) in (missingItems ?? []).enumerated() { check(item, "missingItems[\(index)]", Self.documentNameLimit) }
        if (notApplicable?.count ?? 0) > 100 { problems.append(FieldProblem(field: "notApplicable", reason: "Quá 100 mục.")) }
        return problems
    }
}

struct ReasonRequest: Decodable { var reason: String }
struct NoteRequest: Decodable { var note: String? }
struct SupplementationRequest: Decodable { var items: [String]; var reason: String }
struct TransferRequest: Decodable { var departmentID: String }
struct AssignRequest: Decodable { var handlerID: String }
struct SendRequest: Decodable { var agencyID: String; var note: String? }
struct FeeRequest: Decodable { var amount: Int }
struct ReturnRequest: Decodable { var method: ReturnMethod }
struct ApologyRequest: Decodable { var reason: String; var newDueAt: Date }
struct EmptyRequest: Decodable {}
struct PostalOrderCommandRequest: Decodable { var direction: PostalDirection; var postalAddress: PostalAddress? }

/// The answer to a desk intake: what the receipt needs, with the access secret to hand over.
/// The whole dossier and its control sheet are one GET away (Location).
struct IntakeReceipt: Encodable {
    var code: String
    var status: DossierStatus
    var nationalStatus: CodeName
    var procedure: DossierView.ProcedureRef
    var applicantName: String
    var submittedAt: Date
    var receivedAt: Date?
    var dueAt: Date?
    var appointmentAt: Date?
    var returnMethod: ReturnMethod
    var missingItems: [String]
    var accessSecret: String
    /// The form to print now: 01 (receipt) or 02 (supplementation request).
    var form: String

    init(_ d: Dossier, secret: String) {
        code = d.code
        status = d.status
        nationalStatus = CodeName(code: d.status.nationalCode, name: d.status.vietnameseName)
        procedure = .init(code: d.procedureCode, name: d.procedureName, term: d.term.description)
        applicantName = d.applicant.name
        submittedAt = d.submittedAt
        receivedAt = d.receivedAt
        dueAt = d.dueAt
        appointmentAt = d.appointmentAt
        returnMethod = d.returnMethod
        missingItems = d.missingItems
        accessSecret = secret
        form = "/api/v1/dossiers/\(d.code)/forms/\(d.status == .supplementation ? "02" : "01")"
    }
}

struct CodeName: Encodable {
    var code: Int
    var name: String
}

struct DossierView: Encodable {
    var id: String
    var code: String
    var status: DossierStatus
    var nationalStatus: CodeName
    var channel: Channel
    var nationalChannel: Int
    var procedure: ProcedureRef
    var agencyID: String
    var currentAgencyID: String
    var pendingAgencyID: String?
    var applicant: Applicant
    var documents: [ProvidedDocument]
    var returnMethod: ReturnMethod
    var submittedAt: Date
    var receivedAt: Date?
    var dueAt: Date?
    var appointmentAt: Date?
    var paused: Bool
    var pauses: [Pause]
    var missingItems: [String]
    var departmentID: String?
    var handler: Handler?
    var feeAmount: Int?
    var apology: Apology?
    var outcome: Outcome?
    var closingReason: String?
    var resultReadyAt: Date?
    var returnedAt: Date?
    var version: Int
    var submissionLevel: Int?
    var postalAddress: PostalAddress?
    var files: [StoredFile]?
    var resultFile: StoredFile?
    var payment: Payment?
    var rating: Rating?
    /// Postal orders and where their parcels are.
    var shipments: [ShipmentView]?
    var controlSheet: [EventView]?

    struct ProcedureRef: Encodable { var code: String; var name: String; var term: String }
    struct Handler: Encodable { var id: String; var name: String }

    init(_ d: Dossier, events: [DossierEvent]? = nil) {
        id = d.id
        code = d.code
        status = d.status
        nationalStatus = CodeName(code: d.status.nationalCode, name: d.status.vietnameseName)
        channel = d.channel
        nationalChannel = d.channel.nationalCode
        procedure = ProcedureRef(code: d.procedureCode, name: d.procedureName, term: d.term.description)
        agencyID = d.agencyID
        currentAgencyID = d.currentAgencyID
        pendingAgencyID = d.pendingAgencyID
        applicant = d.applicant
        documents = d.documents
        returnMethod = d.returnMethod
        submittedAt = d.submittedAt
        receivedAt = d.receivedAt
        dueAt = d.dueAt
        appointmentAt = d.appointmentAt
        paused = d.isPaused
        pauses = d.pauses
        missingItems = d.missingItems
        departmentID = d.departmentID
        handler = d.handlerID.map { Handler(id: $0, name: d.handlerName ?? "") }
        feeAmount = d.feeAmount
        apology = d.apology
        outcome = d.outcome
        closingReason = d.closingReason
        resultReadyAt = d.resultReadyAt
        returnedAt = d.returnedAt
        version = d.version
        submissionLevel = d.submissionLevel
        postalAddress = d.postalAddress
        files = d.files
        resultFile = d.resultFile
        payment = d.payment
        rating = d.rating
        shipments = d.shipments?.map(ShipmentView.init)
        controlSheet = events?.map(EventView.init)
    }
}

/// A postal order of a dossier and its parcel, with the status in words.
struct ShipmentView: Encodable {
    var orderNumber: String
    var direction: PostalDirection
    var attempt: Int
    var waybill: String?
    var status: ShipmentStatus
    var statusName: String
    var cod: Int
    var orderedAt: Date
    var updatedAt: Date
    var note: String?
    var address: PostalAddress

    init(_ s: Shipment) {
        orderNumber = s.orderNumber
        direction = s.direction
        attempt = s.attempt
        waybill = s.waybill
        status = s.status
        statusName = s.status.vietnameseName
        cod = s.cod
        orderedAt = s.orderedAt
        updatedAt = s.updatedAt
        note = s.note
        address = s.address
    }
}

/// One row of the control sheet as the API shows it.
struct EventView: Encodable {
    var sequence: Int
    var kind: DossierEvent.Kind
    var title: String
    var at: Date
    var actor: ActorView
    var agencyID: String
    var fromAgencyID: String?
    var toAgencyID: String?
    var departmentID: String?
    var handlerID: String?
    var handlerName: String?
    var note: String?
    var reason: String?
    var items: [String]?
    var dueAt: Date?
    var amount: Int?
    var returnMethod: ReturnMethod?
    var outcome: Outcome?
    var files: [StoredFile]?
    var resultFile: StoredFile?
    var paymentReference: String?
    var online: Bool?
    var score: Int?
    var comment: String?
    var orderNumber: String?
    var waybill: String?
    var parcelStatus: ShipmentStatus?

    struct ActorView: Encodable { var id: String; var name: String; var role: Role }

    init(_ e: DossierEvent) {
        sequence = e.sequence
        kind = e.kind
        title = e.vietnameseTitle
        at = e.at
        actor = ActorView(id: e.actor.id, name: e.actor.name, role: e.actor.role)
        agencyID = e.agencyID
        fromAgencyID = e.fromAgencyID
        toAgencyID = e.toAgencyID
        departmentID = e.departmentID
        handlerID = e.handlerID
        handlerName = e.handlerName
        note = e.note
        reason = e.reason
        items = e.items
        dueAt = e.dueAt
        amount = e.amount
        returnMethod = e.returnMethod
        outcome = e.outcome
        files = e.files
        resultFile = e.resultFile
        paymentReference = e.paymentReference
        online = e.online
        score = e.score
        comment = e.comment
        orderNumber = e.shipment?.orderNumber ?? e.postal?.orderNumber
        waybill = e.postal?.waybill
        parcelStatus = e.postal?.status ?? e.shipment?.status
    }
}

struct DossierList: Encodable {
    /// Counted up to `DossierQuery.defaultTotalBound`; past it `totalIsExact` is false.
    var total: Int
    var totalIsExact: Bool
    var limit: Int
    var offset: Int
    /// The keyset cursor of the next page, when there is one.
    var nextCursor: String?
    var items: [DossierView]
}

struct ProcedureView: Encodable {
    var code: String
    var name: String
    var field: String
    var level: String
    var term: String
    var fee: Fee
    var onlineLevel: Int
    var postalIntake: Bool
    var postalReturn: Bool
    var documents: [DocumentRequirement]?
    var source: String
    var illustrative: [String]

    init(_ p: Procedure, withDocuments: Bool) {
        code = p.code
        name = p.name
        field = p.field
        level = p.level
        term = p.term.description
        fee = p.fee
        onlineLevel = p.onlineLevel
        postalIntake = p.postalIntake
        postalReturn = p.postalReturn
        documents = withDocuments ? p.documents : nil
        source = p.source
        illustrative = p.illustrative
    }
}

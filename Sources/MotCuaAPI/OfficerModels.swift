import Foundation
import MotCuaCore

// Request and response bodies of the officer API: the server encodes the responses and decodes
// the requests, the terminal client (`MotCuaClient`) the other way round. Field names are the
// API's contract (MotCuaServer's Resources/openapi.json); the domain types stay free to change
// behind them.

public struct LoginRequest: Codable, Sendable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }
}

public struct LoginResponse: Codable, Sendable {
    public var token: String
    public var expiresAt: Date
    public var officer: OfficerView

    public init(token: String, expiresAt: Date, officer: OfficerView) {
        self.token = token
        self.expiresAt = expiresAt
        self.officer = officer
    }
}

public struct OfficerView: Codable, Sendable {
    public var id: String
    public var username: String
    public var name: String
    public var role: Role
    public var agencyID: String
    public var departmentID: String?

    public init(id: String, username: String, name: String, role: Role, agencyID: String, departmentID: String? = nil) {
        self.id = id
        self.username = username
        self.name = name
        self.role = role
        self.agencyID = agencyID
        self.departmentID = departmentID
    }
}

public struct IntakeRequest: Codable, Sendable {
    public var procedureCode: String
    public var applicant: Applicant
    public var documents: [ProvidedDocument]
    public var returnMethod: ReturnMethod
    public var missingItems: [String]?
    public var notApplicable: [String]?
    public var note: String?
    /// Where the post office delivers the result (with `returnMethod: post`).
    public var postalAddress: PostalAddress?
    /// Filing anywhere in the province: the competent agency, when it is not the desk's own.
    public var competentAgencyID: String?
    /// Where the result is returned at a desk: the receiving desk's agency (the default) or the
    /// competent agency.
    public var returnAgencyID: String?

    public init(
        procedureCode: String, applicant: Applicant, documents: [ProvidedDocument], returnMethod: ReturnMethod, missingItems: [String]? = nil, notApplicable: [String]? = nil, note: String? = nil, postalAddress: PostalAddress? = nil,
        competentAgencyID: String? = nil, returnAgencyID: String? = nil
    ) {
        self.competentAgencyID = competentAgencyID
        self.returnAgencyID = returnAgencyID
        self.procedureCode = procedureCode
        self.applicant = applicant
        self.documents = documents
        self.returnMethod = returnMethod
        self.missingItems = missingItems
        self.notApplicable = notApplicable
        self.note = note
        self.postalAddress = postalAddress
    }

    /// Characters of a document's name or a missing item: twice the catalogue's longest.
    public static let documentNameLimit = 10_000

    /// Length limits, so that an oversized field is refused with its name.
    public func sizeProblems() -> [FieldProblem] {
        var problems: [FieldProblem] = []
        func check(_ value: String?, _ field: String, _ limit: Int) {
            // Characters, counted as Unicode scalars (never fewer than the graphemes); the UTF-8
            // length bounds them from above, so most values need no count at all.
            if let value, value.utf8.count > limit, value.unicodeScalars.count > limit {
                problems.append(FieldProblem(field: field, reason: "Dài quá \(limit) ký tự."))
            }
        }
        check(procedureCode, "procedureCode", 32)
        check(competentAgencyID, "competentAgencyID", 40)
        check(returnAgencyID, "returnAgencyID", 40)
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

public struct ReasonRequest: Codable, Sendable {
    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }
}

public struct NoteRequest: Codable, Sendable {
    public var note: String?

    public init(note: String? = nil) {
        self.note = note
    }
}

public struct SupplementationRequest: Codable, Sendable {
    public var items: [String]
    public var reason: String

    public init(items: [String], reason: String) {
        self.items = items
        self.reason = reason
    }
}

public struct TransferRequest: Codable, Sendable {
    public var departmentID: String

    public init(departmentID: String) {
        self.departmentID = departmentID
    }
}

public struct AssignRequest: Codable, Sendable {
    public var handlerID: String

    public init(handlerID: String) {
        self.handlerID = handlerID
    }
}

public struct SendRequest: Codable, Sendable {
    public var agencyID: String
    public var note: String?

    public init(agencyID: String, note: String? = nil) {
        self.agencyID = agencyID
        self.note = note
    }
}

public struct FeeRequest: Codable, Sendable {
    public var amount: Int

    public init(amount: Int) {
        self.amount = amount
    }
}

public struct ReturnRequest: Codable, Sendable {
    public var method: ReturnMethod

    public init(method: ReturnMethod) {
        self.method = method
    }
}

public struct ApologyRequest: Codable, Sendable {
    public var reason: String
    public var newDueAt: Date

    public init(reason: String, newDueAt: Date) {
        self.reason = reason
        self.newDueAt = newDueAt
    }
}

public struct EmptyRequest: Codable, Sendable {
    public init() {}
}

public struct PostalOrderCommandRequest: Codable, Sendable {
    public var direction: PostalDirection
    public var postalAddress: PostalAddress?

    public init(direction: PostalDirection, postalAddress: PostalAddress? = nil) {
        self.direction = direction
        self.postalAddress = postalAddress
    }
}

/// The answer to a desk intake: what the receipt needs, with the access secret to hand over.
/// The whole dossier and its control sheet are one GET away (Location).
public struct IntakeReceipt: Codable, Sendable {
    public var code: String
    public var status: DossierStatus
    public var nationalStatus: CodeName
    public var procedure: DossierView.ProcedureRef
    public var applicantName: String
    public var submittedAt: Date
    public var receivedAt: Date?
    public var dueAt: Date?
    public var appointmentAt: Date?
    public var returnMethod: ReturnMethod
    public var missingItems: [String]
    public var accessSecret: String
    /// The form to print now: 01 (receipt) or 02 (supplementation request).
    public var form: String

    public init(_ d: Dossier, secret: String) {
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

public struct CodeName: Codable, Sendable {
    public var code: Int
    public var name: String

    public init(code: Int, name: String) {
        self.code = code
        self.name = name
    }
}

public struct DossierView: Codable, Sendable {
    public var id: String
    public var code: String
    public var status: DossierStatus
    public var nationalStatus: CodeName
    public var channel: Channel
    public var nationalChannel: Int
    public var procedure: ProcedureRef
    public var agencyID: String
    public var currentAgencyID: String
    public var pendingAgencyID: String?
    /// Filed anywhere in the province: the agency whose desk took it in for the competent
    /// agency (`agencyID`), and the desk where the result is returned.
    public var receivingAgencyID: String?
    public var returnAgencyID: String?
    public var applicant: Applicant
    public var documents: [ProvidedDocument]
    public var returnMethod: ReturnMethod
    public var submittedAt: Date
    public var receivedAt: Date?
    public var dueAt: Date?
    public var appointmentAt: Date?
    public var paused: Bool
    public var pauses: [Pause]
    public var missingItems: [String]
    public var departmentID: String?
    public var handler: Handler?
    public var feeAmount: Int?
    public var apology: Apology?
    public var outcome: Outcome?
    public var closingReason: String?
    public var resultReadyAt: Date?
    public var returnedAt: Date?
    public var version: Int
    public var submissionLevel: Int?
    public var postalAddress: PostalAddress?
    public var files: [StoredFile]?
    public var resultFile: StoredFile?
    public var payment: Payment?
    public var rating: Rating?
    /// Postal orders and where their parcels are.
    public var shipments: [ShipmentView]?
    public var controlSheet: [EventView]?

    public struct ProcedureRef: Codable, Sendable {
        public var code: String
        public var name: String
        public var term: String
        public init(code: String, name: String, term: String) { self.code = code; self.name = name; self.term = term }
    }
    public struct Handler: Codable, Sendable {
        public var id: String
        public var name: String
        public init(id: String, name: String) { self.id = id; self.name = name }
    }

    public init(_ d: Dossier, events: [DossierEvent]? = nil) {
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
        receivingAgencyID = d.receivingAgencyID
        returnAgencyID = d.returnAgencyID
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
        let outcomes = events.map(Lifecycle.stepOutcomes) ?? [:]
        controlSheet = events?.map { EventView($0, ended: outcomes[$0.sequence]) }
    }
}

/// A postal order of a dossier and its parcel, with the status in words.
public struct ShipmentView: Codable, Sendable {
    public var orderNumber: String
    public var direction: PostalDirection
    public var attempt: Int
    public var waybill: String?
    public var status: ShipmentStatus
    public var statusName: String
    public var cod: Int
    public var orderedAt: Date
    public var updatedAt: Date
    public var note: String?
    public var address: PostalAddress

    public init(_ s: Shipment) {
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
public struct EventView: Codable, Sendable {
    public var sequence: Int
    public var kind: DossierEvent.Kind
    public var title: String
    public var at: Date
    public var actor: ActorView
    public var agencyID: String
    public var fromAgencyID: String?
    public var toAgencyID: String?
    public var departmentID: String?
    public var handlerID: String?
    public var handlerName: String?
    public var note: String?
    public var reason: String?
    public var items: [String]?
    public var dueAt: Date?
    public var amount: Int?
    public var returnMethod: ReturnMethod?
    public var outcome: Outcome?
    public var files: [StoredFile]?
    public var resultFile: StoredFile?
    /// The result file's signature (on approval).
    public var resultSignature: ResultSignature?
    /// The step this hand-off starts (or resumes), and its due time.
    public var step: ProcessingStep?
    public var stepDueAt: Date?
    /// The step this hand-off ended, and how it ended against its due time.
    public var stepOutcome: StepOutcome?
    public var paymentReference: String?
    public var online: Bool?
    public var score: Int?
    public var comment: String?
    public var orderNumber: String?
    public var waybill: String?
    public var parcelStatus: ShipmentStatus?

    public struct ActorView: Codable, Sendable {
        public var id: String
        public var name: String
        public var role: Role
        public init(id: String, name: String, role: Role) { self.id = id; self.name = name; self.role = role }
    }

    public init(_ e: DossierEvent, ended: StepOutcome? = nil) {
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
        resultSignature = e.resultSignature
        step = e.step
        stepDueAt = e.stepDueAt
        stepOutcome = ended
        paymentReference = e.paymentReference
        online = e.online
        score = e.score
        comment = e.comment
        orderNumber = e.shipment?.orderNumber ?? e.postal?.orderNumber
        waybill = e.postal?.waybill
        parcelStatus = e.postal?.status ?? e.shipment?.status
    }
}

public struct DossierList: Codable, Sendable {
    /// Counted up to `DossierQuery.defaultTotalBound`; past it `totalIsExact` is false.
    public var total: Int
    public var totalIsExact: Bool
    public var limit: Int
    public var offset: Int
    /// The keyset cursor of the next page, when there is one.
    public var nextCursor: String?
    public var items: [DossierView]

    public init(total: Int, totalIsExact: Bool, limit: Int, offset: Int, nextCursor: String? = nil, items: [DossierView]) {
        self.total = total
        self.totalIsExact = totalIsExact
        self.limit = limit
        self.offset = offset
        self.nextCursor = nextCursor
        self.items = items
    }
}

public struct ProcedureView: Codable, Sendable {
    public var code: String
    public var name: String
    public var field: String
    public var level: String
    public var term: String
    public var fee: Fee
    public var onlineLevel: Int
    public var postalIntake: Bool
    public var postalReturn: Bool
    public var documents: [DocumentRequirement]?
    public var source: String
    public var illustrative: [String]
    /// Any desk of the province may take it in for the competent agency.
    public var anywhereInProvince: Bool

    public init(_ p: Procedure, withDocuments: Bool) {
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
        anywhereInProvince = p.isFiledAnywhere
    }
}

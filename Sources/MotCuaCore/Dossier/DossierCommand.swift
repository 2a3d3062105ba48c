import Foundation

/// What an officer asks of a dossier. Each command is allowed only from certain states and for
/// certain roles (`Lifecycle.rules`); anything else is a `DomainError` and changes nothing.
public enum DossierCommand: Sendable, Hashable {
    case receive
    case requestSupplementation(items: [String], reason: String)
    /// The missing items arrived: at the desk, or uploaded online by the applicant (`files`).
    case supplementationReceived(note: String?, files: [StoredFile] = [])
    case refuse(reason: String)
    case transfer(departmentID: String)
    case assign(handler: Actor)
    case sendToAgency(agencyID: String, note: String?)
    case receiveFromAgency
    case requestFee(amount: Int)
    /// The fee was paid: at the desk, or confirmed by the payment provider quoting `reference`.
    case feePaid(reference: String? = nil)
    /// Approval; `resultFile` is the electronic result, required when it is returned electronically.
    /// `signature`: the result file's, made by the agency's `ResultSigner` before deciding.
    case approve(note: String?, resultFile: StoredFile? = nil, signature: ResultSignature? = nil)
    case resultReady
    case returnResult(method: ReturnMethod)
    case apologize(reason: String, newDueAt: Date)
    case withdraw(reason: String)
    case stop(reason: String)
    /// The applicant took the electronic result: it is returned (level 4).
    case downloadResult
    /// The applicant's satisfaction rating after return.
    case rate(score: Int, comment: String?)
    /// A new postal order after the last one of that direction failed (or for a dossier that has none).
    /// `address` replaces the applicant's postal address (required when the dossier has none).
    case orderPostal(direction: PostalDirection, address: PostalAddress? = nil)
    /// The post office's report on an order (its waybill, or a webhook event).
    case postalUpdate(PostalUpdate)
    /// The watch closes a dossier left waiting for supplementation since `requestedAt` for
    /// `afterWorkingDays` working days or more (issue #20): processing stops.
    case closeAbandoned(requestedAt: Date, afterWorkingDays: Int)

    /// The command's name in the API (`POST /dossiers/{code}/{name}`).
    /// What kind of command it is, without its arguments.
    public var kind: CommandKind {
        switch self {
        case .receive: .receive
        case .requestSupplementation: .requestSupplementation
        case .supplementationReceived: .supplementationReceived
        case .refuse: .refuse
        case .transfer: .transfer
        case .assign: .assign
        case .sendToAgency: .sendToAgency
        case .receiveFromAgency: .receiveFromAgency
        case .requestFee: .requestFee
        case .feePaid: .feePaid
        case .approve: .approve
        case .resultReady: .resultReady
        case .returnResult: .returnResult
        case .apologize: .apologize
        case .withdraw: .withdraw
        case .stop: .stop
        case .downloadResult: .downloadResult
        case .rate: .rate
        case .orderPostal: .orderPostal
        case .postalUpdate: .postalUpdate
        case .closeAbandoned: .closeAbandoned
        }
    }

    /// The command's name in the API's paths and in errors ("request-supplementation").
    public var name: String { kind.rawValue }
}

/// The kinds of `DossierCommand`, named as the API's paths name them.
public enum CommandKind: String, CaseIterable, Sendable {
    case receive
    case requestSupplementation = "request-supplementation"
    case supplementationReceived = "supplementation-received"
    case refuse
    case transfer
    case assign
    case sendToAgency = "send"
    case receiveFromAgency = "receive-transfer"
    case requestFee = "request-fee"
    case feePaid = "fee-paid"
    case approve
    case resultReady = "ready"
    case returnResult = "return"
    case apologize
    case withdraw
    case stop
    case downloadResult = "download-result"
    case rate
    case orderPostal = "postal-order"
    case postalUpdate = "postal-update"
    case closeAbandoned = "close-abandoned"
}

/// A new dossier as filed at the desk (or, later, online).
public struct Intake: Hashable, Sendable {
    public var procedure: Procedure
    public var applicant: Applicant
    public var documents: [ProvidedDocument]
    public var returnMethod: ReturnMethod
    public var channel: Channel
    /// Missing items when the desk asks for supplementation instead of receiving.
    public var missingItems: [String]
    /// Documents of the list that do not apply to this case (the conditional "Trường hợp …" rows).
    public var notApplicable: [String]
    public var note: String?
    /// Where the post office delivers the result (return by post).
    public var postalAddress: PostalAddress?
    /// Filing anywhere in the province: the competent agency, when it is not the desk's own.
    public var competentAgencyID: String?
    /// The desk where the result is returned (with `returnMethod: desk`): the receiving or the
    /// competent agency; the receiving one when not given.
    public var returnAgencyID: String?
    /// The desk's scans of the documents handed in, each naming its document. Required, one or
    /// more per document, when the dossier is filed for another agency: it travels electronically.
    public var files: [StoredFile] = []

    public init(
        procedure: Procedure, applicant: Applicant, documents: [ProvidedDocument], returnMethod: ReturnMethod,
        channel: Channel = .desk, missingItems: [String] = [], notApplicable: [String] = [], note: String? = nil,
        postalAddress: PostalAddress? = nil, competentAgencyID: String? = nil, returnAgencyID: String? = nil
    ) {
        self.competentAgencyID = competentAgencyID
        self.returnAgencyID = returnAgencyID
        self.postalAddress = postalAddress
        self.procedure = procedure
        self.applicant = applicant
        self.documents = documents
        self.returnMethod = returnMethod
        self.channel = channel
        self.missingItems = missingItems
        self.notApplicable = notApplicable
        self.note = note
    }

    /// Documents of the procedure's list that were not handed in (by name), or handed in with
    /// fewer originals or copies than required.
    public var missingDocuments: [String] {
        procedure.documents.compactMap { required in
            if notApplicable.contains(required.name) { return nil }
            guard let given = documents.first(where: { $0.name == required.name }) else { return required.name }
            return given.originals >= required.originals && given.copies >= required.copies ? nil : required.name
        }
    }
}

/// A new dossier submitted online (level 3 or 4) by the applicant or by the portal for them.
public struct OnlineSubmission: Hashable, Sendable {
    public var procedure: Procedure
    /// The agency the dossier is filed with.
    public var agencyID: String
    /// 3 (partly online) or 4 (fully online).
    public var level: Int
    public var applicant: Applicant
    public var returnMethod: ReturnMethod
    /// The post office collects the dossier from the applicant (BCCI intake).
    public var postalPickup: Bool
    public var postalAddress: PostalAddress?
    /// One or more files per document of the list, each naming its document.
    public var files: [StoredFile]
    /// Documents of the list that do not apply (conditional "Trường hợp …" rows).
    public var notApplicable: [String]
    public var note: String?

    public init(
        procedure: Procedure, agencyID: String, level: Int, applicant: Applicant, returnMethod: ReturnMethod,
        postalPickup: Bool = false, postalAddress: PostalAddress? = nil, files: [StoredFile], notApplicable: [String] = [],
        note: String? = nil
    ) {
        self.procedure = procedure
        self.agencyID = agencyID
        self.level = level
        self.applicant = applicant
        self.returnMethod = returnMethod
        self.postalPickup = postalPickup
        self.postalAddress = postalAddress
        self.files = files
        self.notApplicable = notApplicable
        self.note = note
    }
}

/// A rule broken by a command: a value from the domain, turned into a problem response at the door.
public enum DomainError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The dossier's state does not allow the command.
    case invalidState(command: String, status: DossierStatus)
    /// The actor's role (or agency) does not allow it.
    case forbidden(command: String, reason: String)
    /// A once-only step was already taken (second supplementation, second apology).
    case limitReached(command: String, reason: String)
    /// The command's data is wrong.
    case invalid([FieldProblem])

    public var description: String {
        switch self {
        case let .invalidState(command, status): "'\(command)' is not allowed while the dossier is \(status.rawValue)"
        case let .forbidden(command, reason): "'\(command)' is not allowed: \(reason)"
        case let .limitReached(command, reason): "'\(command)': \(reason)"
        case let .invalid(problems): problems.map { "\($0.field): \($0.reason)" }.joined(separator: "; ")
        }
    }

    /// One Vietnamese sentence for the officer.
    public var vietnameseDescription: String {
        switch self {
        case let .invalidState(command, status):
            "Không thể thực hiện thao tác '\(command)' khi hồ sơ đang ở trạng thái \"\(status.vietnameseName)\"."
        case let .forbidden(_, reason): reason
        case let .limitReached(_, reason): reason
        case let .invalid(problems): problems.map(\.reason).joined(separator: " ")
        }
    }
}

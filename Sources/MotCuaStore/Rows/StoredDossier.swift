import Foundation
import MotCuaCore

/// The columns of a dossier row: the values its stored JSON leaves out.
package struct DossierColumns: Codable, Sendable {
    package var id: String
    package var code: String
    package var agencyID: String
    package var currentAgencyID: String
    package var pendingAgencyID: String?
    package var procedureCode: String
    package var status: String
    package var channel: String
    package var returnMethod: String
    package var submittedAt: Double
    package var receivedAt: Double?
    package var dueAt: Double?
    package var updatedAt: Double
    package var version: Int
    package var handlerID: String?
    package var departmentID: String?

    /// The columns a dossier is read from: its JSON, its procedure version, then `names`.
    package static func select(alias: String = "") -> String {
        (["data", "procedure_version"] + names).map { alias + $0 }.joined(separator: ", ")
    }

    /// The column names, in the order of the memberwise initializer, as both backends name them.
    package static let names = [
        "id", "code", "agency_id", "current_agency_id", "pending_agency_id", "procedure_code", "status", "channel", "return_method",
        "submitted_at", "received_at", "due_at", "updated_at", "version", "handler_id", "department_id",
    ]

    package init(_ d: Dossier) {
        id = d.id
        code = d.code
        agencyID = d.agencyID
        currentAgencyID = d.currentAgencyID
        pendingAgencyID = d.pendingAgencyID
        procedureCode = d.procedureCode
        status = d.status.rawValue
        channel = d.channel.rawValue
        returnMethod = d.returnMethod.rawValue
        submittedAt = d.submittedAt.timeIntervalSince1970
        receivedAt = d.receivedAt?.timeIntervalSince1970
        dueAt = d.dueAt?.timeIntervalSince1970
        updatedAt = d.updatedAt.timeIntervalSince1970
        version = d.version
        handlerID = d.handlerID
        departmentID = d.departmentID
    }

    package init(
        id: String, code: String, agencyID: String, currentAgencyID: String, pendingAgencyID: String?, procedureCode: String,
        status: String, channel: String, returnMethod: String, submittedAt: Double, receivedAt: Double?, dueAt: Double?,
        updatedAt: Double, version: Int, handlerID: String?, departmentID: String?
    ) {
        self.id = id
        self.code = code
        self.agencyID = agencyID
        self.currentAgencyID = currentAgencyID
        self.pendingAgencyID = pendingAgencyID
        self.procedureCode = procedureCode
        self.status = status
        self.channel = channel
        self.returnMethod = returnMethod
        self.submittedAt = submittedAt
        self.receivedAt = receivedAt
        self.dueAt = dueAt
        self.updatedAt = updatedAt
        self.version = version
        self.handlerID = handlerID
        self.departmentID = departmentID
    }
}

/// A text of the catalogue, stored as its index in the procedure version's document list when
/// it is one of them, else in full.
enum CatalogueText: Codable, Equatable, Sendable {
    case index(Int)
    case text(String)

    /// Its index in `list` when the same bytes are there: tried at `position` first (documents are
    /// handed in in the list's order), then along the list. Bytes, not `String` equality or
    /// hashing: those normalise Vietnamese text (NFC) each time, which took ~40% of a bulk load's
    /// CPU, and bytes are what must come back.
    init(_ text: String, in list: [DocumentRequirement], position: Int? = nil) {
        if let position, list.indices.contains(position), Self.sameBytes(list[position].name, text) {
            self = .index(position)
        } else if let i = list.firstIndex(where: { Self.sameBytes($0.name, text) }) {
            self = .index(i)
        } else {
            self = .text(text)
        }
    }

    static func sameBytes(_ a: String, _ b: String) -> Bool {
        let (x, y) = (a.utf8, b.utf8)
        guard x.count == y.count else { return false }
        let fast = x.withContiguousStorageIfAvailable { p in
            y.withContiguousStorageIfAvailable { q in p.isEmpty || memcmp(p.baseAddress!, q.baseAddress!, p.count) == 0 }
        }
        return (fast ?? nil) ?? x.elementsEqual(y)
    }

    func text(in procedure: Procedure?) throws -> String {
        switch self {
        case let .text(text): return text
        case let .index(i):
            guard let procedure, procedure.documents.indices.contains(i) else {
                throw StoreError.corrupt("document \(i) is not in the list of procedure \(procedure?.code ?? "(none)")")
            }
            return procedure.documents[i].name
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let i = try? container.decode(Int.self) { self = .index(i) } else { self = .text(try container.decode(String.self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .index(i): try container.encode(i)
        case let .text(text): try container.encode(text)
        }
    }
}

/// A document handed in: `[document, originals, copies]`.
struct StoredDocument: Codable, Equatable, Sendable {
    var document: CatalogueText
    var originals: Int
    var copies: Int

    init(document: CatalogueText, originals: Int, copies: Int) {
        self.document = document
        self.originals = originals
        self.copies = copies
    }

    init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        document = try container.decode(CatalogueText.self)
        originals = try container.decode(Int.self)
        copies = try container.decode(Int.self)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(document)
        try container.encode(originals)
        try container.encode(copies)
    }
}

/// A file: `[sha256, name, content type, size, document]`.
struct StoredFileEntry: Codable, Equatable, Sendable {
    var sha256: String
    var name: String
    var contentType: String
    var size: Int
    var document: CatalogueText

    init(_ file: StoredFile, in list: [DocumentRequirement], position: Int? = nil) {
        sha256 = file.sha256
        name = file.name
        contentType = file.contentType
        size = file.size
        document = CatalogueText(file.document, in: list, position: position)
    }

    func file(in procedure: Procedure?) throws -> StoredFile {
        StoredFile(sha256: sha256, name: name, contentType: contentType, size: size, document: try document.text(in: procedure))
    }

    init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        sha256 = try container.decode(String.self)
        name = try container.decode(String.self)
        contentType = try container.decode(String.self)
        size = try container.decode(Int.self)
        document = try container.decode(CatalogueText.self)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(sha256)
        try container.encode(name)
        try container.encode(contentType)
        try container.encode(size)
        try container.encode(document)
    }
}

/// What a dossier row's JSON holds: the dossier less its columns (`DossierColumns`) and less
/// what its procedure version says (name, term, document texts), each left out value being the
/// usual one (an agency trail of the receiving agency alone, no supplementations, no pauses).
struct StoredDossier: Codable, Sendable {
    var applicant: Applicant
    var documents: [StoredDocument]
    /// Only when it is not the receiving agency alone.
    var agencyTrail: [String]?
    /// Only when they differ from the procedure version's.
    var procedureName: String?
    var term: Term?
    var statusBeforePause: DossierStatus?
    var intakeSupplementations: Int?
    var processingSupplementations: Int?
    var missingItems: [CatalogueText]?
    var pauses: [Pause]?
    var handlerName: String?
    var feeAmount: Int?
    var approvedAt: Date?
    var resultReadyAt: Date?
    var returnedAt: Date?
    var apology: Apology?
    var outcome: Outcome?
    var closingReason: String?
    var submissionLevel: Int?
    var postalAddress: PostalAddress?
    var files: [StoredFileEntry]?
    var resultFile: StoredFileEntry?
    var payment: Payment?
    var rating: Rating?
    var nearDueAt: Date?
    var closedAt: Date?
    var processingSeconds: Int64?
    var shipments: [Shipment]?
    var stepDueAt: Date?
    var receivingAgencyID: String?
    var returnAgencyID: String?

    init(_ d: Dossier, procedure: Procedure?) {
        let list = procedure?.documents ?? []
        applicant = d.applicant
        documents = d.documents.enumerated().map { position, document in
            StoredDocument(document: CatalogueText(document.name, in: list, position: position), originals: document.originals, copies: document.copies)
        }
        agencyTrail = d.agencyTrail == [d.agencyID] ? nil : d.agencyTrail
        procedureName = procedure.map { CatalogueText.sameBytes($0.name, d.procedureName) } ?? false ? nil : d.procedureName
        term = d.term == procedure?.term ? nil : d.term
        statusBeforePause = d.statusBeforePause
        intakeSupplementations = d.intakeSupplementations == 0 ? nil : d.intakeSupplementations
        processingSupplementations = d.processingSupplementations == 0 ? nil : d.processingSupplementations
        missingItems = d.missingItems.isEmpty ? nil : d.missingItems.map { CatalogueText($0, in: list) }
        pauses = d.pauses.isEmpty ? nil : d.pauses
        handlerName = d.handlerName
        feeAmount = d.feeAmount
        approvedAt = d.approvedAt
        resultReadyAt = d.resultReadyAt
        returnedAt = d.returnedAt
        apology = d.apology
        outcome = d.outcome
        closingReason = d.closingReason
        submissionLevel = d.submissionLevel
        postalAddress = d.postalAddress
        files = d.files.map { $0.enumerated().map { StoredFileEntry($1, in: list, position: $0) } }
        resultFile = d.resultFile.map { StoredFileEntry($0, in: list) }
        payment = d.payment
        rating = d.rating
        nearDueAt = d.nearDueAt
        closedAt = d.closedAt
        processingSeconds = d.processingSeconds
        shipments = d.shipments
        stepDueAt = d.stepDueAt
        receivingAgencyID = d.receivingAgencyID
        returnAgencyID = d.returnAgencyID
    }

    func dossier(_ c: DossierColumns, procedure: Procedure?) throws -> Dossier {
        guard let status = DossierStatus(rawValue: c.status), let channel = Channel(rawValue: c.channel),
              let returnMethod = ReturnMethod(rawValue: c.returnMethod)
        else { throw StoreError.corrupt("dossier \(c.code): status \(c.status), channel \(c.channel), return \(c.returnMethod)") }
        guard let name = procedureName ?? procedure?.name, let term = term ?? procedure?.term else {
            throw StoreError.corrupt("dossier \(c.code) leaves its procedure's name or term to a version it does not name")
        }
        func date(_ seconds: Double?) -> Date? { seconds.map(Date.init(timeIntervalSince1970:)) }
        return Dossier.restored(
            id: c.id, code: c.code, agencyID: c.agencyID, currentAgencyID: c.currentAgencyID, pendingAgencyID: c.pendingAgencyID,
            agencyTrail: agencyTrail ?? [c.agencyID], procedureCode: c.procedureCode, procedureName: name, term: term, channel: channel,
            applicant: applicant,
            documents: try documents.map {
                ProvidedDocument(name: try $0.document.text(in: procedure), originals: $0.originals, copies: $0.copies)
            },
            returnMethod: returnMethod, status: status, statusBeforePause: statusBeforePause,
            intakeSupplementations: intakeSupplementations ?? 0, processingSupplementations: processingSupplementations ?? 0,
            missingItems: try (missingItems ?? []).map { try $0.text(in: procedure) }, submittedAt: Date(timeIntervalSince1970: c.submittedAt),
            receivedAt: date(c.receivedAt), dueAt: date(c.dueAt), pauses: pauses ?? [], departmentID: c.departmentID,
            handlerID: c.handlerID, handlerName: handlerName, feeAmount: feeAmount, approvedAt: approvedAt, resultReadyAt: resultReadyAt,
            returnedAt: returnedAt, apology: apology, outcome: outcome, closingReason: closingReason,
            updatedAt: Date(timeIntervalSince1970: c.updatedAt), version: c.version, submissionLevel: submissionLevel,
            postalAddress: postalAddress, files: try files.map { try $0.map { try $0.file(in: procedure) } },
            resultFile: try resultFile?.file(in: procedure), payment: payment, rating: rating, nearDueAt: nearDueAt, closedAt: closedAt,
            processingSeconds: processingSeconds, shipments: shipments, stepDueAt: stepDueAt, receivingAgencyID: receivingAgencyID,
            returnAgencyID: returnAgencyID)
    }
}

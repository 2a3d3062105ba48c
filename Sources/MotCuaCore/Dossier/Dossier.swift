import Foundation

/// Roles of officer accounts.
public enum Role: String, Codable, Sendable, CaseIterable {
    /// Cán bộ một cửa: receives, returns, passes dossiers on.
    case desk
    /// Chuyên viên thụ lý: processes.
    case handler
    /// Lãnh đạo: assigns, approves, apologises, stops.
    case leader
    /// Quản trị: accounts and catalogue.
    case admin
    /// The applicant, online (directly or through the provincial portal), proven by the dossier's access secret.
    case citizen
    /// A machine partner acting on its own signed word: the payment provider, the post office.
    case system

    /// The roles an officer account may have.
    public static let officerRoles: [Role] = [.desk, .handler, .leader, .admin]

    public var vietnameseName: String {
        switch self {
        case .desk: "Cán bộ một cửa"
        case .handler: "Chuyên viên thụ lý"
        case .leader: "Lãnh đạo"
        case .admin: "Quản trị hệ thống"
        case .citizen: "Công dân, tổ chức"
        case .system: "Hệ thống đối tác"
        }
    }
}

/// Who did something: an officer, or the system itself (an agency merger, a sweep).
public struct Actor: Hashable, Sendable, Codable {
    public var id: String
    public var name: String
    public var role: Role
    public var agencyID: String
    public var departmentID: String?

    public init(id: String, name: String, role: Role, agencyID: String, departmentID: String? = nil) {
        self.id = id
        self.name = name
        self.role = role
        self.agencyID = agencyID
        self.departmentID = departmentID
    }
}

/// How the dossier reached the desk. National channel codes: 1 desk, 2 online, 3 BCCI.
public enum Channel: String, Codable, Sendable, CaseIterable {
    case desk, online, postal

    public var nationalCode: Int {
        switch self {
        case .desk: 1
        case .online: 2
        case .postal: 3
        }
    }
}

/// Where the applicant collects the result.
public enum ReturnMethod: String, Codable, Sendable, CaseIterable {
    case desk, post, electronic

    public var vietnameseName: String {
        switch self {
        case .desk: "Tại Bộ phận Một cửa"
        case .post: "Qua dịch vụ bưu chính công ích"
        case .electronic: "Trả kết quả điện tử"
        }
    }
}

/// Lifecycle states. Each maps to a national portal status code.
public enum DossierStatus: String, Codable, Sendable, CaseIterable {
    case submitted, received, processing, supplementation, awaitingFee, approved, resultReady
    case returned, refused, withdrawn, stopped

    /// The national portal's status code (1–10).
    public var nationalCode: Int {
        switch self {
        case .submitted: 1
        case .received: 2
        case .refused: 3
        case .processing, .approved: 4
        case .supplementation: 5
        case .awaitingFee: 6
        case .withdrawn: 7
        case .stopped: 8
        case .resultReady: 9
        case .returned: 10
        }
    }

    public var vietnameseName: String {
        switch self {
        case .submitted: "Mới đăng ký"
        case .received: "Được tiếp nhận"
        case .refused: "Không được tiếp nhận"
        case .processing: "Đang xử lý"
        case .approved: "Đã phê duyệt, đang hoàn thiện kết quả"
        case .supplementation: "Yêu cầu bổ sung giấy tờ"
        case .awaitingFee: "Yêu cầu thực hiện nghĩa vụ tài chính"
        case .withdrawn: "Công dân yêu cầu rút hồ sơ"
        case .stopped: "Dừng xử lý"
        case .resultReady: "Đã xử lý xong"
        case .returned: "Đã trả kết quả"
        }
    }

    /// No command moves a dossier out of a final state.
    public var isFinal: Bool { [.returned, .refused, .withdrawn, .stopped].contains(self) }
}

/// How a finished dossier ended against its due time.
public enum Outcome: String, Codable, Sendable {
    case early, onTime, late

    /// As the control sheet (form 06) writes it.
    public var vietnameseName: String {
        switch self {
        case .early: "Trước hạn"
        case .onTime: "Đúng hạn"
        case .late: "Quá hạn"
        }
    }
}

/// The person the dossier is for.
public struct Applicant: Hashable, Sendable, Codable {
    public var name: String
    /// Citizen identity number (CCCD), 12 digits.
    public var idNumber: String
    public var phone: String
    public var email: String?
    public var address: String

    public init(name: String, idNumber: String, phone: String, email: String? = nil, address: String) {
        self.name = name
        self.idNumber = idNumber
        self.phone = phone
        self.email = email
        self.address = address
    }

    static let phoneRule = "Số điện thoại phải gồm 10–11 chữ số, bắt đầu bằng 0 hoặc +84."

    static func isValidPhone(_ phone: String) -> Bool {
        let digits = phone.hasPrefix("+84") ? "0" + phone.dropFirst(3) : phone
        return (10...11).contains(digits.count) && digits.hasPrefix("0") && digits.allSatisfy({ $0.isASCII && $0.isNumber })
    }

    /// Every problem with the applicant's data, as (field, Vietnamese reason).
    public func problems(prefix: String = "applicant") -> [FieldProblem] {
        var result: [FieldProblem] = []
        let trimmedName = name.trimmingWhitespace()
        if trimmedName.isEmpty {
            result.append(FieldProblem(field: "\(prefix).name", reason: "Họ tên không được để trống."))
        } else if name.utf8.count > 200, name.unicodeScalars.count > 200 {  // code points, as the contract's maxLength; bytes bound them
            result.append(FieldProblem(field: "\(prefix).name", reason: "Họ tên dài quá 200 ký tự."))
        }
        if idNumber.count != 12 || !idNumber.allSatisfy({ $0.isASCII && $0.isNumber }) {
            result.append(FieldProblem(field: "\(prefix).idNumber", reason: "Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số."))
        }
        if !Self.isValidPhone(phone) {
            result.append(FieldProblem(field: "\(prefix).phone", reason: Self.phoneRule))
        }
        if let email, !email.isEmpty {
            // The contract's pattern, to the letter: one @ after a non-empty name, a dot after it,
            // no space; at most 254 code points.
            let parts = email.split(separator: "@", omittingEmptySubsequences: false)
            if parts.count != 2 || parts[0].isEmpty || !parts[1].contains(".") || email.unicodeScalars.count > 254 || email.contains(" ") {
                result.append(FieldProblem(field: "\(prefix).email", reason: "Địa chỉ email không hợp lệ."))
            }
        }
        if address.trimmingWhitespace().isEmpty {
            result.append(FieldProblem(field: "\(prefix).address", reason: "Địa chỉ không được để trống."))
        } else if address.utf8.count > 500, address.unicodeScalars.count > 500 {
            result.append(FieldProblem(field: "\(prefix).address", reason: "Địa chỉ dài quá 500 ký tự."))
        }
        return result
    }
}

/// A field and what is wrong with it.
public struct FieldProblem: Hashable, Sendable, Codable {
    public var field: String
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }
}

/// A document as handed in, checked by the desk against the procedure's list: the same shape
/// as a line of that list (name, originals, copies), so it is the same type.
public typealias ProvidedDocument = DocumentRequirement

/// A file handed in online or attached by an officer, stored content-addressed by its SHA-256.
public struct StoredFile: Hashable, Sendable, Codable {
    /// Hex SHA-256 of the content: the blob's name.
    public var sha256: String
    /// The file name the sender gave (display only).
    public var name: String
    /// The type found by reading the content: `application/pdf`, `image/jpeg` or `image/png`.
    public var contentType: String
    public var size: Int
    /// The document of the procedure's list it stands for, the supplementation item, or "Kết quả".
    public var document: String

    public init(sha256: String, name: String, contentType: String, size: Int, document: String) {
        self.sha256 = sha256
        self.name = name
        self.contentType = contentType
        self.size = size
        self.document = document
    }
}

/// Where the post office collects the dossier or delivers the result.
public struct PostalAddress: Hashable, Sendable, Codable {
    public var recipient: String
    public var phone: String
    public var street: String
    public var ward: String
    /// Empty for the two-tier administration in force since 1 July 2025.
    public var district: String?
    public var province: String

    public init(recipient: String, phone: String, street: String, ward: String, district: String? = nil, province: String) {
        self.recipient = recipient
        self.phone = phone
        self.street = street
        self.ward = ward
        self.district = district
        self.province = province
    }

    public func problems(prefix: String = "postalAddress") -> [FieldProblem] {
        var result: [FieldProblem] = []
        for (value, field, limit) in [(recipient, "recipient", 200), (street, "street", 300), (ward, "ward", 200), (province, "province", 200)] {
            let trimmed = value.trimmingWhitespace()
            if trimmed.isEmpty {
                result.append(FieldProblem(field: "\(prefix).\(field)", reason: "Không được để trống."))
            } else if value.unicodeScalars.count > limit {
                result.append(FieldProblem(field: "\(prefix).\(field)", reason: "Dài quá \(limit) ký tự."))
            }
        }
        if let district, district.unicodeScalars.count > 200 {
            result.append(FieldProblem(field: "\(prefix).district", reason: "Dài quá 200 ký tự."))
        }
        if !Applicant.isValidPhone(phone) {
            result.append(FieldProblem(field: "\(prefix).phone", reason: Applicant.phoneRule))
        }
        return result
    }
}

/// A fee request and its settlement. Level-4 dossiers get a reference the payment provider quotes.
public struct Payment: Hashable, Sendable, Codable {
    public var reference: String?
    public var amount: Int
    public var requestedAt: Date
    public var paidAt: Date?
    /// Paid through the online payment provider (counted by the statistics), or at the desk.
    public var online: Bool?
}

/// The applicant's satisfaction rating after return: 1–5, once.
public struct Rating: Hashable, Sendable, Codable {
    public var score: Int
    public var comment: String?
    public var at: Date
}

/// The apology and new appointment (phiếu xin lỗi và hẹn lại ngày trả kết quả).
public struct Apology: Hashable, Sendable, Codable {
    public var at: Date
    public var reason: String
    public var newDueAt: Date
    public var by: String
}

/// A dossier (hồ sơ thủ tục hành chính): the projection of its events.
public struct Dossier: Hashable, Sendable, Codable, Identifiable {
    public var id: String
    /// `{agency identifier}-{yyMMdd}-{NNNN}`.
    public var code: String
    /// The agency that received it: statistics are read per this agency.
    public var agencyID: String
    /// The agency that holds it now.
    public var currentAgencyID: String
    /// An agency it was sent to that has not received it yet.
    public var pendingAgencyID: String?
    /// Every agency that has held it or was sent it: each may see it.
    public var agencyTrail: [String]
    public var procedureCode: String
    public var procedureName: String
    public var term: Term
    public var channel: Channel
    public var applicant: Applicant
    public var documents: [ProvidedDocument]
    public var returnMethod: ReturnMethod
    public var status: DossierStatus
    /// The state to go back to when a pause ends.
    public var statusBeforePause: DossierStatus?
    public var intakeSupplementations: Int
    public var processingSupplementations: Int
    public var missingItems: [String]
    public var submittedAt: Date
    public var receivedAt: Date?
    /// The legal due time, recomputed when a pause ends.
    public var dueAt: Date?
    public var pauses: [Pause]
    public var departmentID: String?
    public var handlerID: String?
    public var handlerName: String?
    public var feeAmount: Int?
    public var approvedAt: Date?
    public var resultReadyAt: Date?
    public var returnedAt: Date?
    public var apology: Apology?
    public var outcome: Outcome?
    public var closingReason: String?
    public var updatedAt: Date
    /// Number of events applied.
    public var version: Int
    /// The online service level it was submitted at (3 or 4); nil for desk and postal intakes.
    public var submissionLevel: Int? = nil
    /// Where the post office collects the dossier and/or delivers the result.
    public var postalAddress: PostalAddress? = nil
    /// Files handed in online: the documents at submission, then any supplementation.
    public var files: [StoredFile]? = nil
    /// The electronic result attached at approval.
    public var resultFile: StoredFile? = nil
    public var payment: Payment? = nil
    public var rating: Rating? = nil
    /// Where the near-due window opens for the current appointment (set with each new due time).
    public var nearDueAt: Date? = nil
    /// When it was refused, withdrawn or stopped.
    public var closedAt: Date? = nil
    /// Working seconds from receipt to the result, net of pauses (set when the result is ready).
    public var processingSeconds: Int64? = nil
    /// Postal orders (BCCI) and where their parcels are, oldest first.
    public var shipments: [Shipment]? = nil
    /// The due time of the step the dossier is in (`ProcessingStep`), from its last hand-off.
    public var stepDueAt: Date? = nil
    /// Filed anywhere in the province: the agency whose desk took it in for the competent
    /// agency (`agencyID`); nil when the competent agency's own desk (or the portal) did.
    public var receivingAgencyID: String? = nil
    /// Where the result is returned at a desk when that is not the agency holding it then: the
    /// receiving desk of a dossier filed anywhere in the province.
    public var returnAgencyID: String? = nil

    /// Whether it was taken in by another agency's desk (phi địa giới hành chính).
    public var isFiledElsewhere: Bool { receivingAgencyID.map { $0 != agencyID } ?? false }

    /// The appointment to show the applicant: the apology's new one, if any, else the due time.
    public var appointmentAt: Date? { apology?.newDueAt ?? dueAt }

    /// Whether the clock is stopped now.
    public var isPaused: Bool { pauses.last.map { $0.end == nil } ?? false }
}

extension Dossier {
    /// Every property (the store puts a dossier back together from its row's columns and JSON).
    public static func restored(
        id: String, code: String, agencyID: String, currentAgencyID: String, pendingAgencyID: String?, agencyTrail: [String],
        procedureCode: String, procedureName: String, term: Term, channel: Channel, applicant: Applicant, documents: [ProvidedDocument],
        returnMethod: ReturnMethod, status: DossierStatus, statusBeforePause: DossierStatus?, intakeSupplementations: Int,
        processingSupplementations: Int, missingItems: [String], submittedAt: Date, receivedAt: Date?, dueAt: Date?, pauses: [Pause],
        departmentID: String?, handlerID: String?, handlerName: String?, feeAmount: Int?, approvedAt: Date?, resultReadyAt: Date?,
        returnedAt: Date?, apology: Apology?, outcome: Outcome?, closingReason: String?, updatedAt: Date, version: Int,
        submissionLevel: Int?, postalAddress: PostalAddress?, files: [StoredFile]?, resultFile: StoredFile?, payment: Payment?,
        rating: Rating?, nearDueAt: Date?, closedAt: Date?, processingSeconds: Int64?, shipments: [Shipment]?, stepDueAt: Date? = nil,
        receivingAgencyID: String? = nil, returnAgencyID: String? = nil
    ) -> Dossier {
        Dossier(
            id: id, code: code, agencyID: agencyID, currentAgencyID: currentAgencyID, pendingAgencyID: pendingAgencyID,
            agencyTrail: agencyTrail, procedureCode: procedureCode, procedureName: procedureName, term: term, channel: channel,
            applicant: applicant, documents: documents, returnMethod: returnMethod, status: status, statusBeforePause: statusBeforePause,
            intakeSupplementations: intakeSupplementations, processingSupplementations: processingSupplementations,
            missingItems: missingItems, submittedAt: submittedAt, receivedAt: receivedAt, dueAt: dueAt, pauses: pauses,
            departmentID: departmentID, handlerID: handlerID, handlerName: handlerName, feeAmount: feeAmount, approvedAt: approvedAt,
            resultReadyAt: resultReadyAt, returnedAt: returnedAt, apology: apology, outcome: outcome, closingReason: closingReason,
            updatedAt: updatedAt, version: version, submissionLevel: submissionLevel, postalAddress: postalAddress, files: files,
            resultFile: resultFile, payment: payment, rating: rating, nearDueAt: nearDueAt, closedAt: closedAt,
            processingSeconds: processingSeconds, shipments: shipments, stepDueAt: stepDueAt, receivingAgencyID: receivingAgencyID,
            returnAgencyID: returnAgencyID)
    }
}

import Foundation

/// One row of the processing control sheet (phiếu kiểm soát quá trình giải quyết hồ sơ).
/// Events are appended, never rewritten; the `Dossier` is their projection.
public struct DossierEvent: Hashable, Sendable, Codable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case created, received, supplementationRequested, supplementationReceived, refused
        case transferred, assigned, sentToAgency, receivedFromAgency, feeRequested, feePaid
        case approved, resultReady, returned, apologized, withdrawn, stopped, inherited, rated
        /// A postal order placed (it enters the outbox in the same transaction).
        case postalOrdered
        /// The post office's word about a parcel: its waybill, then its journey.
        case postalUpdated
    }

    /// Position in the dossier's history, from 1.
    public var sequence: Int
    public var kind: Kind
    public var at: Date
    /// Who gave (or acted).
    public var actor: Actor
    /// The agency where it happened.
    public var agencyID: String
    public var note: String?
    public var reason: String?
    public var items: [String]?
    public var departmentID: String?
    public var handlerID: String?
    public var handlerName: String?
    public var fromAgencyID: String?
    public var toAgencyID: String?
    public var dueAt: Date?
    /// With a new due time: where its near-due window opens.
    public var nearDueAt: Date?
    public var amount: Int?
    public var returnMethod: ReturnMethod?
    public var outcome: Outcome?
    /// For `created`: the dossier as filed.
    public var dossier: Dossier?
    /// Files handed in with this step (online supplementation).
    public var files: [StoredFile]?
    /// The electronic result attached at approval.
    public var resultFile: StoredFile?
    /// Its detached signature, by the approving agency's key.
    public var resultSignature: ResultSignature?
    /// The step this hand-off starts (or resumes after a pause), and that step's due time.
    public var step: ProcessingStep?
    public var stepDueAt: Date?
    /// The payment reference of a fee request (level 4) or of the payment settling it.
    public var paymentReference: String?
    /// For `feePaid`: paid through the online payment provider.
    public var online: Bool?
    /// For `rated`.
    public var score: Int?
    /// Working seconds from receipt to the result, net of pauses (on `resultReady`).
    public var workingSeconds: Int64?
    public var comment: String?
    /// For `postalOrdered`: the order.
    public var shipment: Shipment?
    /// For `postalUpdated`: what the post office reported.
    public var postal: PostalUpdate?

    /// Whether the applicant may see this step in the public history: every step but the
    /// internal hand-offs inside the agencies.
    public var isPublic: Bool {
        switch kind {
        case .transferred, .assigned: false
        default: true
        }
    }

    public init(sequence: Int, kind: Kind, at: Date, actor: Actor, agencyID: String) {
        self.sequence = sequence
        self.kind = kind
        self.at = at
        self.actor = actor
        self.agencyID = agencyID
    }

    /// The Vietnamese label of the step, as printed on the control sheet.
    public var vietnameseTitle: String {
        switch kind {
        case .created: "Tạo hồ sơ"
        case .received: "Tiếp nhận hồ sơ"
        case .supplementationRequested: "Yêu cầu bổ sung, hoàn thiện hồ sơ"
        case .supplementationReceived: "Nhận hồ sơ bổ sung"
        case .refused: "Từ chối tiếp nhận, giải quyết"
        case .transferred: "Chuyển hồ sơ đến phòng chuyên môn"
        case .assigned: "Phân công thụ lý"
        case .sentToAgency: "Chuyển liên thông"
        case .receivedFromAgency: "Nhận hồ sơ liên thông"
        case .feeRequested: "Yêu cầu thực hiện nghĩa vụ tài chính"
        case .feePaid: "Đã thực hiện nghĩa vụ tài chính"
        case .approved: "Phê duyệt kết quả"
        case .resultReady: "Có kết quả"
        case .returned: "Trả kết quả"
        case .apologized: "Xin lỗi và hẹn lại ngày trả kết quả"
        case .withdrawn: "Rút hồ sơ"
        case .stopped: "Dừng xử lý"
        case .inherited: "Tiếp nhận do hợp nhất cơ quan"
        case .rated: "Đánh giá mức độ hài lòng"
        case .postalOrdered: "Đặt dịch vụ bưu chính công ích: \((shipment?.direction ?? .pickup).vietnameseName.lowercased())"
        case .postalUpdated: "Bưu điện: \((postal?.status ?? .accepted).vietnameseName.lowercased())"
        }
    }
}

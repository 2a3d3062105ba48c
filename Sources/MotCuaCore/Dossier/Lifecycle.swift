import Foundation

/// What `decide` needs to know besides the dossier: who acts, when, on which calendar, and how
/// to check the references a command makes.
public struct DecisionContext: Sendable {
    public var actor: Actor
    public var now: Date
    public var calendar: WorkCalendar
    /// Departments of the actor's agency.
    public var departments: [Department]
    /// Whether an agency exists and is active now (for inter-agency hand-offs).
    public var agencyIsActive: @Sendable (String) -> Bool
    /// When a dossier counts as near due (the watch, and when an apology may be issued).
    public var nearDue: NearDuePolicy
    /// How a procedure's term is divided among the steps (by procedure code).
    public var stepSplit: @Sendable (String) -> StepSplit
    /// An agency's province (the top of its branch of the tree) and its level, for filing
    /// anywhere in the province; nil for an unknown agency.
    public var placeOf: @Sendable (String) -> (province: String, level: String)?

    public init(
        actor: Actor, now: Date, calendar: WorkCalendar, departments: [Department] = [],
        agencyIsActive: @escaping @Sendable (String) -> Bool = { _ in true }, nearDue: NearDuePolicy = .standard,
        stepSplit: @escaping @Sendable (String) -> StepSplit = { _ in .standard },
        placeOf: @escaping @Sendable (String) -> (province: String, level: String)? = { _ in nil }
    ) {
        self.placeOf = placeOf
        self.stepSplit = stepSplit
        self.actor = actor
        self.now = now
        self.calendar = calendar
        self.departments = departments
        self.agencyIsActive = agencyIsActive
        self.nearDue = nearDue
    }
}

/// The dossier lifecycle: `decide(command, dossier, context) → events` and
/// `evolve(dossier, event) → dossier`, both pure.
public enum Lifecycle {
    /// For each kind of command: the states it may start from and the roles that may give it.
    /// A switch over the kinds, so a command without a rule does not compile.
    public static func rule(for kind: CommandKind) -> (from: Set<DossierStatus>, roles: Set<Role>) {
        switch kind {
        case .receive: ([.submitted], [.desk])
        case .requestSupplementation: ([.submitted, .received, .processing], [.desk, .handler, .leader])
        case .supplementationReceived: ([.supplementation], [.desk, .citizen])
        case .refuse: ([.submitted, .supplementation, .received, .processing], [.desk, .handler, .leader])
        case .transfer: ([.received, .processing], [.desk, .leader])
        case .assign: ([.processing], [.leader])
        case .sendToAgency: ([.processing], [.handler, .leader])
        // From `received` and `resultReady` too: the hand-offs of a dossier filed anywhere in
        // the province (to the competent agency at receipt, and its result back to the desk).
        case .receiveFromAgency: ([.received, .processing, .resultReady], [.desk, .handler, .leader])
        case .requestFee: ([.received, .processing, .approved], [.desk, .handler, .leader])
        case .feePaid: ([.awaitingFee], [.desk, .system])
        case .approve: ([.processing], [.leader])
        case .resultReady: ([.approved], [.desk, .handler, .leader])
        case .returnResult: ([.resultReady], [.desk])
        case .apologize: ([.received, .processing, .supplementation, .awaitingFee, .approved], [.leader])
        case .withdraw: ([.submitted, .supplementation, .received, .processing, .awaitingFee, .approved], [.desk, .citizen])
        case .stop: ([.received, .processing, .supplementation, .awaitingFee, .approved], [.leader])
        case .downloadResult: ([.resultReady], [.citizen])
        case .rate: ([.returned], [.citizen])
        case .orderPostal: ([.submitted, .resultReady], [.desk])
        case .postalUpdate: (Set(DossierStatus.allCases), [.system])
        case .closeAbandoned: ([.supplementation], [.system])
        }
    }

    // MARK: Creating a dossier

    /// Files a new dossier at the desk: it is received at once when complete (receipt, code, due
    /// time, clock starts), or registered with a supplementation request (form 02) when the desk
    /// lists missing items. `code` is the next free code of the agency for today.
    public static func file(_ intake: Intake, code: String, id: String, context: DecisionContext) throws(DomainError) -> [DossierEvent] {
        let actor = context.actor
        guard actor.role == .desk else {
            throw .forbidden(command: "intake", reason: "Chỉ cán bộ một cửa được tiếp nhận hồ sơ.")
        }
        var problems = intake.applicant.problems()
        if intake.returnMethod == .electronic && intake.procedure.onlineLevel < 4 {
            problems.append(FieldProblem(field: "returnMethod", reason: "Thủ tục này không trả kết quả điện tử (chỉ dịch vụ công mức độ 4)."))
        }
        if intake.returnMethod == .post && !intake.procedure.postalReturn {
            problems.append(FieldProblem(field: "returnMethod", reason: "Thủ tục này không trả kết quả qua bưu chính."))
        }
        if let address = intake.postalAddress { problems += address.problems() }
        let competent = intake.competentAgencyID.flatMap { $0 == actor.agencyID ? nil : $0 }
        if let competent { problems += anywhereProblems(intake, competent: competent, context: context) }
        if let back = intake.returnAgencyID {
            if intake.returnMethod != .desk {
                problems.append(FieldProblem(field: "returnAgencyID", reason: "Chỉ chọn nơi trả kết quả khi trả kết quả tại Bộ phận Một cửa."))
            } else if back != actor.agencyID && back != competent {
                problems.append(FieldProblem(
                    field: "returnAgencyID", reason: "Nơi trả kết quả phải là Bộ phận Một cửa tiếp nhận hoặc cơ quan có thẩm quyền giải quyết."))
            }
        }
        for (index, document) in intake.documents.enumerated() where !intake.procedure.documents.contains(where: { $0.name == document.name }) {
            problems.append(FieldProblem(field: "documents[\(index)].name", reason: "Giấy tờ không có trong thành phần hồ sơ của thủ tục."))
        }
        for (index, name) in intake.notApplicable.enumerated() where !intake.procedure.documents.contains(where: { $0.name == name }) {
            problems.append(FieldProblem(field: "notApplicable[\(index)]", reason: "Giấy tờ không có trong thành phần hồ sơ của thủ tục."))
        }
        problems += scanProblems(intake, handedOn: competent != nil)
        let missing = intake.missingDocuments
        if intake.missingItems.isEmpty && !missing.isEmpty {
            problems.append(FieldProblem(
                field: "documents",
                reason: "Hồ sơ chưa đầy đủ (\(missing.count) giấy tờ còn thiếu); hãy lập phiếu yêu cầu bổ sung, hoàn thiện hồ sơ."))
        }
        guard problems.isEmpty else { throw .invalid(problems) }

        // Filed anywhere in the province, the dossier is the competent agency's (its code, its
        // statistics) from the start, held by the receiving desk until the hand-off at receipt.
        var dossier = Dossier(
            id: id, code: code, agencyID: competent ?? actor.agencyID, currentAgencyID: actor.agencyID, pendingAgencyID: nil,
            agencyTrail: [actor.agencyID], procedureCode: intake.procedure.code, procedureName: intake.procedure.name,
            term: intake.procedure.term, channel: intake.channel, applicant: normalized(intake.applicant),
            documents: intake.documents, returnMethod: intake.returnMethod, status: .submitted, statusBeforePause: nil,
            intakeSupplementations: 0, processingSupplementations: 0, missingItems: [], submittedAt: context.now,
            receivedAt: nil, dueAt: nil, pauses: [], departmentID: nil, handlerID: nil, handlerName: nil,
            feeAmount: nil, approvedAt: nil, resultReadyAt: nil, returnedAt: nil, apology: nil, outcome: nil,
            closingReason: nil, updatedAt: context.now, version: 0)
        dossier.postalAddress = intake.returnMethod == .post ? intake.postalAddress : nil
        dossier.files = intake.files.isEmpty ? nil : intake.files
        if competent != nil {
            dossier.receivingAgencyID = actor.agencyID
            dossier.returnAgencyID = intake.returnMethod == .desk ? intake.returnAgencyID ?? actor.agencyID : nil
        }
        var created = DossierEvent(sequence: 1, kind: .created, at: context.now, actor: actor, agencyID: actor.agencyID)
        created.dossier = dossier
        created.note = intake.note
        let next: [DossierEvent]
        if intake.missingItems.isEmpty {
            next = try decide(.receive, dossier: evolve(dossier, created), context: context)
        } else {
            next = try decide(.requestSupplementation(items: intake.missingItems, reason: "Hồ sơ chưa đầy đủ"),
                              dossier: evolve(dossier, created), context: context)
        }
        return [created] + next
    }

    /// The desk's scans: each of a document handed in (named `document-N`, N its number in the
    /// procedure's list); and, for a dossier handed on to another agency, one for every document
    /// handed in, since the papers stay at the receiving desk.
    static func scanProblems(_ intake: Intake, handedOn: Bool) -> [FieldProblem] {
        let list = intake.procedure.documents
        var problems: [FieldProblem] = []
        for (index, file) in intake.files.enumerated() where !intake.documents.contains(where: { $0.name == file.document }) {
            let number = list.firstIndex { $0.name == file.document }.map { "document-\($0 + 1)" } ?? "files[\(index)]"
            problems.append(FieldProblem(field: number, reason: "Tệp quét không ứng với giấy tờ nào đã nộp."))
        }
        guard handedOn else { return problems }
        for (index, required) in list.enumerated()
        where intake.documents.contains(where: { $0.name == required.name }) && !intake.files.contains(where: { $0.document == required.name }) {
            problems.append(FieldProblem(
                field: "document-\(index + 1)",
                reason: "Hồ sơ tiếp nhận không phụ thuộc địa giới hành chính phải được số hóa: thiếu bản quét của \(required.name)."))
        }
        return problems
    }

    /// What is wrong with taking the intake in for `competent`, another agency: the procedure
    /// must be one filed anywhere in the province, and the agency one of the desk's province that
    /// carries out the procedure's level and exists now.
    static func anywhereProblems(_ intake: Intake, competent: String, context: DecisionContext) -> [FieldProblem] {
        let procedure = intake.procedure
        guard procedure.isFiledAnywhere else {
            let reason = "Thủ tục \(procedure.code) không thuộc danh mục tiếp nhận hồ sơ không phụ thuộc địa giới hành chính; "
                + "hồ sơ phải nộp tại cơ quan có thẩm quyền."
            return [FieldProblem(field: "competentAgencyID", reason: reason), FieldProblem(field: "procedureCode", reason: reason)]
        }
        guard let place = context.placeOf(competent), context.agencyIsActive(competent) else {
            return [FieldProblem(field: "competentAgencyID", reason: "Cơ quan có thẩm quyền không có trong danh mục hoặc không còn hoạt động.")]
        }
        guard let own = context.placeOf(context.actor.agencyID), own.province == place.province else {
            return [FieldProblem(
                field: "competentAgencyID",
                reason: "Cơ quan có thẩm quyền thuộc tỉnh khác: chỉ tiếp nhận không phụ thuộc địa giới hành chính trong cùng một tỉnh.")]
        }
        guard place.level == procedure.level else {
            return [FieldProblem(
                field: "competentAgencyID", reason: "Cơ quan này không giải quyết thủ tục \(procedure.code) (thủ tục cấp \(procedure.level)).")]
        }
        return []
    }

    /// Registers a dossier submitted online (level 3 or 4): it waits, as submitted (national
    /// status 1), for the desk to receive it, ask for supplementation or refuse it; its clock
    /// starts only at that receipt. `context.actor` is the applicant (role `citizen`).
    public static func submit(_ submission: OnlineSubmission, code: String, id: String, context: DecisionContext) throws(DomainError) -> [DossierEvent] {
        guard context.actor.role == .citizen else {
            throw .forbidden(command: "submit", reason: "Chỉ công dân hoặc cổng dịch vụ công nộp hồ sơ trực tuyến.")
        }
        let procedure = submission.procedure
        var problems = submission.applicant.problems()
        if procedure.onlineLevel < 3 {
            problems.append(FieldProblem(field: "procedureCode", reason: "Thủ tục này chưa cung cấp dịch vụ công trực tuyến mức độ 3 hoặc 4."))
        } else if !(3...4).contains(submission.level) || submission.level > procedure.onlineLevel {
            problems.append(FieldProblem(field: "level", reason: "Thủ tục này chỉ nhận hồ sơ trực tuyến ở mức độ \(procedure.onlineLevel == 4 ? "3 hoặc 4" : "3")."))
        }
        switch submission.returnMethod {
        case .electronic where submission.level < 4:
            problems.append(FieldProblem(field: "returnMethod", reason: "Trả kết quả điện tử chỉ dành cho hồ sơ trực tuyến mức độ 4."))
        case .post where !procedure.postalReturn:
            problems.append(FieldProblem(field: "returnMethod", reason: "Thủ tục này không trả kết quả qua bưu chính."))
        default: break
        }
        if submission.postalPickup && !procedure.postalIntake {
            problems.append(FieldProblem(field: "postalPickup", reason: "Thủ tục này không nhận hồ sơ qua bưu chính."))
        }
        if submission.postalPickup || submission.returnMethod == .post {
            if let address = submission.postalAddress {
                problems += address.problems()
            } else {
                problems.append(FieldProblem(field: "postalAddress", reason: "Cần địa chỉ để bưu điện thu gom hồ sơ hoặc chuyển phát kết quả."))
            }
        }
        for (index, name) in submission.notApplicable.enumerated() where !procedure.documents.contains(where: { $0.name == name }) {
            problems.append(FieldProblem(field: "notApplicable[\(index)]", reason: "Giấy tờ không có trong thành phần hồ sơ của thủ tục."))
        }
        for (index, file) in submission.files.enumerated() where !procedure.documents.contains(where: { $0.name == file.document }) {
            problems.append(FieldProblem(field: "files[\(index)]", reason: "Tệp không ứng với giấy tờ nào trong thành phần hồ sơ."))
        }
        for (index, required) in procedure.documents.enumerated()
        where !submission.notApplicable.contains(required.name) && !submission.files.contains(where: { $0.document == required.name }) {
            problems.append(FieldProblem(field: "document-\(index + 1)", reason: "Thiếu tệp của giấy tờ bắt buộc: \(required.name)."))
        }
        guard problems.isEmpty else { throw .invalid(problems) }

        let documents = procedure.documents.compactMap { required -> ProvidedDocument? in
            let count = submission.files.filter { $0.document == required.name }.count
            return count == 0 ? nil : ProvidedDocument(name: required.name, originals: 0, copies: count)
        }
        var dossier = Dossier(
            id: id, code: code, agencyID: submission.agencyID, currentAgencyID: submission.agencyID, pendingAgencyID: nil,
            agencyTrail: [submission.agencyID], procedureCode: procedure.code, procedureName: procedure.name,
            term: procedure.term, channel: submission.postalPickup ? .postal : .online, applicant: normalized(submission.applicant),
            documents: documents, returnMethod: submission.returnMethod, status: .submitted, statusBeforePause: nil,
            intakeSupplementations: 0, processingSupplementations: 0, missingItems: [], submittedAt: context.now,
            receivedAt: nil, dueAt: nil, pauses: [], departmentID: nil, handlerID: nil, handlerName: nil,
            feeAmount: nil, approvedAt: nil, resultReadyAt: nil, returnedAt: nil, apology: nil, outcome: nil,
            closingReason: nil, updatedAt: context.now, version: 0)
        dossier.submissionLevel = submission.level
        dossier.postalAddress = submission.postalPickup || submission.returnMethod == .post ? submission.postalAddress : nil
        dossier.files = submission.files
        var created = DossierEvent(sequence: 1, kind: .created, at: context.now, actor: context.actor, agencyID: submission.agencyID)
        created.dossier = dossier
        created.note = submission.note
        guard submission.postalPickup, let address = submission.postalAddress else { return [created] }
        // The post office collects the dossier: the order enters the outbox with the dossier.
        // At level 3 the fee is paid offline, so the post office may collect a fixed fee with it.
        let cod = submission.level == 3 ? procedure.fee.amount ?? 0 : 0
        return [created, postalOrder(.pickup, dossier: evolve(dossier, created), address: address, cod: cod, context: context)]
    }

    /// The event that places a postal order for the dossier (the next attempt of that direction).
    static func postalOrder(
        _ direction: PostalDirection, dossier: Dossier, address: PostalAddress, cod: Int, context: DecisionContext
    ) -> DossierEvent {
        let attempt = (dossier.shipments ?? []).filter { $0.direction == direction }.count + 1
        var event = DossierEvent(sequence: dossier.version + 1, kind: .postalOrdered, at: context.now, actor: context.actor, agencyID: dossier.currentAgencyID)
        event.shipment = Shipment(
            orderNumber: Shipment.orderNumber(code: dossier.code, direction: direction, attempt: attempt), direction: direction,
            attempt: attempt, cod: cod, orderedAt: context.now, updatedAt: context.now, address: address)
        return event
    }

    static func normalized(_ applicant: Applicant) -> Applicant {
        var result = applicant
        result.name = applicant.name.trimmingWhitespace()
        result.address = applicant.address.trimmingWhitespace()
        if let email = applicant.email?.trimmingWhitespace() { result.email = email.isEmpty ? nil : email }
        return result
    }

    // MARK: decide

    /// What is wrong with a command's own fields, whatever the dossier: a blank or overlong
    /// reason, no item to supplement, a fee or a score out of range, a department that is not
    /// the agency's, an agency that does not exist or no longer works, a postal address with a
    /// blank line. `decide` judges these first and its cases rely on them.
    static func fieldProblems(_ command: DossierCommand, context: DecisionContext) -> [FieldProblem] {
        func reason(_ text: String, _ field: String = "reason") -> [FieldProblem] {
            let trimmed = text.trimmingWhitespace()
            if trimmed.isEmpty { return [FieldProblem(field: field, reason: "Không được để trống.")] }
            // Code points, untrimmed, as the contract's maxLength counts them.
            if text.unicodeScalars.count > 2000 { return [FieldProblem(field: field, reason: "Dài quá 2000 ký tự.")] }
            return []
        }
        switch command {
        case let .requestSupplementation(items, text):
            let listed = items.contains { !$0.trimmingWhitespace().isEmpty }
            return (listed ? [] : [FieldProblem(field: "items", reason: "Phải liệt kê đầy đủ các giấy tờ cần bổ sung, một lần.")]) + reason(text)
        case let .refuse(text), let .withdraw(text), let .stop(text), let .apologize(text, _):
            return reason(text)
        case let .transfer(departmentID):
            let known = context.departments.contains { $0.id == departmentID }
            return known ? [] : [FieldProblem(field: "departmentID", reason: "Phòng chuyên môn không thuộc cơ quan.")]
        case let .sendToAgency(agencyID, _):
            return context.agencyIsActive(agencyID) ? [] : [FieldProblem(field: "agencyID", reason: "Cơ quan nhận liên thông không hợp lệ.")]
        case let .orderPostal(_, address?):
            return address.problems()
        case let .requestFee(amount):
            return amount > 0 && amount <= 1_000_000_000 ? [] : [FieldProblem(field: "amount", reason: "Số tiền phải lớn hơn 0 và không quá 1 tỷ đồng.")]
        case let .rate(score, comment):
            let long = (comment?.unicodeScalars.count ?? 0) > 2000
            return ((1...5).contains(score) ? [] : [FieldProblem(field: "score", reason: "Điểm đánh giá phải từ 1 đến 5.")])
                + (long ? [FieldProblem(field: "comment", reason: "Dài quá 2000 ký tự.")] : [])
        case let .closeAbandoned(_, days):
            return (1...365).contains(days) ? [] : [FieldProblem(field: "abandonAfterWorkingDays", reason: "Phải từ 1 đến 365 ngày làm việc.")]
        default:
            return []
        }
    }

    /// The events a command produces on a dossier, or the rule it breaks.
    public static func decide(_ command: DossierCommand, dossier: Dossier, context: DecisionContext) throws(DomainError) -> [DossierEvent] {
        let actor = context.actor
        let now = context.now
        let rule = rule(for: command.kind)
        guard rule.roles.contains(actor.role) else {
            throw .forbidden(command: command.name, reason: "Vai trò \"\(actor.role.vietnameseName)\" không được thực hiện thao tác này.")
        }
        // A malformed command is refused for its fields whatever the dossier's state: the state's
        // 409 is for a well-formed request (and the contract says which fields are well-formed).
        let malformed = fieldProblems(command, context: context)
        guard malformed.isEmpty else { throw .invalid(malformed) }
        guard rule.from.contains(dossier.status) else {
            throw .invalidState(command: command.name, status: dossier.status)
        }
        // Only the agency holding the dossier acts on it, except to receive an inter-agency hand-off.
        if case .postalUpdate = command {
            // The post office reports on its parcels whoever holds the dossier.
        } else if case .receiveFromAgency = command {
            guard dossier.pendingAgencyID == actor.agencyID else {
                throw .forbidden(command: command.name, reason: "Hồ sơ không được chuyển liên thông đến cơ quan của bạn.")
            }
        } else if dossier.currentAgencyID != actor.agencyID {
            throw .forbidden(command: command.name, reason: "Hồ sơ đang do cơ quan khác giữ.")
        } else if dossier.pendingAgencyID != nil {
            throw .invalidState(command: command.name, status: dossier.status)
        }

        var event = DossierEvent(sequence: dossier.version + 1, kind: .created, at: now, actor: actor, agencyID: actor.agencyID)
        /// Events that follow the command's own (a postal order, a return by post).
        var following: [DossierEvent] = []
        func require(_ text: String, _ field: String) throws(DomainError) -> String {
            let trimmed = text.trimmingWhitespace()
            guard !trimmed.isEmpty else { throw .invalid([FieldProblem(field: field, reason: "Không được để trống.")]) }
            guard trimmed.count <= 2000 else { throw .invalid([FieldProblem(field: field, reason: "Dài quá 2000 ký tự.")]) }
            return trimmed
        }

        switch command {
        case .receive:
            // A dossier the post office collects is received once it reached the desk: postal
            // time does not count.
            if dossier.channel == .postal, let pickup = dossier.shipment(.pickup), pickup.status != .deliveredToDesk {
                throw .forbidden(
                    command: command.name,
                    reason: "Hồ sơ gửi qua bưu điện chưa được chuyển đến Bộ phận Một cửa (bưu gửi: \(pickup.status.vietnameseName.lowercased())).")
            }
            event.kind = .received
            do {
                event.dueAt = try context.calendar.due(from: now, term: dossier.term)
            } catch {
                throw .invalid([FieldProblem(field: "receivedAt", reason: error.vietnameseDescription)])
            }
            // Filed anywhere in the province: the receiving desk hands it on to the competent
            // agency at once, electronically (the clock started at this receipt).
            if dossier.isFiledElsewhere, dossier.currentAgencyID != dossier.agencyID {
                following.append(handOff(dossier, event: event, to: dossier.agencyID, note: "Chuyển hồ sơ tiếp nhận không phụ thuộc địa giới hành chính đến cơ quan có thẩm quyền giải quyết"))
            }

        case let .requestSupplementation(items, reason):
            let cleaned = items.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
            guard !cleaned.isEmpty else {
                throw .invalid([FieldProblem(field: "items", reason: "Phải liệt kê đầy đủ các giấy tờ cần bổ sung, một lần.")])
            }
            if dossier.status == .submitted {
                guard dossier.intakeSupplementations == 0 else {
                    throw .limitReached(command: command.name, reason: "Hồ sơ đã được yêu cầu bổ sung một lần khi tiếp nhận.")
                }
            } else {
                guard dossier.processingSupplementations == 0 else {
                    throw .limitReached(command: command.name, reason: "Hồ sơ đã được yêu cầu bổ sung một lần trong quá trình giải quyết.")
                }
            }
            event.kind = .supplementationRequested
            event.items = cleaned
            event.reason = try require(reason, "reason")

        case let .supplementationReceived(note, files):
            event.kind = .supplementationReceived
            event.note = note
            event.files = files.isEmpty ? nil : files
            if dossier.receivedAt != nil {
                event.dueAt = try resumedDue(dossier, resumeAt: now, calendar: context.calendar)
            }

        case let .refuse(reason):
            event.kind = .refused
            event.reason = try require(reason, "reason")

        case let .transfer(departmentID):  // one of the agency's: `fieldProblems`
            event.kind = .transferred
            event.departmentID = departmentID

        case let .assign(handler):
            guard handler.role == .handler || handler.role == .leader, handler.agencyID == dossier.currentAgencyID else {
                throw .invalid([FieldProblem(field: "handlerID", reason: "Người được phân công phải là chuyên viên hoặc lãnh đạo của cơ quan đang giữ hồ sơ.")])
            }
            event.kind = .assigned
            event.handlerID = handler.id
            event.handlerName = handler.name
            event.departmentID = handler.departmentID ?? dossier.departmentID

        case let .sendToAgency(agencyID, note):
            guard agencyID != dossier.currentAgencyID, context.agencyIsActive(agencyID) else {
                throw .invalid([FieldProblem(field: "agencyID", reason: "Cơ quan nhận liên thông không hợp lệ.")])
            }
            event.kind = .sentToAgency
            event.fromAgencyID = dossier.currentAgencyID
            event.toAgencyID = agencyID
            event.note = note

        case .receiveFromAgency:
            event.kind = .receivedFromAgency
            event.fromAgencyID = dossier.currentAgencyID
            event.toAgencyID = actor.agencyID

        case let .requestFee(amount):  // its range: `fieldProblems`
            event.kind = .feeRequested
            event.amount = amount
            // Level-4 dossiers are paid online: the provider quotes this reference in its callback.
            if dossier.submissionLevel == 4 { event.paymentReference = "\(dossier.code)-TT\(event.sequence)" }

        case let .feePaid(reference):
            if actor.role == .system {
                guard let reference, reference == dossier.payment?.reference else {
                    throw .invalid([FieldProblem(field: "reference", reason: "Mã thanh toán không khớp với yêu cầu nộp phí của hồ sơ.")])
                }
                event.online = true
            }
            event.kind = .feePaid
            event.paymentReference = reference ?? dossier.payment?.reference
            event.dueAt = try resumedDue(dossier, resumeAt: now, calendar: context.calendar)

        case let .approve(note, resultFile, signature):
            if dossier.returnMethod == .electronic && resultFile == nil {
                throw .invalid([FieldProblem(field: "result", reason: "Hồ sơ trả kết quả điện tử: phải đính kèm tệp kết quả khi phê duyệt.")])
            }
            if let signature {
                // Made by the server for this file, dossier and agency: anything else is a bug.
                guard let resultFile, signature.sha256 == resultFile.sha256, signature.dossierCode == dossier.code,
                      signature.agencyID == context.actor.agencyID
                else { throw .invalid([FieldProblem(field: "result", reason: "Chữ ký số không khớp với tệp kết quả, hồ sơ hoặc cơ quan.")]) }
            }
            event.kind = .approved
            event.note = note
            event.resultFile = resultFile
            event.resultSignature = signature

        case .resultReady:
            event.kind = .resultReady
            event.outcome = outcome(of: dossier, finishedAt: now, calendar: context.calendar)
            if let received = dossier.receivedAt {
                event.workingSeconds = try? context.calendar.elapsed(from: received, to: now, pauses: dossier.pauses)
            }
            // The result goes home by post: the delivery order enters the outbox with it. Without
            // an address the dossier waits in the postal queue for the desk to order one.
            if dossier.returnMethod == .post, let address = dossier.postalAddress {
                following.append(postalOrder(.delivery, dossier: evolve(dossier, event), address: address, cod: unpaidFee(dossier), context: context))
            }
            // Returned at another agency's desk (the one that took it in): the result goes there.
            if dossier.returnMethod == .desk, let back = dossier.returnAgencyID, back != dossier.currentAgencyID {
                following.append(handOff(dossier, event: event, to: back, note: "Chuyển kết quả đến Bộ phận Một cửa nơi trả kết quả"))
            }

        case let .returnResult(method):
            event.kind = .returned
            event.returnMethod = method

        case let .apologize(reason, newDueAt):
            guard dossier.apology == nil else {
                throw .limitReached(command: command.name, reason: "Đã có phiếu xin lỗi và hẹn lại ngày trả cho hồ sơ này; chỉ được lập một lần.")
            }
            guard newDueAt > now, newDueAt > (dossier.dueAt ?? now) else {
                throw .invalid([FieldProblem(field: "newDueAt", reason: "Ngày hẹn mới phải sau thời điểm hiện tại và sau ngày hẹn cũ.")])
            }
            // Only for a dossier that is overdue or about to be (its near-due window is open).
            if let due = dossier.dueAt {
                let opens: Date
                if let stored = dossier.nearDueAt { opens = stored } else { opens = try nearDueStart(dossier, due: due, context: context) }
                guard now >= opens else {
                    throw .forbidden(command: command.name, reason: "Chỉ lập phiếu xin lỗi khi hồ sơ đã quá hạn hoặc sắp đến hạn (từ \(WorkCalendar.format(opens))).")
                }
            }
            event.kind = .apologized
            event.reason = try require(reason, "reason")
            event.dueAt = newDueAt

        case let .withdraw(reason):
            event.kind = .withdrawn
            event.reason = try require(reason, "reason")

        case let .stop(reason):
            event.kind = .stopped
            event.reason = try require(reason, "reason")

        case let .closeAbandoned(requestedAt, days):
            let closesAt = try abandonment(requestedAt: requestedAt, afterWorkingDays: days, calendar: context.calendar)
            guard now >= closesAt else {
                throw .forbidden(command: command.name, reason: "Hồ sơ chờ bổ sung chưa quá \(days) ngày làm việc (đến \(WorkCalendar.format(closesAt))).")
            }
            event.kind = .stopped
            event.items = dossier.missingItems
            event.reason = "Quá \(days) ngày làm việc kể từ yêu cầu bổ sung, hoàn thiện hồ sơ ngày "
                + "\(WorkCalendar.localDate(of: requestedAt).vietnamese) mà người nộp chưa bổ sung: dừng xử lý hồ sơ."

        case .downloadResult:
            guard dossier.returnMethod == .electronic, dossier.resultFile != nil else {
                throw .forbidden(command: command.name, reason: "Hồ sơ này không trả kết quả điện tử.")
            }
            event.kind = .returned
            event.returnMethod = .electronic

        case let .rate(score, comment):
            guard dossier.rating == nil else {
                throw .limitReached(command: command.name, reason: "Hồ sơ đã được đánh giá; mỗi hồ sơ chỉ đánh giá một lần.")
            }
            // The score's range and the comment's length: `fieldProblems`.
            let trimmed = comment?.trimmingWhitespace()
            event.kind = .rated
            event.score = score
            event.comment = trimmed?.isEmpty == false ? trimmed : nil

        case let .orderPostal(direction, address):
            switch direction {
            case .pickup:
                guard dossier.status == .submitted, dossier.channel == .postal else {
                    throw .forbidden(command: command.name, reason: "Chỉ đặt thu gom cho hồ sơ nộp qua bưu chính chưa được tiếp nhận.")
                }
            case .delivery:
                guard dossier.status == .resultReady, dossier.returnMethod == .post else {
                    throw .forbidden(command: command.name, reason: "Chỉ đặt chuyển phát cho hồ sơ đã có kết quả và trả kết quả qua bưu chính.")
                }
            }
            if let last = dossier.shipment(direction), !last.status.isFailure {
                throw .limitReached(
                    command: command.name,
                    reason: "Đơn \(last.orderNumber) đang còn hiệu lực (\(last.status.vietnameseName.lowercased())); chỉ đặt đơn mới khi đơn trước không thành công.")
            }
            // A given address's lines: `fieldProblems`.
            guard let target = address ?? dossier.postalAddress else {
                throw .invalid([FieldProblem(field: "postalAddress", reason: "Cần địa chỉ để bưu điện thu gom hồ sơ hoặc chuyển phát kết quả.")])
            }
            event = postalOrder(direction, dossier: dossier, address: target, cod: direction == .delivery ? unpaidFee(dossier) : 0, context: context)

        case let .postalUpdate(update):
            guard let shipment = dossier.shipments?.first(where: { $0.orderNumber == update.orderNumber }) else {
                throw .invalid([FieldProblem(field: "orderNumber", reason: "Hồ sơ không có đơn bưu chính này.")])
            }
            guard update.status != .ordered, update.status.applies(to: shipment.direction) else {
                throw .invalid([FieldProblem(field: "type", reason: "Sự kiện không áp dụng cho đơn \(shipment.direction.vietnameseName.lowercased()).")])
            }
            if let known = shipment.waybill, let given = update.waybill, known != given {
                throw .invalid([FieldProblem(field: "waybill", reason: "Mã bưu gửi không khớp với đơn \(shipment.orderNumber).")])
            }
            let learnsWaybill = shipment.waybill == nil && update.waybill != nil
            // Statuses only move forward: a repeated or stale report has no effect.
            guard update.status.rank > shipment.status.rank || learnsWaybill else { return [] }
            var effective = update
            if update.status.rank <= shipment.status.rank { effective.status = shipment.status }
            event.kind = .postalUpdated
            event.postal = effective
            event.note = update.note
            if shipment.direction == .delivery, effective.status == .delivered, shipment.status != .delivered, dossier.status == .resultReady {
                var returned = DossierEvent(sequence: event.sequence + 1, kind: .returned, at: now, actor: actor, agencyID: dossier.currentAgencyID)
                returned.returnMethod = .post
                following.append(returned)
            }
        }
        if let due = event.dueAt {
            event.nearDueAt = try nearDueStart(dossier, due: due, context: context)
        }
        return stampSteps([event] + following, on: dossier, context: context)
    }

    /// The inter-agency hand-off that follows `event` (the receiving agency then receives it).
    static func handOff(_ dossier: Dossier, event: DossierEvent, to agencyID: String, note: String) -> DossierEvent {
        var next = DossierEvent(sequence: event.sequence + 1, kind: .sentToAgency, at: event.at, actor: event.actor, agencyID: dossier.currentAgencyID)
        next.fromAgencyID = dossier.currentAgencyID
        next.toAgencyID = agencyID
        next.note = note
        return next
    }

    /// A fee asked for and not paid yet: the post office may collect it on delivery (COD).
    static func unpaidFee(_ dossier: Dossier) -> Int {
        guard let payment = dossier.payment, payment.paidAt == nil else { return 0 }
        return payment.amount
    }

    /// Where the near-due window opens before `due`, for the dossier's term.
    static func nearDueStart(_ dossier: Dossier, due: Date, context: DecisionContext) throws(DomainError) -> Date {
        let calendar = context.calendar
        do {
            let term: Int64 = switch dossier.term {
            case let .workingDays(n): Int64(n) * calendar.workingDaySeconds
            case let .workingHours(n): Int64(n) * 3600
            case .calendarDays: try calendar.elapsed(from: dossier.receivedAt ?? context.now, to: due, pauses: dossier.pauses)
            }
            return try context.nearDue.opens(before: due, termSeconds: term, calendar: calendar)
        } catch {
            throw .invalid([FieldProblem(field: "dueAt", reason: error.vietnameseDescription)])
        }
    }

    /// The legal due time after the current pause ends at `resumeAt`: the dossier keeps the
    /// working time it had left.
    /// When a dossier waiting for supplementation since `requestedAt` is abandoned: `days` working
    /// days of its agency's calendar later (whatever the procedure's term counts in).
    public static func abandonment(requestedAt: Date, afterWorkingDays days: Int, calendar: WorkCalendar) throws(DomainError) -> Date {
        do {
            return try calendar.due(from: requestedAt, workingSeconds: Int64(days) * calendar.workingDaySeconds)
        } catch {
            throw .invalid([FieldProblem(field: "abandonAfterWorkingDays", reason: error.vietnameseDescription)])
        }
    }

    static func resumedDue(_ dossier: Dossier, resumeAt: Date, calendar: WorkCalendar) throws(DomainError) -> Date? {
        guard let receivedAt = dossier.receivedAt else { return nil }
        var pauses = dossier.pauses
        if let last = pauses.last, last.end == nil { pauses[pauses.count - 1].end = resumeAt }
        do {
            switch dossier.term {
            case .workingDays, .workingHours:
                let seconds: Int64 = switch dossier.term {
                case let .workingDays(n): Int64(n) * calendar.workingDaySeconds
                case let .workingHours(n): Int64(n) * 3600
                case .calendarDays: 0
                }
                return try calendar.due(from: receivedAt, workingSeconds: seconds, pauses: pauses)
            case let .calendarDays(n):
                let paused = pauses.reduce(0.0) { $0 + (($1.end ?? resumeAt).timeIntervalSince($1.start)) }
                return try calendar.dueInCalendarDays(from: receivedAt.addingTimeInterval(paused), days: n)
            }
        } catch {
            throw .invalid([FieldProblem(field: "dueAt", reason: error.vietnameseDescription)])
        }
    }

    /// Early when finished on an earlier local day than the due time, on time up to the due
    /// time, late after it, and late whenever an apology was issued.
    static func outcome(of dossier: Dossier, finishedAt: Date, calendar: WorkCalendar) -> Outcome {
        guard let due = dossier.dueAt else { return .onTime }
        if dossier.apology != nil || finishedAt > due { return .late }
        return WorkCalendar.localDate(of: finishedAt) < WorkCalendar.localDate(of: due) ? .early : .onTime
    }

    // MARK: evolve

    /// Applies one event to the dossier.
    public static func evolve(_ dossier: Dossier, _ event: DossierEvent) -> Dossier {
        var d = dossier
        d.version = event.sequence
        d.updatedAt = event.at
        if event.step != nil, let due = event.stepDueAt { d.stepDueAt = due }
        switch event.kind {
        case .created:
            if let filed = event.dossier {
                d = filed
                d.version = event.sequence
            }
        case .received:
            d.status = .received
            d.receivedAt = event.at
            d.dueAt = event.dueAt
            d.nearDueAt = event.nearDueAt
            d.missingItems = []
        case .supplementationRequested:
            if d.status == .submitted {
                d.intakeSupplementations += 1
            } else {
                d.processingSupplementations += 1
                d.pauses.append(Pause(start: event.at, end: nil))
            }
            d.statusBeforePause = d.status
            d.status = .supplementation
            d.missingItems = event.items ?? []
        case .supplementationReceived:
            closePause(&d, at: event.at)
            d.status = d.statusBeforePause ?? .submitted
            d.statusBeforePause = nil
            d.missingItems = []
            if let due = event.dueAt { d.dueAt = due }
            if let near = event.nearDueAt { d.nearDueAt = near }
            if let files = event.files { d.files = (d.files ?? []) + files }
        case .refused:
            d.status = .refused
            d.closingReason = event.reason
            d.closedAt = event.at
            closePause(&d, at: event.at)
        case .transferred:
            d.status = .processing
            d.departmentID = event.departmentID
        case .assigned:
            d.handlerID = event.handlerID
            d.handlerName = event.handlerName
            if let department = event.departmentID { d.departmentID = department }
        case .sentToAgency:
            d.pendingAgencyID = event.toAgencyID
            if let to = event.toAgencyID, !d.agencyTrail.contains(to) { d.agencyTrail.append(to) }
        case .receivedFromAgency, .inherited:
            if let to = event.toAgencyID {
                d.currentAgencyID = to
                if !d.agencyTrail.contains(to) { d.agencyTrail.append(to) }
            }
            d.pendingAgencyID = nil
            d.departmentID = nil
            d.handlerID = nil
            d.handlerName = nil
        case .feeRequested:
            d.feeAmount = event.amount
            d.payment = Payment(reference: event.paymentReference, amount: event.amount ?? 0, requestedAt: event.at, paidAt: nil, online: nil)
            d.statusBeforePause = d.status
            d.status = .awaitingFee
            d.pauses.append(Pause(start: event.at, end: nil))
        case .feePaid:
            d.payment?.paidAt = event.at
            d.payment?.online = event.online ?? false
            closePause(&d, at: event.at)
            d.status = d.statusBeforePause ?? .processing
            d.statusBeforePause = nil
            if let due = event.dueAt { d.dueAt = due }
            if let near = event.nearDueAt { d.nearDueAt = near }
        case .approved:
            d.status = .approved
            d.approvedAt = event.at
            if let file = event.resultFile { d.resultFile = file }
        case .resultReady:
            d.status = .resultReady
            d.resultReadyAt = event.at
            d.outcome = event.outcome
            d.processingSeconds = event.workingSeconds
        case .returned:
            d.status = .returned
            d.returnedAt = event.at
            if let method = event.returnMethod { d.returnMethod = method }
        case .apologized:
            if let due = event.dueAt {
                d.apology = Apology(at: event.at, reason: event.reason ?? "", newDueAt: due, by: event.actor.name)
                d.nearDueAt = event.nearDueAt
            }
        case .withdrawn:
            d.status = .withdrawn
            d.closingReason = event.reason
            d.closedAt = event.at
            closePause(&d, at: event.at)
        case .stopped:
            d.status = .stopped
            d.closingReason = event.reason
            d.closedAt = event.at
            closePause(&d, at: event.at)
        case .rated:
            d.rating = event.score.map { Rating(score: $0, comment: event.comment, at: event.at) }
        case .postalOrdered:
            if let shipment = event.shipment {
                d.shipments = (d.shipments ?? []) + [shipment]
                d.postalAddress = shipment.address
            }
        case .postalUpdated:
            if let update = event.postal, let index = d.shipments?.firstIndex(where: { $0.orderNumber == update.orderNumber }) {
                var shipment = d.shipments![index]
                if update.status.rank > shipment.status.rank { shipment.status = update.status }
                if shipment.waybill == nil { shipment.waybill = update.waybill }
                shipment.updatedAt = update.at
                if let note = update.note { shipment.note = note }
                d.shipments![index] = shipment
            }
        }
        return d
    }

    static func closePause(_ d: inout Dossier, at: Date) {
        if let last = d.pauses.last, last.end == nil { d.pauses[d.pauses.count - 1].end = at }
    }

    /// The hand-off that moves an open dossier of a merged or dissolved agency to its successor
    /// (`from` → `to`); nothing for a dossier that is closed or held elsewhere.
    public static func inherit(_ dossier: Dossier, from: String, to: String, actor: Actor, at: Date) -> [DossierEvent] {
        guard !dossier.status.isFinal, dossier.currentAgencyID == from, from != to else { return [] }
        var event = DossierEvent(sequence: dossier.version + 1, kind: .inherited, at: at, actor: actor, agencyID: to)
        event.fromAgencyID = from
        event.toAgencyID = to
        event.note = "Cơ quan \(from) hợp nhất vào \(to)"
        return [event]
    }

    /// Replays a history from nothing.
    public static func replay(_ events: [DossierEvent]) -> Dossier? {
        guard let first = events.first, first.kind == .created, let filed = first.dossier else { return nil }
        return events.dropFirst().reduce(evolve(filed, first)) { evolve($0, $1) }
    }
}

import ArgumentParser
import Foundation
import MotCuaAPI
import MotCuaCore

/// Sends one lifecycle command (its request body typed as the contract has it) and prints where
/// the dossier stands after it.
func act(_ code: String, _ endpoint: String, _ body: some Encodable = EmptyRequest(), options: ClientOptions) async throws {
    let client = try APIClient.fromSession()
    try report(try await client.send("POST", "/api/v1/dossiers/\(code)/\(endpoint)", encodable: body), client: client, options: options)
}

func report(_ reply: APIClient.Reply, client: APIClient, options: ClientOptions) throws {
    if options.json { return printJSON(reply.body) }
    let d = try reply.decoded(DossierView.self, server: client.server)
    var line = "\(d.code): \(d.nationalStatus.name)"
    if !d.status.isFinal, let due = d.appointmentAt { line += " – " + L("hẹn trả", "due") + " " + shortTime(due) }
    say(line)
}

/// The dossier code every action takes.
struct CodeArgument: ParsableArguments {
    @Argument(help: ArgumentHelp(L("Mã hồ sơ.", "Dossier code."))) var code: String
}

struct ReceiveCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration { .init(commandName: "receive", abstract: L("Tiếp nhận hồ sơ nộp trực tuyến/bưu chính (bắt đầu tính hạn).", "Receive an online or postal dossier (its clock starts).")) }
    @OptionGroup var target: CodeArgument
    @OptionGroup var options: ClientOptions
    func run() async throws { try await act(target.code, "receive", options: options) }
}

struct SupplementCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration { .init(commandName: "supplement", abstract: L("Yêu cầu bổ sung, hoàn thiện hồ sơ (một lần; tạm dừng tính hạn).", "Ask for supplementation (once; pauses the clock).")) }
    @OptionGroup var target: CodeArgument
    @Option(name: .customLong("item"), help: ArgumentHelp(L("Giấy tờ cần bổ sung (lặp lại cho từng mục).", "A missing item (repeat for each)."))) var items: [String] = []
    @Option(name: .long, help: ArgumentHelp(L("Lý do.", "Reason."))) var reason: String
    @OptionGroup var options: ClientOptions
    func run() async throws { try await act(target.code, "request-supplementation", SupplementationRequest(items: items, reason: reason), options: options) }
}

struct SupplementedCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration { .init(commandName: "supplemented", abstract: L("Đã nhận đủ hồ sơ bổ sung (tiếp tục tính hạn).", "The supplementation arrived (the clock resumes).")) }
    @OptionGroup var target: CodeArgument
    @Option(name: .long, help: ArgumentHelp(L("Ghi chú.", "Note."))) var note: String?
    @OptionGroup var options: ClientOptions
    func run() async throws { try await act(target.code, "supplementation-received", NoteRequest(note: note), options: options) }
}

struct RefuseCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration { .init(commandName: "refuse", abstract: L("Từ chối tiếp nhận, giải quyết (mẫu 03).", "Refuse (form 03).")) }
    @OptionGroup var target: CodeArgument
    @Option(name: .long, help: ArgumentHelp(L("Lý do.", "Reason."))) var reason: String
    @OptionGroup var options: ClientOptions
    func run() async throws { try await act(target.code, "refuse", ReasonRequest(reason: reason), options: options) }
}

struct TransferCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration { .init(commandName: "transfer", abstract: L("Chuyển hồ sơ đến phòng chuyên môn.", "Pass the dossier to a department.")) }
    @OptionGroup var target: CodeArgument
    @Option(name: .long, help: ArgumentHelp(L("Mã phòng chuyên môn.", "Department id."))) var department: String
    @OptionGroup var options: ClientOptions
    func run() async throws { try await act(target.code, "transfer", TransferRequest(departmentID: department), options: options) }
}

struct AssignCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration { .init(commandName: "assign", abstract: L("Phân công người thụ lý (lãnh đạo).", "Assign a handler (leaders).")) }
    @OptionGroup var target: CodeArgument
    @Option(name: .long, help: ArgumentHelp(L("Mã cán bộ thụ lý.", "Handler's officer id."))) var handler: String
    @OptionGroup var options: ClientOptions
    func run() async throws { try await act(target.code, "assign", AssignRequest(handlerID: handler), options: options) }
}

struct SendCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration { .init(commandName: "send", abstract: L("Chuyển liên thông sang cơ quan khác.", "Send to another agency.")) }
    @OptionGroup var target: CodeArgument
    @Option(name: .long, help: ArgumentHelp(L("Mã cơ quan nhận.", "Receiving agency id."))) var agency: String
    @Option(name: .long, help: ArgumentHelp(L("Ghi chú.", "Note."))) var note: String?
    @OptionGroup var options: ClientOptions
    func run() async throws {
        try await act(target.code, "send", SendRequest(agencyID: agency, note: note), options: options)
    }
}

struct ReceiveTransferCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration { .init(commandName: "receive-transfer", abstract: L("Nhận hồ sơ liên thông từ cơ quan khác.", "Receive a dossier sent by another agency.")) }
    @OptionGroup var target: CodeArgument
    @OptionGroup var options: ClientOptions
    func run() async throws { try await act(target.code, "receive-transfer", options: options) }
}

struct FeeCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration { .init(commandName: "fee", abstract: L("Yêu cầu nộp phí, lệ phí (tạm dừng tính hạn).", "Request the fee (pauses the clock).")) }
    @OptionGroup var target: CodeArgument
    @Option(name: .long, help: ArgumentHelp(L("Số tiền (đồng).", "Amount (VND)."))) var amount: Int
    @OptionGroup var options: ClientOptions
    func run() async throws { try await act(target.code, "request-fee", FeeRequest(amount: amount), options: options) }
}

struct FeePaidCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration { .init(commandName: "fee-paid", abstract: L("Đã nộp phí tại bộ phận một cửa.", "The fee was paid at the desk.")) }
    @OptionGroup var target: CodeArgument
    @OptionGroup var options: ClientOptions
    func run() async throws { try await act(target.code, "fee-paid", options: options) }
}

struct ApproveCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration { .init(commandName: "approve", abstract: L("Phê duyệt kết quả (lãnh đạo).", "Approve (leaders).")) }
    @OptionGroup var target: CodeArgument
    @Option(name: .long, help: ArgumentHelp(L("Ghi chú.", "Note."))) var note: String?
    @Option(name: .long, help: ArgumentHelp(L("Tệp kết quả điện tử (PDF, JPEG, PNG); bắt buộc khi trả kết quả điện tử.", "The electronic result (PDF, JPEG, PNG); required for an electronic return.")))
    var result: String?
    @OptionGroup var options: ClientOptions
    func run() async throws {
        guard let result else { return try await act(target.code, "approve", NoteRequest(note: note), options: options) }
        let client = try APIClient.fromSession()
        let reply = try await client.upload(
            "/api/v1/dossiers/\(target.code)/approve", fields: note.map { ["note": $0] } ?? [:],
            file: ("result", URL(fileURLWithPath: result)))
        try report(reply, client: client, options: options)
    }
}

struct ReadyCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration { .init(commandName: "ready", abstract: L("Đã có kết quả, chờ trả.", "The result is ready.")) }
    @OptionGroup var target: CodeArgument
    @OptionGroup var options: ClientOptions
    func run() async throws { try await act(target.code, "ready", options: options) }
}

struct ReturnCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration { .init(commandName: "return", abstract: L("Trả kết quả cho người nộp.", "Return the result.")) }
    @OptionGroup var target: CodeArgument
    @Option(name: .long, help: ArgumentHelp(L("Cách trả: desk, post, electronic.", "How: desk, post, electronic."))) var method = "desk"
    @OptionGroup var options: ClientOptions
    func run() async throws {
        guard let way = ReturnMethod(rawValue: method) else {
            throw UserError.input(L("Cách trả phải là desk, post hoặc electronic.", "The method must be desk, post or electronic."))
        }
        try await act(target.code, "return", ReturnRequest(method: way), options: options)
    }
}

struct ApologizeCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration { .init(commandName: "apologize", abstract: L("Lập phiếu xin lỗi và hẹn lại ngày trả (mẫu 04; một lần).", "Apologise with a new appointment (form 04; once).")) }
    @OptionGroup var target: CodeArgument
    @Option(name: .long, help: ArgumentHelp(L("Lý do chậm.", "Reason for the delay."))) var reason: String
    @Option(name: .customLong("new-due"), help: ArgumentHelp(L("Ngày giờ hẹn mới, ví dụ 2026-03-13T16:00:00+07:00.", "New appointment, e.g. 2026-03-13T16:00:00+07:00."))) var newDue: String
    @OptionGroup var options: ClientOptions
    func run() async throws {
        guard let due = WorkCalendar.parse(newDue) else {
            throw UserError.input(L(
                "Ngày giờ hẹn mới không hợp lệ: \(newDue); ví dụ 2026-03-13T16:00:00+07:00.",
                "Invalid new appointment: \(newDue); e.g. 2026-03-13T16:00:00+07:00."))
        }
        try await act(target.code, "apologize", ApologyRequest(reason: reason, newDueAt: due), options: options)
    }
}

struct WithdrawCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration { .init(commandName: "withdraw", abstract: L("Rút hồ sơ theo yêu cầu người nộp.", "Withdraw at the applicant's request.")) }
    @OptionGroup var target: CodeArgument
    @Option(name: .long, help: ArgumentHelp(L("Lý do.", "Reason."))) var reason: String
    @OptionGroup var options: ClientOptions
    func run() async throws { try await act(target.code, "withdraw", ReasonRequest(reason: reason), options: options) }
}

struct StopCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration { .init(commandName: "stop", abstract: L("Dừng xử lý hồ sơ (lãnh đạo).", "Stop processing (leaders).")) }
    @OptionGroup var target: CodeArgument
    @Option(name: .long, help: ArgumentHelp(L("Lý do.", "Reason."))) var reason: String
    @OptionGroup var options: ClientOptions
    func run() async throws { try await act(target.code, "stop", ReasonRequest(reason: reason), options: options) }
}

import ArgumentParser
import Foundation
import MotCuaAPI
import MotCuaCore

/// `motcua intake`: guided desk intake. Every step can be given as a flag (for scripts); what is
/// missing is asked step by step, each answer checked as it is typed. Nothing is sent before the
/// last confirmation, so Ctrl-C (or Ctrl-D) at any step leaves nothing half-written.
struct IntakeCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "intake",
            abstract: L("Tiếp nhận hồ sơ tại bộ phận một cửa, từng bước.", "Desk intake, step by step."),
            discussion: L(
                "Thiếu bước nào thì hỏi bước đó. Hồ sơ đủ: in giấy tiếp nhận (mẫu 01); thiếu giấy tờ: in phiếu yêu cầu bổ sung (mẫu 02).",
                "Asks for whatever the flags leave out. A complete dossier gets the receipt (form 01); missing papers get the supplementation request (form 02)."))
    }

    @Option(name: .long, help: ArgumentHelp(L("Mã thủ tục, ví dụ 1.001193.", "Procedure code, e.g. 1.001193."))) var procedure: String?
    @Option(name: .long, help: ArgumentHelp(L("Họ tên người nộp.", "Applicant's name."))) var name: String?
    @Option(name: .customLong("id-number"), help: ArgumentHelp(L("Số CCCD (12 chữ số).", "Citizen ID (12 digits)."))) var idNumber: String?
    @Option(name: .long, help: ArgumentHelp(L("Số điện thoại.", "Phone."))) var phone: String?
    @Option(name: .long, help: ArgumentHelp(L("Email (không bắt buộc).", "E-mail (optional)."))) var email: String?
    @Option(name: .long, help: ArgumentHelp(L("Địa chỉ.", "Address."))) var address: String?
    @Option(name: .long, help: ArgumentHelp(L("Số thứ tự các giấy tờ còn thiếu, ví dụ 2,5; 'none' nếu đủ.", "Numbers of the missing papers, e.g. 2,5; 'none' when complete."))) var missing: String?
    @Option(name: .customLong("not-applicable"), help: ArgumentHelp(L("Số thứ tự giấy tờ không áp dụng, ví dụ 1,3; 'none'.", "Numbers of the papers that do not apply, e.g. 1,3; 'none'."))) var notApplicable: String?
    @Option(name: .customLong("return"), help: ArgumentHelp(L("Nơi trả kết quả: desk, post, electronic.", "Where the result goes: desk, post, electronic."))) var returnMethod: String?
    @Option(name: .customLong("competent-agency"), help: ArgumentHelp(L("Tiếp nhận không phụ thuộc địa giới hành chính: mã cơ quan có thẩm quyền giải quyết (cùng tỉnh).", "Filing anywhere in the province: the competent agency's code (same province)."))) var competentAgency: String?
    @Option(name: .customLong("return-at"), help: ArgumentHelp(L("Với --competent-agency và trả tại Bộ phận Một cửa: mã cơ quan nơi trả kết quả (mặc định: nơi tiếp nhận).", "With --competent-agency and a desk return: the agency whose desk returns the result (default: the receiving one)."))) var returnAt: String?
    @Option(name: .customLong("scan"), help: ArgumentHelp(L("Bản quét giấy tờ số N: N=tệp (PDF, JPEG, PNG; lặp lại cho từng giấy tờ). Bắt buộc với --competent-agency.", "Scan of document N: N=file (PDF, JPEG, PNG; repeat per document). Required with --competent-agency."))) var scans: [String] = []
    @Option(name: .long, help: ArgumentHelp(L("Trả qua bưu điện: phường, xã nhận kết quả.", "Return by post: the ward or commune."))) var ward: String?
    @Option(name: .long, help: ArgumentHelp(L("Trả qua bưu điện: quận, huyện (nếu có).", "Return by post: the district (if any)."))) var district: String?
    @Option(name: .long, help: ArgumentHelp(L("Trả qua bưu điện: tỉnh, thành phố.", "Return by post: the province."))) var province: String?
    @Flag(name: .long, help: ArgumentHelp(L("Không hỏi xác nhận (cho script).", "Do not ask for confirmation (scripts)."))) var yes = false
    @OptionGroup var options: ClientOptions

    struct Cancelled: Error {}

    func prompt(_ text: String) throws -> String {
        guard let answer = Terminal.ask(text) else { throw Cancelled() }
        return answer.trimmingCharacters(in: .whitespaces)
    }

    /// Asks until `check` accepts the answer (it returns the reason when it does not).
    func ask(_ text: String, given: String?, check: (String) -> String?) throws -> String {
        if let given {
            if let reason = check(given) { throw UserError.input(reason) }
            return given
        }
        while true {
            let answer = try prompt(text)
            guard let reason = check(answer) else { return answer }
            say(Terminal.paint("  ✗ " + reason, .red))
        }
    }

    static func numbers(_ text: String, max: Int) -> [Int]? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed.isEmpty || trimmed == "none" || trimmed == "0" { return [] }
        let values = trimmed.split(whereSeparator: { $0 == "," || $0 == " " }).map { Int($0) }
        guard values.allSatisfy({ $0 != nil && (1...max).contains($0!) }) else { return nil }
        return Array(Set(values.compactMap { $0 })).sorted()
    }

    func run() async throws {
        do {
            try await guided()
        } catch is Cancelled {
            say("")
            throw UserError(message: L("Đã huỷ: chưa có gì được lưu.", "Cancelled: nothing was saved."), hint: nil, exitCode: 1)
        }
    }

    func guided() async throws {
        let client = try APIClient.fromSession()
        // With --json, standard output carries the answer alone.
        func info(_ text: String) { if !options.json { say(text) } }
        // 1. The procedure, found by part of its name (diacritics optional).
        var picked: ProcedureView?
        if let procedure {
            picked = try await client.call { try await $0.procedure(procedure) }
        }
        while picked == nil {
            let query = try prompt(L("Tìm thủ tục (gõ một phần tên, không cần dấu): ", "Find the procedure (part of its name, diacritics optional): "))
            guard !query.isEmpty else { continue }
            let found = try await client.call { try await $0.procedures(matching: query) }
            guard !found.isEmpty else { say(L("  Không thấy thủ tục nào; thử từ khác.", "  Nothing found; try other words.")); continue }
            for (index, item) in found.prefix(9).enumerated() {
                say("  \(index + 1). \(item.code)  \(Terminal.clip(item.name, 90))")
            }
            let pick = try prompt(L("Chọn số (Enter để tìm lại): ", "Pick a number (Enter to search again): "))
            if let number = Int(pick), (1...min(9, found.count)).contains(number) {
                let code = found[number - 1].code
                picked = try await client.call { try await $0.procedure(code) }
            }
        }
        guard let chosen = picked else { return }
        info(Terminal.paint("\(chosen.code) \(chosen.name) – \(chosen.term)", .bold))

        // 2. The applicant, each field checked as it is typed.
        let name = try ask(L("Họ tên: ", "Name: "), given: self.name) { $0.isEmpty ? L("Không được để trống.", "Required.") : ($0.count > 200 ? L("Dài quá 200 ký tự.", "Over 200 characters.") : nil) }
        let idNumber = try ask(L("Số CCCD: ", "Citizen ID: "), given: self.idNumber) {
            $0.count == 12 && $0.allSatisfy(\.isNumber) ? nil : L("Số CCCD phải gồm đúng 12 chữ số.", "The ID has exactly 12 digits.")
        }
        let phone = try ask(L("Số điện thoại: ", "Phone: "), given: self.phone) { text in
            let digits = text.hasPrefix("+84") ? "0" + text.dropFirst(3) : text
            return (10...11).contains(digits.count) && digits.hasPrefix("0") && digits.allSatisfy(\.isNumber)
                ? nil : L("Số điện thoại gồm 10–11 chữ số, bắt đầu bằng 0 hoặc +84.", "10–11 digits starting with 0 or +84.")
        }
        let email = try ask(L("Email (Enter nếu không có): ", "E-mail (Enter for none): "), given: self.email ?? (self.name != nil ? "" : nil)) {
            $0.isEmpty || ($0.split(separator: "@").count == 2 && $0.contains(".")) ? nil : L("Email không hợp lệ.", "Invalid e-mail.")
        }
        let address = try ask(L("Địa chỉ: ", "Address: "), given: self.address) { $0.isEmpty ? L("Không được để trống.", "Required.") : nil }

        // 3. The document checklist.
        let documents = chosen.documents ?? []
        info(L("Thành phần hồ sơ:", "Documents:"))
        for (index, document) in documents.enumerated() {
            info("  \(index + 1). \(Terminal.clip(document.name, 110)) [\(document.originals) \(L("chính", "orig."))/\(document.copies) \(L("sao", "copies"))]")
        }
        let count = max(1, documents.count)
        let notApplicableText = try ask(L("Giấy tờ KHÔNG áp dụng cho trường hợp này (số, Enter nếu không có): ", "Papers that do NOT apply (numbers, Enter for none): "),
                                        given: self.notApplicable) { Self.numbers($0, max: count) == nil ? L("Nhập các số trong danh sách, cách nhau bởi dấu phẩy.", "Numbers from the list, comma-separated.") : nil }
        let missingText = try ask(L("Giấy tờ CÒN THIẾU (số, Enter nếu đủ): ", "Papers MISSING (numbers, Enter when complete): "),
                                  given: self.missing) { Self.numbers($0, max: count) == nil ? L("Nhập các số trong danh sách, cách nhau bởi dấu phẩy.", "Numbers from the list, comma-separated.") : nil }
        let skipped = Set(Self.numbers(notApplicableText, max: count) ?? [])
        let missingNumbers = (Self.numbers(missingText, max: count) ?? []).filter { !skipped.contains($0) }

        // 4. Where the result goes.
        let allowed = ["desk"] + (chosen.postalReturn ? ["post"] : []) + (chosen.onlineLevel == 4 ? ["electronic"] : [])
        let method = try ask(L("Trả kết quả (\(allowed.joined(separator: "/")), Enter = desk): ", "Return (\(allowed.joined(separator: "/")), Enter = desk): "),
                             given: returnMethod ?? (yes ? "desk" : nil)) { answer in
            answer.isEmpty || allowed.contains(answer) ? nil : L("Chọn một trong: \(allowed.joined(separator: ", ")).", "One of: \(allowed.joined(separator: ", ")).")
        }

        var body = IntakeRequest(
            procedureCode: chosen.code,
            applicant: Applicant(name: name, idNumber: idNumber, phone: phone, email: email.isEmpty ? nil : email, address: address),
            documents: documents.enumerated().filter { !missingNumbers.contains($0.offset + 1) && !skipped.contains($0.offset + 1) }.map {
                ProvidedDocument(name: $0.element.name, originals: $0.element.originals, copies: $0.element.copies)
            },
            returnMethod: ReturnMethod(rawValue: method) ?? .desk,
            missingItems: missingNumbers.isEmpty ? nil : missingNumbers.map { documents[$0 - 1].name },
            notApplicable: skipped.sorted().map { documents[$0 - 1].name },
            competentAgencyID: competentAgency, returnAgencyID: returnAt)
        // 4b. Returned by post: where the post office delivers it (the applicant's data by default).
        if method == "post" {
            let required = { (text: String) -> String? in text.isEmpty ? L("Không được để trống.", "Required.") : (text.count > 200 ? L("Dài quá 200 ký tự.", "Over 200 characters.") : nil) }
            info(L("Địa chỉ nhận kết quả qua bưu điện:", "Where the post office delivers the result:"))
            let ward = try ask(L("  Phường, xã: ", "  Ward or commune: "), given: self.ward, check: required)
            let district = try ask(L("  Quận, huyện (Enter nếu không có): ", "  District (Enter for none): "), given: self.district ?? (self.ward != nil ? "" : nil)) { _ in nil }
            let province = try ask(L("  Tỉnh, thành phố: ", "  Province: "), given: self.province, check: required)
            body.postalAddress = PostalAddress(
                recipient: name, phone: phone, street: address, ward: ward, district: district.isEmpty ? nil : district, province: province)
        }

        // 5. Confirm, then the one write.
        if !yes {
            let summary = missingNumbers.isEmpty
                ? L("Hồ sơ đủ: lưu và in giấy tiếp nhận (mẫu 01)? [C/k] ", "Complete: save and print the receipt (form 01)? [Y/n] ")
                : L("Thiếu \(missingNumbers.count) giấy tờ: lập phiếu yêu cầu bổ sung (mẫu 02)? [C/k] ", "\(missingNumbers.count) missing: issue the supplementation request (form 02)? [Y/n] ")
            let answer = try prompt(summary).lowercased()
            guard answer.isEmpty || ["c", "có", "y", "yes"].contains(answer) else { throw Cancelled() }
        }
        let reply: APIClient.Reply
        if scans.isEmpty {
            reply = try await client.send("POST", "/api/v1/dossiers", encodable: body)
        } else {
            let files = try scans.map { scan -> (field: String, url: URL) in
                let parts = scan.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, let number = Int(parts[0]), (1...count).contains(number) else {
                    throw UserError.input(L("--scan phải có dạng N=tệp, N từ 1 đến \(count).", "--scan takes N=file, N from 1 to \(count)."))
                }
                return ("document-\(number)", URL(fileURLWithPath: String(parts[1])))
            }
            reply = try await client.upload(
                "/api/v1/dossiers", fields: [("intake", "application/json", try WireJSON.encode(body))], files: files)
        }
        if options.json { return printJSON(reply.body) }
        let receipt = try reply.decoded(IntakeReceipt.self, server: client.server)
        let code = receipt.code
        let form = missingNumbers.isEmpty ? "01" : "02"
        let html = try await client.send("GET", "/api/v1/dossiers/\(code)/forms/\(form)")
        let file = "mau-\(form)-\(code).html"
        try saveForm(html.body, to: file, code: code, form: form)
        let status = receipt.nationalStatus.name
        say("")
        say(Terminal.paint(missingNumbers.isEmpty ? L("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "RECEIPT AND APPOINTMENT") : L("PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "SUPPLEMENTATION REQUEST"), .bold))
        say("\(L("Mã hồ sơ", "Code")): \(code)   (\(status))")
        say("\(L("Người nộp", "Applicant")): \(name)")
        say("\(L("Thủ tục", "Procedure")): \(chosen.name)")
        if missingNumbers.isEmpty {
            say("\(L("Tiếp nhận", "Received")): \(shortTime(receipt.receivedAt))   \(L("Hẹn trả", "Due")): \(Terminal.paint(shortTime(receipt.appointmentAt), .bold))")
        } else {
            say(L("Cần bổ sung:", "Missing:"))
            for item in receipt.missingItems { say("  – \(item)") }
        }
        say("\(L("Mã bí mật tra cứu", "Access secret")): \(Terminal.paint(receipt.accessSecret, .bold))")
        say(L("Đã lưu phiếu in: \(file)", "Printable form saved: \(file)"))
    }
}

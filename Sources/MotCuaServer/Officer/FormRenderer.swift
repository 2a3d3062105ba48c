import Foundation
import MotCuaConfig
import MotCuaCore

/// The printable forms of a dossier, in the set of the circular in force when it was received
/// (`FormSettings`: TT 03/2025/TT-VPCP's seven, TT 01/2018/TT-VPCP's before 15/9/2025): receipt and
/// appointment, supplementation, refusal, apology, the notice that processing stopped, the
/// control sheet. Plain HTML with print CSS for A4; numbers and titles come from the
/// configuration. The tracking book is per desk and period (`TrackingBook`).
struct FormRenderer {
    let settings: FormSettings
    let agencies: AgencyTree
    let procedures: [String: Procedure]
    /// The dossier's access secret, printed on the receipt for online lookup.
    var accessSecret: String? = nil

    func render(form: String, dossier: Dossier, events: [DossierEvent]) throws -> String {
        let set = settings.set(at: dossier.receivedAt ?? dossier.submittedAt)
        guard let spec = set.forms[form] else {
            throw Problem.validation(
                field: "form",
                reason: "Mẫu phiếu '\(form.prefix(8))' không có trong bộ mẫu của \(set.name) (\(set.forms.keys.sorted().joined(separator: ", "))).")
        }
        let body: String
        switch spec.kind {
        case .receipt:
            guard let received = events.last(where: { $0.kind == .received }) else {
                throw Problem.typed(.invalidState, detail: "Hồ sơ chưa được tiếp nhận nên chưa có giấy tiếp nhận.")
            }
            body = receipt(dossier, received: received, events: events)
        case .supplementation:
            guard let request = events.last(where: { $0.kind == .supplementationRequested }) else {
                throw Problem.typed(.invalidState, detail: "Hồ sơ chưa có yêu cầu bổ sung, hoàn thiện.")
            }
            body = supplementation(dossier, request: request)
        case .refusal:
            guard let refusal = events.last(where: { $0.kind == .refused }) else {
                throw Problem.typed(.invalidState, detail: "Hồ sơ không bị từ chối.")
            }
            body = refusalForm(dossier, refusal: refusal)
        case .apology:
            guard let apology = events.last(where: { $0.kind == .apologized }) else {
                throw Problem.typed(.invalidState, detail: "Hồ sơ chưa có phiếu xin lỗi và hẹn lại.")
            }
            body = apologyForm(dossier, apology: apology)
        case .stopNotice:
            guard let stop = events.last(where: { $0.kind == .stopped }) else {
                throw Problem.typed(.invalidState, detail: "Hồ sơ không bị dừng giải quyết.")
            }
            body = stopNotice(dossier, stop: stop)
        case .controlSheet:
            body = controlSheet(dossier, events: events)
        case .trackingBook:
            throw Problem.validation(
                field: "form", reason: "Sổ theo dõi hồ sơ (mẫu \(spec.number)) lập theo bộ phận và kỳ, không theo từng hồ sơ: GET /api/v1/books.")
        }
        return page(spec: spec, set: set, dossier: dossier, content: body)
    }

    /// The forms' only style, inline; the Content-Security-Policy of the forms allows exactly
    /// this text by its hash (`SecurityHeaders`), and no other style or any script.
    static let styleSheet = """

        @page { size: A4; margin: 20mm 15mm 20mm 25mm; }
        body { font-family: "Times New Roman", Times, serif; font-size: 13pt; line-height: 1.4; max-width: 170mm; margin: 0 auto; color: #000; }
        .header { display: flex; justify-content: space-between; text-align: center; }
        .header div { width: 48%; }
        .form-no { text-align: right; font-style: italic; font-size: 11pt; }
        h1 { text-align: center; font-size: 14pt; text-transform: uppercase; margin: 16pt 0 4pt; }
        .code { text-align: center; margin-bottom: 12pt; }
        table { width: 100%; border-collapse: collapse; margin: 6pt 0; }
        th, td { border: 1px solid #000; padding: 3pt 5pt; vertical-align: top; font-size: 12pt; }
        .signatures { display: flex; justify-content: space-between; margin-top: 24pt; text-align: center; }
        .signatures div { width: 45%; min-height: 90pt; }
        @media print { .no-print { display: none; } }

        """

    func page(spec: FormSettings.Form, set: FormSettings.FormSet, dossier: Dossier, content: String) -> String {
        let agency = agencies.agencies[dossier.currentAgencyID]?.name ?? dossier.currentAgencyID
        return """
        <!DOCTYPE html>
        <html lang="vi">
        <head>
        <meta charset="utf-8">
        <title>\(e(spec.title)) – \(e(dossier.code))</title>
        <style>\(Self.styleSheet)</style>
        </head>
        <body>
        <p class="form-no">Mẫu số \(e(spec.number)) – \(e(set.name))</p>
        <div class="header">
        <div><strong>\(e(agency.uppercased()))</strong><br>BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ</div>
        <div><strong>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</strong><br><strong>Độc lập – Tự do – Hạnh phúc</strong></div>
        </div>
        <h1>\(e(spec.title))</h1>
        <p class="code">Mã hồ sơ: <strong>\(e(dossier.code))</strong></p>
        \(content)
        </body>
        </html>
        """
    }

    func applicantBlock(_ d: Dossier) -> String {
        """
        <p>Ông/Bà: <strong>\(e(d.applicant.name))</strong></p>
        <p>Số định danh cá nhân: \(e(d.applicant.idNumber))</p>
        <p>Địa chỉ: \(e(d.applicant.address))</p>
        <p>Số điện thoại: \(e(d.applicant.phone))\(d.applicant.email.map { " &nbsp; Email: \(e($0))" } ?? "")</p>
        <p>Nội dung yêu cầu giải quyết: <strong>\(e(d.procedureName))</strong> (mã thủ tục \(e(d.procedureCode)))</p>
        """
    }

    /// For a result returned electronically: how to check its signature, with the verification
    /// code once the result is signed (a receipt reprinted then carries it).
    func resultVerification(_ d: Dossier, events: [DossierEvent]) -> String {
        if let file = d.resultFile, events.contains(where: { $0.resultSignature?.sha256 == file.sha256 }) {
            let code = VerificationRoutes.verificationCode(sha256: file.sha256)
            return "<p>Kết quả điện tử đã được ký số. Mã xác thực: <strong>\(e(code))</strong> "
                + "(kiểm tra tại /api/v1/public/verify/\(e(code)))</p>"
        }
        guard d.returnMethod == .electronic else { return "" }
        return "<p>Kết quả điện tử sẽ được ký số; mã xác thực in trên trang kết quả, kiểm tra tại /api/v1/public/verify/MÃ-XÁC-THỰC.</p>"
    }

    func receipt(_ d: Dossier, received: DossierEvent, events: [DossierEvent]) -> String {
        let rows = d.documents.enumerated().map { index, doc in
            "<tr><td>\(index + 1)</td><td>\(e(doc.name))</td><td>\(doc.originals)</td><td>\(doc.copies)</td></tr>"
        }.joined(separator: "\n")
        let fee = procedures[d.procedureCode]?.fee
        let feeText = fee.map { $0.amount.map { "\(grouped($0)) đồng" } ?? $0.text } ?? "Không"
        let sequence = d.code.split(separator: "-").last.map(String.init) ?? d.code
        return """
        \(applicantBlock(d))
        <p>Thành phần hồ sơ nộp gồm:</p>
        <table>
        <tr><th>TT</th><th>Tên giấy tờ</th><th>Bản chính</th><th>Bản sao</th></tr>
        \(rows)
        </table>
        <p>Số lượng hồ sơ: 01 bộ</p>
        <p>Thời gian giải quyết hồ sơ theo quy định: \(e(d.term.description))</p>
        <p>Thời gian nhận hồ sơ: \(e(clock(received.at)))</p>
        <p>Thời gian trả kết quả giải quyết hồ sơ: <strong>\(e(d.appointmentAt.map(clock) ?? "—"))</strong></p>
        <p>Đăng ký nhận kết quả tại: \(e(d.returnMethod.vietnameseName))</p>
        \(accessSecret.map { "<p>Mã bí mật tra cứu hồ sơ trực tuyến: <strong>\(e($0))</strong> (dùng cùng mã hồ sơ; không cung cấp cho người khác)</p>" } ?? "")
        <p>Phí, lệ phí: \(e(feeText))</p>
        \(resultVerification(d, events: events))
        <p>Vào Sổ theo dõi hồ sơ, Quyển số: \(e(String(d.code.split(separator: "-").dropLast().last ?? ""))) &nbsp; Số thứ tự: \(e(sequence))</p>
        <div class="signatures">
        <div><strong>NGƯỜI NỘP HỒ SƠ</strong><br><em>(Ký và ghi rõ họ tên)</em><br><br><br>\(e(d.applicant.name))</div>
        <div><strong>NGƯỜI TIẾP NHẬN HỒ SƠ</strong><br><em>(Ký và ghi rõ họ tên)</em><br><br><br>\(e(received.actor.name))</div>
        </div>
        """
    }

    func supplementation(_ d: Dossier, request: DossierEvent) -> String {
        let items = (request.items ?? []).enumerated().map { "<li>\(e($1))</li>" }.joined(separator: "\n")
        return """
        \(applicantBlock(d))
        <p>Ngày \(e(clock(request.at))), sau khi kiểm tra, hồ sơ cần bổ sung, hoàn thiện các nội dung sau:</p>
        <ol>
        \(items)
        </ol>
        <p>Lý do: \(e(request.reason ?? ""))</p>
        <p>Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, ông/bà liên hệ \(e(request.actor.name)) để được hướng dẫn.</p>
        <div class="signatures">
        <div></div>
        <div><strong>NGƯỜI HƯỚNG DẪN</strong><br><em>(Ký và ghi rõ họ tên)</em><br><br><br>\(e(request.actor.name))</div>
        </div>
        """
    }

    func refusalForm(_ d: Dossier, refusal: DossierEvent) -> String {
        """
        \(applicantBlock(d))
        <p>Ngày \(e(clock(refusal.at))), cơ quan không tiếp nhận, giải quyết hồ sơ này với lý do:</p>
        <p><strong>\(e(refusal.reason ?? ""))</strong></p>
        <p>Xin thông báo để ông/bà được biết và thực hiện.</p>
        <div class="signatures">
        <div></div>
        <div><strong>NGƯỜI LẬP PHIẾU</strong><br><em>(Ký và ghi rõ họ tên)</em><br><br><br>\(e(refusal.actor.name))</div>
        </div>
        """
    }

    func apologyForm(_ d: Dossier, apology: DossierEvent) -> String {
        """
        \(applicantBlock(d))
        <p>Ngày \(e(d.receivedAt.map(clock) ?? "—")), cơ quan tiếp nhận hồ sơ của ông/bà, hẹn trả kết quả ngày \(e(d.dueAt.map(clock) ?? "—")).</p>
        <p>Tuy nhiên đến nay, cơ quan chưa trả kết quả giải quyết hồ sơ cho ông/bà đúng hẹn. Lý do: <strong>\(e(apology.reason ?? ""))</strong></p>
        <p>Sự chậm trễ này đã gây phiền hà cho ông/bà. Cơ quan xin lỗi ông/bà và hẹn trả kết quả vào ngày <strong>\(e(apology.dueAt.map(clock) ?? "—"))</strong>.</p>
        <p>Xin trân trọng cảm ơn!</p>
        <div class="signatures">
        <div></div>
        <div><strong>THỦ TRƯỞNG CƠ QUAN</strong><br><em>(Ký và ghi rõ họ tên)</em><br><br><br>\(e(apology.actor.name))</div>
        </div>
        """
    }

    /// Mẫu 05 (TT 03/2025): the notice that processing of the dossier has stopped, and why.
    func stopNotice(_ d: Dossier, stop: DossierEvent) -> String {
        let items = (stop.items ?? []).map { "<li>\(e($0))</li>" }.joined(separator: "\n")
        return """
        \(applicantBlock(d))
        <p>Lúc \(e(d.receivedAt.map(clock) ?? "—")), cơ quan tiếp nhận hồ sơ của ông/bà.</p>
        <p>Lúc \(e(clock(stop.at))), cơ quan dừng giải quyết hồ sơ với lý do: <strong>\(e(stop.reason ?? ""))</strong></p>
        \(items.isEmpty ? "" : "<p>Giấy tờ còn thiếu:</p>\n<ol>\n\(items)\n</ol>")
        <p>Xin thông báo để ông/bà được biết; ông/bà có thể nộp lại hồ sơ khi đủ điều kiện.</p>
        <div class="signatures">
        <div></div>
        <div><strong>THỦ TRƯỞNG CƠ QUAN</strong><br><em>(Ký và ghi rõ họ tên)</em><br><br><br>\(e(stop.actor.role == .system ? "" : stop.actor.name))</div>
        </div>
        """
    }

    /// Mẫu 06: the control sheet, one row per hand-off of the dossier: who gave it to whom, when,
    /// and on the row that ends a step, that step's outcome against its due time (early, on time
    /// or late; `Lifecycle.stepOutcomes`).
    func controlSheet(_ d: Dossier, events: [DossierEvent]) -> String {
        let outcomes = Lifecycle.stepOutcomes(events)
        let rows = events.filter { ![.created, .postalUpdated, .rated].contains($0.kind) }.enumerated().map { index, event in
            let agency = agencies.agencies[event.agencyID]?.name ?? event.agencyID
            let department = event.departmentID.map { id in agencies.agencies[event.agencyID]?.departments.first { $0.id == id }?.name ?? id }
            let receiver = [event.handlerName, event.toAgencyID.map { agencies.agencies[$0]?.name ?? $0 }, department]
                .compactMap { $0 }.first ?? (event.kind == .returned || event.kind == .received ? d.applicant.name : "")
            let outcome = outcomes[event.sequence].map { "\($0.step.vietnameseName): \($0.outcome.vietnameseName) (hạn \(clock($0.dueAt)))" } ?? ""
            let note = [event.note, event.reason].compactMap { $0 }.joined(separator: "; ")
            return "<tr><td>\(index + 1)</td><td>\(e(event.vietnameseTitle))</td><td>\(e(agency))</td><td>\(e(clock(event.at)))</td>"
                + "<td>\(e(event.actor.name))</td><td>\(e(receiver))</td><td>\(e(outcome))</td><td>\(e(note))</td></tr>"
        }.joined(separator: "\n")
        return """
        \(applicantBlock(d))
        <p>Thời gian nhận hồ sơ: \(e(d.receivedAt.map(clock) ?? "—")); thời gian trả kết quả: \(e(d.appointmentAt.map(clock) ?? "—"))</p>
        <table>
        <tr><th>TT</th><th>Bước</th><th>Cơ quan</th><th>Thời gian giao, nhận</th><th>Người giao</th><th>Người nhận</th><th>Kết quả</th><th>Ghi chú</th></tr>
        \(rows)
        </table>
        """
    }

    /// "15 giờ 30 phút, ngày 27/02/2026".
    func clock(_ date: Date) -> String { vietnameseTime(date) }

    func grouped(_ amount: Int) -> String { groupedAmount(amount) }
}

/// HTML-escapes text.
func e(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.count)
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(character)
        }
    }
    return out
}

/// "08 giờ 30 phút, ngày 27/02/2026": an instant as the forms and messages write it.
func vietnameseTime(_ date: Date) -> String {
    let iso = WorkCalendar.format(date)
    let local = WorkCalendar.localDate(of: date)
    let hour = iso.dropFirst(11).prefix(2), minute = iso.dropFirst(14).prefix(2)
    return "\(hour) giờ \(minute) phút, ngày \(local.vietnamese)"
}

/// 1234567 → "1.234.567" (Vietnamese thousands separator).
func groupedAmount(_ amount: Int) -> String {
    let digits = Array(String(amount))
    var out = ""
    for (index, digit) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { out.append(".") }
        out.append(digit)
    }
    return out
}

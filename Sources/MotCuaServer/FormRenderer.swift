import Foundation
import MotCuaConfig
import MotCuaCore

/// The printable forms of the desk (Thông tư 01/2018/TT-VPCP by default): 01 receipt and
/// appointment, 02 supplementation, 03 refusal, 04 apology and new appointment. Plain HTML with
/// print CSS for A4; numbers and titles come from the configuration.
struct FormRenderer {
    let settings: FormSettings
    let agencies: AgencyTree
    let procedures: [String: Procedure]
    /// The dossier's access secret, printed on the receipt for online lookup.
    var accessSecret: String? = nil

    func render(form: String, dossier: Dossier, events: [DossierEvent]) throws -> String {
        guard let spec = settings.forms[form] else {
            throw Problem.validation(field: "form", reason: "Mẫu phiếu '\(form.prefix(8))' không tồn tại (01, 02, 03, 04).")
        }
        let body: String
        switch form {
        case "01":
            guard let received = events.last(where: { $0.kind == .received }) else {
                throw Problem.typed(.invalidState, detail: "Hồ sơ chưa được tiếp nhận nên chưa có giấy tiếp nhận.")
            }
            body = receipt(dossier, received: received, events: events)
        case "02":
            guard let request = events.last(where: { $0.kind == .supplementationRequested }) else {
                throw Problem.typed(.invalidState, detail: "Hồ sơ chưa có yêu cầu bổ sung, hoàn thiện.")
            }
            body = supplementation(dossier, request: request)
        case "03":
            guard let refusal = events.last(where: { $0.kind == .refused }) else {
                throw Problem.typed(.invalidState, detail: "Hồ sơ không bị từ chối.")
            }
            body = refusalForm(dossier, refusal: refusal)
        case "04":
            guard let apology = events.last(where: { $0.kind == .apologized }) else {
                throw Problem.typed(.invalidState, detail: "Hồ sơ chưa có phiếu xin lỗi và hẹn lại.")
            }
            body = apologyForm(dossier, apology: apology)
        default:
            throw Problem.validation(field: "form", reason: "Mẫu phiếu '\(form.prefix(8))' chưa được hỗ trợ.")
        }
        return page(spec: spec, dossier: dossier, content: body)
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

    func page(spec: FormSettings.Form, dossier: Dossier, content: String) -> String {
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
        <p class="form-no">Mẫu số \(e(spec.number)) – \(e(settings.circular))</p>
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

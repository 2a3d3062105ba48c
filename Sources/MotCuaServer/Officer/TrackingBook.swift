import Foundation
import Hummingbird
import MotCuaConfig
import MotCuaCore
import MotCuaStore
import NIOCore

/// The tracking book (sổ theo dõi hồ sơ: mẫu 07 of TT 03/2025/TT-VPCP, 05 of TT 01/2018): one
/// row per dossier a desk received in a period, as printable A4 HTML or as CSV with a byte order
/// mark (so that spreadsheet programs read its Vietnamese as UTF-8).
///
/// `GET /api/v1/books?from=YYYY-MM-DD&to=YYYY-MM-DD[&format=csv]`: the officer's agency's desk,
/// submitted in [from, to] (local days), oldest first; at most `maxRows` (a longer period is
/// refused with a sentence saying so).
struct TrackingBook {
    static let maxRows = 50_000
    static let columns = [
        "STT", "Mã hồ sơ", "Tên thủ tục hành chính", "Số lượng hồ sơ", "Tên cá nhân, tổ chức", "Địa chỉ", "Số điện thoại",
        "Cơ quan chủ trì giải quyết", "Ngày, giờ nhận hồ sơ", "Ngày, giờ hẹn trả kết quả", "Chuyển hồ sơ đến cơ quan giải quyết",
        "Ngày có kết quả", "Ngày trả kết quả", "Trạng thái", "Ghi chú",
    ]

    let agencyName: String
    let form: FormSettings.Form?
    let set: FormSettings.FormSet
    let from: LocalDate
    let to: LocalDate
    let dossiers: [Dossier]
    let names: (String) -> String

    func cells(_ d: Dossier, index: Int) -> [String] {
        let handedTo = d.agencyTrail.dropFirst().map(names).joined(separator: "; ")
        return [
            String(index + 1), d.code, d.procedureName, "01", d.applicant.name, d.applicant.address, d.applicant.phone, names(d.currentAgencyID),
            d.receivedAt.map(vietnameseTime) ?? "", d.appointmentAt.map(vietnameseTime) ?? "", handedTo,
            d.resultReadyAt.map(vietnameseTime) ?? "", d.returnedAt.map(vietnameseTime) ?? "", d.status.vietnameseName, d.closingReason ?? "",
        ]
    }

    /// CSV (RFC 4180: CRLF, fields quoted when they hold a comma, a quote or a line break), with BOM.
    var csv: String {
        func field(_ text: String) -> String {
            // Scalars: "\r\n" is one Character, equal to neither "\n" nor "\r".
            text.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        let lines = [Self.columns] + dossiers.enumerated().map { cells($1, index: $0) }
        return "\u{FEFF}" + lines.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    var html: String {
        let head = Self.columns.map { "<th>\(e($0))</th>" }.joined()
        let rows = dossiers.enumerated().map { index, d in
            "<tr>" + cells(d, index: index).map { "<td>\(e($0))</td>" }.joined() + "</tr>"
        }.joined(separator: "\n")
        let title = form?.title ?? "Sổ theo dõi hồ sơ"
        return """
        <!DOCTYPE html>
        <html lang="vi">
        <head>
        <meta charset="utf-8">
        <title>\(e(title)) – \(e(agencyName))</title>
        <style>\(Self.styleSheet)</style>
        </head>
        <body>
        <p class="form-no">\(form.map { "Mẫu số \(e($0.number)) – " } ?? "")\(e(set.name))</p>
        <p><strong>\(e(agencyName.uppercased()))</strong><br>BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ</p>
        <h1>\(e(title))</h1>
        <p class="code">Từ ngày \(from.vietnamese) đến ngày \(to.vietnamese): \(dossiers.count) hồ sơ</p>
        <table>
        <tr>\(head)</tr>
        \(rows)
        </table>
        </body>
        </html>
        """
    }

    /// A4 landscape: the book is wide. Allowed by its hash in the Content-Security-Policy.
    static let styleSheet = """

        @page { size: A4 landscape; margin: 12mm; }
        body { font-family: "Times New Roman", Times, serif; font-size: 10pt; color: #000; }
        .form-no { text-align: right; font-style: italic; }
        h1 { text-align: center; font-size: 13pt; text-transform: uppercase; margin: 8pt 0 2pt; }
        .code { text-align: center; }
        table { width: 100%; border-collapse: collapse; }
        th, td { border: 1px solid #000; padding: 2pt 3pt; vertical-align: top; }

        """
}

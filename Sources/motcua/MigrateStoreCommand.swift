import ArgumentParser
import Foundation
import Logging
import MotCuaPostgres
import MotCuaStore

/// `motcua migrate-store`: a commune's SQLite database, moved up to a province's PostgreSQL.
struct MigrateStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-store",
        abstract: "Chép toàn bộ cơ sở dữ liệu SQLite sang một cơ sở dữ liệu PostgreSQL trống.",
        discussion: """
            Đọc một ảnh chụp nhất quán của tệp SQLite (máy chủ vẫn có thể đang chạy), chép từng bảng \
            bằng COPY trong một giao dịch duy nhất, rồi đối chiếu số dòng từng bảng và mã kiểm tra của \
            toàn bộ phiếu kiểm soát. Nếu có lỗi hoặc không khớp, cơ sở dữ liệu đích vẫn trống như trước. \
            Từ chối chép vào cơ sở dữ liệu đã có dữ liệu.
            """)

    @Option(name: .long, help: "Nguồn: sqlite:ĐƯỜNG-DẪN (hoặc đường dẫn tệp .sqlite).")
    var from: String

    @Option(name: .long, help: "Đích: postgres://người-dùng:mật-khẩu@máy:cổng/cơ-sở-dữ-liệu (trống).")
    var to: String

    @Option(name: .long, help: "Số dòng mỗi lần đọc (mặc định 20000).")
    var batch: Int = 20_000

    func validate() throws {
        guard (100...1_000_000).contains(batch) else { throw ValidationError("--batch phải từ 100 đến 1.000.000.") }
    }

    func run() async throws {
        let path = from.hasPrefix("sqlite:") ? String(from.dropFirst("sqlite:".count)) : from
        guard FileManager.default.fileExists(atPath: path) else {
            throw UserError(message: "Không có tệp SQLite \(path).", hint: "Ghi --from sqlite:ĐƯỜNG-DẪN tới tệp motcua.sqlite.", exitCode: 66)
        }
        let source: SQLiteStore
        do {
            source = try SQLiteStore(path: path)
        } catch {
            throw UserError(message: "Không mở được tệp SQLite \(path): \(error)", hint: "Kiểm tra đường dẫn và quyền đọc.", exitCode: 74)
        }
        var logger = Logger(label: "motcua.migrate-store")
        logger.logLevel = .warning
        let target: PostgresStore
        do {
            target = try await PostgresStore.connect(url: to, poolSize: 2, logger: logger)
        } catch let error as PostgresStoreError {
            throw UserError.postgres(error)
        }
        defer { target.close() }
        say("Chép \(path) → \(target.location)")
        let bars = CopyProgress()
        let report: StoreCopyReport
        do {
            report = try await target.copy(from: try source.copySource(), batchRows: batch) { table, done, total in
                bars.update(table: table, done: done, total: total)
            }
            bars.finish()
        } catch StoreCopyError.targetNotEmpty(let tables) {
            bars.finish()
            throw UserError(
                message: "Cơ sở dữ liệu đích đã có dữ liệu (\(tables.prefix(4).joined(separator: ", "))); không chép đè.",
                hint: "Tạo một cơ sở dữ liệu PostgreSQL trống (createdb) rồi chạy lại.", exitCode: 65)
        } catch StoreCopyError.refused(let reason) {
            bars.finish()
            throw UserError(
                message: "PostgreSQL từ chối một dòng của nguồn (\(reason)); đã hủy, cơ sở dữ liệu đích vẫn trống.",
                hint: "Tệp nguồn có dòng hỏng; xem bằng: sqlite3 TỆP 'PRAGMA foreign_key_check'.", exitCode: 65)
        } catch StoreCopyError.mismatch(let report) {
            bars.finish()
            printReport(report)
            throw UserError(message: "Bản sao không khớp với nguồn; đã hủy, cơ sở dữ liệu đích vẫn trống.", hint: nil, exitCode: 1)
        }
        printReport(report)
        // The copy is committed and checked; the planner's statistics follow (seconds at 10M).
        say("Cập nhật thống kê và bản đồ hiển thị cho PostgreSQL (VACUUM ANALYZE)…")
        try await target.vacuumCopiedTables()
        let dossiers = report.tables.first { $0.name == "dossiers" }?.target ?? 0
        let rate = report.seconds > 0 ? Int(Double(dossiers) / report.seconds) : dossiers
        say("Đã chép và đối chiếu xong trong \(String(format: "%.1f", report.seconds)) giây (\(rate) hồ sơ/giây, kèm phiếu kiểm soát).")
    }

    func printReport(_ report: StoreCopyReport) {
        let width = report.tables.map(\.name.count).max() ?? 10
        say("Bảng".padding(toLength: width + 2, withPad: " ", startingAt: 0) + "Nguồn        Đích         ")
        for table in report.tables {
            let mark = table.source == table.target ? "khớp" : "KHÔNG KHỚP"
            say(table.name.padding(toLength: width + 2, withPad: " ", startingAt: 0)
                + String(table.source).padding(toLength: 13, withPad: " ", startingAt: 0)
                + String(table.target).padding(toLength: 13, withPad: " ", startingAt: 0) + mark)
        }
        let mark = report.sourceChecksum == report.targetChecksum ? "khớp" : "KHÔNG KHỚP"
        say("Mã kiểm tra phiếu kiểm soát: nguồn \(report.sourceChecksum), đích \(report.targetChecksum) – \(mark)")
    }
}

/// One progress bar per table, on standard error.
final class CopyProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var bar: ProgressBar?
    private var table = ""

    func update(table: String, done: Int, total: Int) {
        lock.withLock {
            if table != self.table {
                bar?.finish()
                self.table = table
                let label = table == PostgresStore.indexesStep ? "chỉ mục và khóa" : table
                bar = total > 0 ? ProgressBar(total: total, label: label) : nil
            }
            bar?.update(done)
        }
    }

    func finish() {
        lock.withLock { bar?.finish() }
    }
}

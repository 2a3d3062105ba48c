import ArgumentParser
import Foundation
import Hummingbird
import Logging
import MotCuaSim

/// `signing-sim`: the remote signing service stand-in for local runs, demos and tests.
@main
struct SigningSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signing-sim",
        abstract: "Dịch vụ ký số từ xa giả lập: mỗi cơ quan một khóa ECDSA P-256, ký mã băm SHA-256 của kết quả điện tử.",
        discussion: """
            Đặt cho máy chủ MotCua: MOTCUA_SIGNING_MODE=remote, MOTCUA_SIGNING_URL=http://127.0.0.1:PORT \
            và MOTCUA_SIGNING_API_KEY giống --api-key. Đổi khóa của một cơ quan: POST /sim/rotate/{mã-cơ-quan}; \
            bật/tắt sự cố: POST /sim/outage?on=true|false; thống kê: GET /sim/stats.
            """)

    @Option(help: "Địa chỉ lắng nghe.") var host = "127.0.0.1"
    @Option(help: "Cổng lắng nghe.") var port = 8093
    @Option(name: .customLong("api-key"), help: "Khóa API MotCua phải gửi (Authorization: Bearer …); bỏ trống thì không kiểm tra.") var apiKey: String?

    func run() async throws {
        let sim = SigningSim(apiKey: apiKey)
        var logger = Logger(label: "signing-sim")
        logger.logLevel = .info
        let app = Application(router: sim.router(), configuration: .init(address: .hostname(host, port: port)), logger: logger)
        print("signing-sim đang ký tại http://\(host):\(port) (GET /keys/{cơ-quan}, POST /sign)")
        try await app.runService()
    }
}

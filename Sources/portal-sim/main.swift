import ArgumentParser
import Foundation
import Hummingbird
import Logging
import MotCuaSim

/// `portal-sim`: the national public-service portal (Cổng DVCQG) stand-in for local runs, demos and tests.
@main
struct PortalSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portal-sim",
        abstract: "Cổng Dịch vụ công quốc gia giả lập: nhận đồng bộ hồ sơ và tiến độ xử lý, giữ phiên bản của từng hồ sơ.",
        discussion: """
            Đặt cho máy chủ MotCua: MOTCUA_PORTAL_URL=http://127.0.0.1:PORT (và MOTCUA_PORTAL_API_KEY giống --api-key).
            Xem: GET /sim/stats, GET /sim/dossiers/{mã}; bật/tắt sự cố: POST /sim/outage?on=true|false.
            """)

    @Option(help: "Địa chỉ lắng nghe.") var host = "127.0.0.1"
    @Option(help: "Cổng lắng nghe.") var port = 8092
    @Option(name: .customLong("api-key"), help: "Khóa MotCua phải gửi (Authorization: Bearer …); bỏ trống thì không kiểm tra.") var apiKey: String?
    @Option(name: .customLong("fail-rate"), help: "Tỉ lệ thông điệp bị trả lỗi 503 (0–1).") var failRate = 0.0
    @Option(name: .customLong("latency-ms"), help: "Độ trễ thêm vào mọi câu trả lời (ms).") var latencyMilliseconds = 0
    @Option(name: .customLong("lost-rate"), help: "Tỉ lệ thông điệp được nhận nhưng câu trả lời bị giữ quá thời gian chờ (0–1).") var lostRate = 0.0
    @Option(name: .customLong("hang-ms"), help: "Thời gian giữ câu trả lời của các thông điệp --lost-rate (ms).") var hangMilliseconds = 15_000

    func validate() throws {
        for (value, flag) in [(failRate, "--fail-rate"), (lostRate, "--lost-rate")] where !(0...1).contains(value) {
            throw ValidationError("\(flag) phải từ 0 đến 1.")
        }
        guard latencyMilliseconds >= 0, hangMilliseconds >= 0 else { throw ValidationError("--latency-ms và --hang-ms không âm.") }
    }

    func run() async throws {
        var faults = PortalSim.Faults()
        faults.failRate = failRate
        faults.latency = .milliseconds(latencyMilliseconds)
        faults.lostRate = lostRate
        faults.hang = .milliseconds(hangMilliseconds)
        let sim = PortalSim(apiKey: apiKey, faults: faults)
        var logger = Logger(label: "portal-sim")
        logger.logLevel = .info
        let app = Application(router: sim.router(), configuration: .init(address: .hostname(host, port: port)), logger: logger)
        print("portal-sim đang nhận thông điệp tại http://\(host):\(port)/dossiers/sync và /dossiers/progress")
        try await app.runService()
    }
}

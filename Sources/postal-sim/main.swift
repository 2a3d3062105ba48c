import ArgumentParser
import Foundation
import Hummingbird
import Logging
import MotCuaSim

/// `postal-sim`: the post office (BCCI) partner stand-in for local runs, demos and tests.
@main
struct PostalSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postal-sim",
        abstract: "Bưu điện giả lập (BCCI): nhận đơn thu gom/chuyển phát, cấp mã bưu gửi và báo trạng thái qua webhook có ký.",
        discussion: """
            Đặt cho máy chủ MotCua: MOTCUA_POSTAL_URL=http://127.0.0.1:PORT và MOTCUA_POSTAL_WEBHOOK_SECRET giống --secret.
            Trạng thái giả lập: GET /sim/stats; bật/tắt sự cố mất kết nối: POST /sim/outage?on=true|false.
            """)

    @Option(help: "Địa chỉ lắng nghe.") var host = "127.0.0.1"
    @Option(help: "Cổng lắng nghe.") var port = 8091
    @Option(name: .customLong("webhook-url"), help: "Địa chỉ webhook của MotCua.") var webhookURL = "http://127.0.0.1:8080/postal/webhooks"
    @Option(help: "Khóa Standard Webhooks (whsec_…) để ký webhook; bỏ trống thì không gửi webhook.") var secret: String?
    @Option(name: .customLong("api-key"), help: "Khóa API MotCua phải gửi (Authorization: Bearer …); bỏ trống thì không kiểm tra.") var apiKey: String?
    @Option(name: .customLong("step-ms"), help: "Thời gian giữa hai sự kiện của một bưu gửi (ms).") var stepMilliseconds = 2000
    @Option(name: .customLong("fail-rate"), help: "Tỉ lệ đơn bị trả lỗi 503 (0–1).") var failRate = 0.0
    @Option(name: .customLong("latency-ms"), help: "Độ trễ thêm vào mọi câu trả lời (ms).") var latencyMilliseconds = 0
    @Option(name: .customLong("timeout-rate"), help: "Tỉ lệ đơn được nhận nhưng trả lời sau --hang-ms (quá thời gian chờ của MotCua).") var timeoutRate = 0.0
    @Option(name: .customLong("hang-ms"), help: "Thời gian giữ câu trả lời của các đơn --timeout-rate (ms).") var hangMilliseconds = 30_000
    @Option(name: .customLong("duplicate-rate"), help: "Tỉ lệ sự kiện webhook gửi hai lần (0–1).") var duplicateRate = 0.0
    @Option(name: .customLong("reorder-rate"), help: "Tỉ lệ bưu gửi có hai sự kiện cuối gửi sai thứ tự (0–1).") var reorderRate = 0.0
    @Option(name: .customLong("forge-rate"), help: "Tỉ lệ sự kiện kèm một bản giả mạo chữ ký sai (0–1).") var forgeRate = 0.0
    @Option(name: .customLong("delivery-failure-rate"), help: "Tỉ lệ phát kết quả không thành công rồi chuyển hoàn (0–1).") var deliveryFailureRate = 0.0

    func validate() throws {
        for (value, flag) in [(failRate, "--fail-rate"), (timeoutRate, "--timeout-rate"), (duplicateRate, "--duplicate-rate"),
                              (reorderRate, "--reorder-rate"), (forgeRate, "--forge-rate"), (deliveryFailureRate, "--delivery-failure-rate")]
        where !(0...1).contains(value) {
            throw ValidationError("\(flag) phải từ 0 đến 1.")
        }
        if let secret, !secret.hasPrefix("whsec_") { throw ValidationError("--secret phải bắt đầu bằng whsec_.") }
        guard URL(string: webhookURL)?.host != nil else { throw ValidationError("--webhook-url không phải địa chỉ http(s).") }
        guard stepMilliseconds > 0, latencyMilliseconds >= 0, hangMilliseconds >= 0 else {
            throw ValidationError("--step-ms phải dương; --latency-ms và --hang-ms không âm.")
        }
    }

    func run() async throws {
        var faults = PostalSim.Faults()
        faults.failRate = failRate
        faults.latency = .milliseconds(latencyMilliseconds)
        faults.timeoutRate = timeoutRate
        faults.hang = .milliseconds(hangMilliseconds)
        faults.duplicateRate = duplicateRate
        faults.reorderRate = reorderRate
        faults.forgeRate = forgeRate
        faults.deliveryFailureRate = deliveryFailureRate
        let sim = PostalSim(
            webhookURL: URL(string: webhookURL), secret: secret, apiKey: apiKey, faults: faults, step: .milliseconds(stepMilliseconds))
        var logger = Logger(label: "postal-sim")
        logger.logLevel = .info
        let app = Application(router: sim.router(), configuration: .init(address: .hostname(host, port: port)), logger: logger)
        print("postal-sim đang nhận đơn tại http://\(host):\(port)/orders; webhook gửi về \(webhookURL)")
        try await app.runService()
        sim.stop()
    }
}

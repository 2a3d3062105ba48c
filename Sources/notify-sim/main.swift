import ArgumentParser
import Foundation
import Hummingbird
import Logging
import MotCuaSim

/// `notify-sim`: the notification gateway stand-in for local runs and demos.
@main
struct NotifySim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify-sim",
        abstract: "Cổng tin nhắn giả lập (SMS/Zalo/email): nhận và ghi lại thông báo MotCua gửi đi.",
        discussion: "Đặt cho máy chủ: MOTCUA_NOTIFY_URL=http://127.0.0.1:PORT/messages và MOTCUA_NOTIFY_SECRET giống --secret.")

    @Option(help: "Địa chỉ lắng nghe.") var host = "127.0.0.1"
    @Option(help: "Cổng lắng nghe.") var port = 8090
    @Option(help: "Khóa Standard Webhooks (whsec_…) để kiểm tra chữ ký; bỏ trống thì không kiểm tra.") var secret: String?
    @Option(name: .customLong("fail-rate"), help: "Tỉ lệ yêu cầu trả lỗi 503 (0–1).") var failRate = 0.0
    @Option(name: .customLong("retry-after"), help: "Giá trị Retry-After (giây) kèm lỗi 503.") var retryAfter: Int?

    func validate() throws {
        guard (0...1).contains(failRate) else { throw ValidationError("--fail-rate phải từ 0 đến 1.") }
        if let secret, !secret.hasPrefix("whsec_") { throw ValidationError("--secret phải bắt đầu bằng whsec_.") }
    }

    func run() async throws {
        let sim = GatewaySim(secret: secret, failRate: failRate, retryAfter: retryAfter)
        var logger = Logger(label: "notify-sim")
        logger.logLevel = .info
        let app = Application(router: sim.router(), configuration: .init(address: .hostname(host, port: port)), logger: logger)
        print("notify-sim đang nhận thông báo tại http://\(host):\(port)/messages")
        try await app.runService()
    }
}

import ArgumentParser
import Foundation
import MotCuaAPI
import MotCuaCore

/// `motcua postal failed|retry|order`: the post office (BCCI) orders of the officer's agency.
struct PostalCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "postal",
            abstract: L("Đơn bưu chính công ích (BCCI): đơn gửi lỗi, gửi lại, đặt đơn mới.", "Post office (BCCI) orders: failed ones, retry, order again."),
            discussion: L(
                "Hồ sơ chờ bưu điện (đang thu gom, chờ chuyển phát, phát không thành công): motcua queue postal.",
                "Dossiers waiting on the post office (pick-ups, deliveries, failed deliveries): motcua queue postal."),
            subcommands: [PostalFailedCommand.self, PostalRetryCommand.self, PostalOrderCommand.self])
    }
}

struct PostalFailedCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "failed",
            abstract: L("Đơn gửi bưu điện bị lỗi (không gửi được hoặc bị từ chối) và lỗi cuối cùng.", "Orders the post office never took, with their last error."))
    }

    @Option(name: .long, help: ArgumentHelp(L("Trạng thái: dead (mặc định), pending, sent, cancelled, all.", "Status: dead (default), pending, sent, cancelled, all.")))
    var status = "dead"
    @OptionGroup var options: ClientOptions

    func validate() throws {
        guard ["dead", "pending", "sent", "cancelled", "all"].contains(status) else {
            throw ValidationError(L("--status chỉ nhận dead, pending, sent, cancelled hoặc all.", "--status takes dead, pending, sent, cancelled or all."))
        }
    }

    func run() async throws {
        let client = try APIClient.fromSession()
        let reply = try await client.send("GET", "/api/v1/postal/orders?status=\(status)")
        if options.json { return printJSON(reply.body) }
        let items = try reply.decoded(PostalOrderList.self, server: client.server).items
        if items.isEmpty {
            say(status == "dead"
                ? L("Không có đơn bưu chính nào bị lỗi.", "No failed postal orders.")
                : L("Không có đơn bưu chính nào.", "No postal orders."))
            return
        }
        say(Terminal.table(
            [L("Số đơn", "Order"), L("Chiều", "Direction"), L("Trạng thái", "Status"), L("Lần gửi", "Attempts"), L("Mã bưu gửi", "Waybill"), L("Lỗi cuối", "Last error")],
            items.map { item in
                [
                    item.id, Self.direction(item.direction.rawValue), Self.status(item.status),
                    "\(item.attempts)", item.waybill ?? "—", Terminal.clip(item.lastError ?? "", 50),
                ]
            },
            colour: { items[$0].status == "dead" ? .red : nil }))
        if status == "dead" { say(L("Gửi lại: motcua postal retry SỐ-ĐƠN", "Retry: motcua postal retry ORDER")) }
    }

    static func direction(_ raw: String?) -> String {
        raw == "pickup" ? L("Thu gom hồ sơ", "Pick-up") : L("Chuyển phát kết quả", "Delivery")
    }

    static func status(_ raw: String?) -> String {
        switch raw {
        case "dead": L("Lỗi", "Failed")
        case "pending": L("Chờ gửi", "Pending")
        case "sent": L("Đã gửi", "Sent")
        case "cancelled": L("Đã hủy", "Cancelled")
        default: raw ?? ""
        }
    }
}

struct PostalRetryCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "retry", abstract: L("Gửi lại đơn bưu chính bị lỗi.", "Send a failed postal order again."))
    }

    @Argument(help: ArgumentHelp(L("Số đơn (xem motcua postal failed), có thể nhiều số.", "Order numbers (see motcua postal failed)."))) var orders: [String]
    @OptionGroup var options: ClientOptions

    func validate() throws {
        guard !orders.isEmpty else { throw ValidationError(L("Cần ít nhất một số đơn.", "Give at least one order number.")) }
    }

    func run() async throws {
        let client = try APIClient.fromSession()
        for order in orders {
            let encoded = order.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? order
            let reply = try await client.send("POST", "/api/v1/postal/orders/\(encoded)/retry", encodable: EmptyRequest())
            if options.json { printJSON(reply.body); continue }
            say(L("Đã đưa đơn \(order) vào hàng đợi gửi lại.", "Order \(order) is queued again."))
        }
    }
}

struct PostalOrderCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "order",
            abstract: L("Đặt đơn mới: thu gom hồ sơ hoặc chuyển phát kết quả (sau khi đơn trước không thành công).",
                        "Order again: a pick-up or a delivery (after the last one failed)."))
    }

    @OptionGroup var target: CodeArgument
    @Option(name: .long, help: ArgumentHelp(L("pickup (thu gom hồ sơ) hoặc delivery (chuyển phát kết quả).", "pickup (the dossier) or delivery (the result).")))
    var direction = "delivery"
    @Option(name: .long, help: ArgumentHelp(L("Người nhận (địa chỉ mới).", "Recipient (new address)."))) var recipient: String?
    @Option(name: .long, help: ArgumentHelp(L("Điện thoại người nhận.", "Recipient's phone."))) var phone: String?
    @Option(name: .long, help: ArgumentHelp(L("Số nhà, đường, thôn.", "House number, street."))) var street: String?
    @Option(name: .long, help: ArgumentHelp(L("Phường, xã.", "Ward or commune."))) var ward: String?
    @Option(name: .long, help: ArgumentHelp(L("Quận, huyện (nếu có).", "District (if any)."))) var district: String?
    @Option(name: .long, help: ArgumentHelp(L("Tỉnh, thành phố.", "Province."))) var province: String?
    @OptionGroup var options: ClientOptions

    func validate() throws {
        guard ["pickup", "delivery"].contains(direction) else {
            throw ValidationError(L("--direction chỉ nhận pickup hoặc delivery.", "--direction takes pickup or delivery."))
        }
        let parts = [recipient, phone, street, ward, province]
        guard parts.allSatisfy({ $0 == nil }) || parts.allSatisfy({ $0 != nil }) else {
            throw ValidationError(L(
                "Địa chỉ mới cần đủ --recipient, --phone, --street, --ward và --province.",
                "A new address needs --recipient, --phone, --street, --ward and --province."))
        }
    }

    func run() async throws {
        var address: PostalAddress?
        if let recipient, let phone, let street, let ward, let province {
            address = PostalAddress(recipient: recipient, phone: phone, street: street, ward: ward, district: district, province: province)
        }
        let body = PostalOrderCommandRequest(direction: PostalDirection(rawValue: direction) ?? .delivery, postalAddress: address)
        let client = try APIClient.fromSession()
        let reply = try await client.send("POST", "/api/v1/dossiers/\(target.code)/postal-order", encodable: body)
        if options.json { return printJSON(reply.body) }
        let latest = try reply.decoded(DossierView.self, server: client.server).shipments?.last { $0.direction.rawValue == direction }
        say(L("Đã đặt đơn \(latest?.orderNumber ?? "") cho hồ sơ \(target.code).", "Placed order \(latest?.orderNumber ?? "") for \(target.code)."))
    }
}

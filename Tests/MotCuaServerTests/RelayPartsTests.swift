import Foundation
import MotCuaStore
import Testing
@testable import MotCuaServer

/// The relay's small parts: what a partner's refusal is shortened to for the dead-letter list,
/// how long a message was tried, and the pacing of sends.
@Suite("Outbox relay parts")
struct RelayPartsTests {
    typealias Relay = OutboxRelay<PostalPartner>

    @Test("A partner's refusal: its problem's detail, else its title, else its error field, else the text itself")
    func details() {
        #expect(Relay.detail(Data(#"{"type":"about:blank","title":"Đơn không hợp lệ","detail":"receiver.phone: số điện thoại không hợp lệ"}"#.utf8))
            == ": receiver.phone: số điện thoại không hợp lệ")
        #expect(Relay.detail(Data(#"{"title":"Hệ thống bưu chính tạm ngừng","status":503}"#.utf8)) == ": Hệ thống bưu chính tạm ngừng")
        #expect(Relay.detail(Data(#"{"error":"invalid_api_key"}"#.utf8)) == ": invalid_api_key")
        #expect(Relay.detail(Data("<html>Bad Gateway</html>".utf8)) == ": <html>Bad Gateway</html>")
        #expect(Relay.detail(Data(#"{"code":17}"#.utf8)) == #": {"code":17}"#, "JSON that says nothing is kept as it came")
        #expect(Relay.detail(Data()) == "")
        let long = String(repeating: "x", count: 1000)
        #expect(Relay.detail(Data(#"{"detail":"\#(long)"}"#.utf8)).count == 302, "shortened to 300 characters")
        #expect(Relay.detail(Data(long.utf8)).count == 302)
    }

    @Test("How long a message was tried, as the dead letter says it")
    func durations() {
        #expect(DeliveryOutcome.duration(12) == "12 s")
        #expect(DeliveryOutcome.duration(59.9) == "59 s")
        #expect(DeliveryOutcome.duration(60) == "1 min")
        #expect(DeliveryOutcome.duration(3_599) == "59 min")
        #expect(DeliveryOutcome.duration(3_600) == "1.0 h")
        #expect(DeliveryOutcome.duration(86_400 + 1_800) == "24.5 h")
    }

    @Test("Jitter keeps each delay between half the backoff and the backoff, and never below Retry-After")
    func jitter() {
        let since = Date(timeIntervalSince1970: 1_800_000_000)
        var delays: Set<Int> = []
        for _ in 0..<200 {
            guard case let .retry(at, _) = DeliveryOutcome.next(
                after: 3, since: since, retryHours: 24, backoff: 2, maxBackoff: 600, retryAfter: nil, error: "HTTP 503", now: since)
            else { Issue.record("not retried"); return }
            let delay = at.timeIntervalSince(since)
            #expect(delay >= 8 && delay <= 16)
            delays.insert(Int(delay * 10))
        }
        #expect(delays.count > 10, "delays spread, so that relays of several instances do not retry in step")
        // Retry-After above the backoff wins, but not past the cap.
        guard case let .retry(late, _) = DeliveryOutcome.next(
            after: 0, since: since, retryHours: 24, backoff: 2, maxBackoff: 60, retryAfter: 3_600, error: "HTTP 429", now: since)
        else { Issue.record("not retried"); return }
        #expect(late.timeIntervalSince(since) == 60)
    }

    @Test("The pacer spaces starts by its interval, across concurrent senders")
    func pacing() async {
        let pacer = Pacer(perSecond: 50)
        #expect(pacer.interval == .milliseconds(20))
        let started = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<6 { group.addTask { await pacer.wait() } }
        }
        // Six starts, 20 ms apart: the last no sooner than 100 ms after the first.
        #expect(ContinuousClock.now - started >= .milliseconds(95))
        #expect(Pacer(perSecond: 1_000).interval == .milliseconds(1))
    }
}

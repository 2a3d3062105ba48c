import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MotCuaAPI
import MotCuaConfig
import MotCuaCore
import MotCuaStore

/// `motcua portal reconcile`: asks the portal what it holds of our agencies' dossiers received
/// over some days, compares each with ours (version, national status, due time), and sends
/// again what the portal lacks or holds behind us.
public struct PortalReconciler: Sendable {
    let store: any DossierStore
    let base: URL
    let apiKey: String?
    let session: URLSession

    public init(store: any DossierStore, settings: PortalSettings) throws {
        guard let base = settings.url.flatMap(URL.init(string:)) else { throw ReconcileError.notConfigured }
        self.store = store
        self.base = base
        apiKey = settings.apiKey
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = max(settings.timing.timeoutSeconds, 30)
        session = URLSession(configuration: configuration)
    }

    public enum ReconcileError: Error, Equatable {
        case notConfigured
        /// The portal did not answer, or answered something else than its list.
        case portal(String)
    }

    /// What a reconciliation found and did.
    public struct Report: Codable, Sendable, Equatable {
        public struct Difference: Codable, Sendable, Equatable {
            public var code: String
            /// `resent`, `missing` (the portal lacked it; sent again), `conflict` (the portal holds
            /// a version at or beyond ours that differs), `unknown` (the portal's, not ours),
            /// `inFlight` (messages still on their way), `dead` (a dead letter holds it back).
            public var finding: String
            public var ourVersion: Int?
            public var portalVersion: Int?
            public var messagesSent: Int
        }

        public var from: String
        public var to: String
        public var agencies: Int
        public var compared: Int
        public var inSync: Int
        public var resent: Int
        public var missingOnPortal: Int
        public var unknownToUs: Int
        public var inFlight: Int
        public var deadLetters: Int
        public var conflicts: Int
        public var messagesQueued: Int
        /// The first 200 dossiers that were not in sync.
        public var differences: [Difference]
    }

    public func reconcile(agencies: [String], from: LocalDate, to: LocalDate, now: Date) async throws -> Report {
        var report = Report(
            from: from.iso, to: to.iso, agencies: agencies.count, compared: 0, inSync: 0, resent: 0, missingOnPortal: 0, unknownToUs: 0,
            inFlight: 0, deadLetters: 0, conflicts: 0, messagesQueued: 0, differences: [])
        func note(_ code: String, _ finding: String, ours: Int?, theirs: Int?, sent: Int = 0) {
            if report.differences.count < 200 {
                report.differences.append(.init(code: code, finding: finding, ourVersion: ours, portalVersion: theirs, messagesSent: sent))
            }
        }
        for agency in agencies {
            let theirs = Dictionary(try await holdings(agency: agency, from: from, to: to).map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
            let ours = try await store.portalLedger(
                agencies: [agency], from: WorkCalendar.instant(from), to: WorkCalendar.instant(to.adding(days: 1)))
            report.compared += ours.count
            for entry in ours {
                let held = theirs[entry.code]
                if entry.dead > 0 {
                    report.deadLetters += 1
                    note(entry.code, "dead", ours: entry.version, theirs: held?.version)
                } else if entry.unsent > 0 {
                    report.inFlight += 1
                    note(entry.code, "inFlight", ours: entry.version, theirs: held?.version)
                } else if let held {
                    if held.version == entry.version, held.status == entry.status.nationalCode, Self.same(held.dueAt, entry.dueAt) {
                        report.inSync += 1
                    } else if held.version < entry.version {
                        let sent = try await store.resendPortalMessages(dossierID: entry.dossierID, after: held.version, now: now)
                        report.resent += 1
                        report.messagesQueued += sent
                        note(entry.code, "resent", ours: entry.version, theirs: held.version, sent: sent)
                    } else {
                        report.conflicts += 1
                        note(entry.code, "conflict", ours: entry.version, theirs: held.version)
                    }
                } else {
                    let sent = try await store.resendPortalMessages(dossierID: entry.dossierID, after: 0, now: now)
                    report.missingOnPortal += 1
                    report.messagesQueued += sent
                    note(entry.code, "missing", ours: entry.version, theirs: nil, sent: sent)
                }
            }
            let known = Set(ours.map(\.code))
            for code in theirs.keys.sorted() where !known.contains(code) {
                report.unknownToUs += 1
                note(code, "unknown", ours: nil, theirs: theirs[code]?.version)
            }
        }
        return report
    }

    /// Due times agree to the second (the wire carries seconds).
    static func same(_ a: Date?, _ b: Date?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case let (a?, b?): abs(a.timeIntervalSince(b)) < 1
        default: false
        }
    }

    func holdings(agency: String, from: LocalDate, to: LocalDate) async throws -> [PortalHolding] {
        var components = URLComponents(url: base.appendingPathComponent("dossiers"), resolvingAgainstBaseURL: false)!
        components.queryItems = [.init(name: "agencyID", value: agency), .init(name: "from", value: from.iso), .init(name: "to", value: to.iso)]
        var request = URLRequest(url: components.url!)
        if let apiKey { request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization") }
        let data: Data, response: HTTPURLResponse
        do {
            (data, response) = try await session.exchange(request)
        } catch {
            throw ReconcileError.portal(error.localizedDescription)
        }
        guard response.statusCode == 200 else { throw ReconcileError.portal("HTTP \(response.statusCode)") }
        do {
            return try PortalMessages.decoder.decode(PortalHoldings.self, from: data).dossiers
        } catch {
            throw ReconcileError.portal("unreadable list: \(error)")
        }
    }
}

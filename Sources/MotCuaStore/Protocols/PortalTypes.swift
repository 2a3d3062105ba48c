import Foundation
import MotCuaCore

// The national public-service portal's outbox (Cổng DVCQG): every event of a dossier calls for
// one message that brings the portal to the dossier's version after it. Messages of one dossier
// go in version order, one at a time: a message waits (`nextAt` nil) until the one before it is
// acknowledged, so the portal never sees version n+1 before n, and a dead letter holds back only
// its own dossier's later messages.

/// What a portal message carries: the whole dossier (`DongBoHoSoMC`) or one control-sheet entry
/// (`CapNhatTienDoHoSoMC`).
public enum PortalMessageKind: String, Sendable, Codable, CaseIterable {
    case sync, progress

    /// Hand-offs and the post office's steps are progress entries; every other event changes
    /// what the portal shows of the dossier as a whole.
    public init(_ kind: DossierEvent.Kind) {
        switch kind {
        case .transferred, .assigned, .sentToAgency, .receivedFromAgency, .inherited, .postalOrdered, .postalUpdated: self = .progress
        default: self = .sync
        }
    }
}

/// A message in (or gone from) the portal outbox.
public struct PortalMessage: Sendable, Hashable {
    public enum Status: String, Sendable, Codable { case pending, delivered, dead }
    /// `{dossier id}.{sequence}`: also the `Idempotency-Key` it is sent with.
    public var id: String
    public var dossierID: String
    public var code: String
    /// The agency that received the dossier (statistics are per receiving agency).
    public var agencyID: String
    /// The event it reports, and the dossier's version once the portal has it.
    public var sequence: Int
    public var kind: PortalMessageKind
    public var status: Status
    public var attempts: Int
    public var createdAt: Date
    /// Nil while it waits behind an earlier message of its dossier.
    public var nextAt: Date?
    public var deliveredAt: Date?
    public var lastError: String?
    public var retrySince: Date

    public init(
        id: String, dossierID: String, code: String, agencyID: String, sequence: Int, kind: PortalMessageKind, status: Status,
        attempts: Int, createdAt: Date, nextAt: Date?, deliveredAt: Date?, lastError: String?, retrySince: Date
    ) {
        self.id = id
        self.dossierID = dossierID
        self.code = code
        self.agencyID = agencyID
        self.sequence = sequence
        self.kind = kind
        self.status = status
        self.attempts = attempts
        self.createdAt = createdAt
        self.nextAt = nextAt
        self.deliveredAt = deliveredAt
        self.lastError = lastError
        self.retrySince = retrySince
    }
}

/// A portal message row the events call for: one per event.
package struct PortalRow: Sendable {
    package var id: String
    package var sequence: Int
    package var kind: PortalMessageKind
    package var at: Date

    package static func rows(_ events: [DossierEvent], dossierID: String) -> [PortalRow] {
        events.map { PortalRow(id: "\(dossierID).\($0.sequence)", sequence: $0.sequence, kind: PortalMessageKind($0.kind), at: $0.at) }
    }
}

/// One of our dossiers as reconciliation compares it with what the portal holds.
public struct PortalLedgerEntry: Sendable, Hashable {
    public var dossierID: String
    public var code: String
    public var agencyID: String
    public var version: Int
    public var status: DossierStatus
    public var dueAt: Date?
    /// Messages not yet acknowledged (pending or dead).
    public var unsent: Int
    public var dead: Int

    public init(
        dossierID: String, code: String, agencyID: String, version: Int, status: DossierStatus, dueAt: Date?, unsent: Int, dead: Int
    ) {
        self.dossierID = dossierID
        self.code = code
        self.agencyID = agencyID
        self.version = version
        self.status = status
        self.dueAt = dueAt
        self.unsent = unsent
        self.dead = dead
    }
}

/// How completely and how fast one agency's changes reached the portal over a period.
public struct PortalSyncFigures: Sendable, Equatable {
    public var agencyID: String
    /// Dossiers with at least one change in the period.
    public var dossiers: Int
    /// Those whose every change of the period was acknowledged by the portal.
    public var synced: Int
    /// Seconds from each acknowledged message's event to its acknowledgement, ascending.
    public var delays: [Double]

    public init(agencyID: String, dossiers: Int, synced: Int, delays: [Double]) {
        self.agencyID = agencyID
        self.dossiers = dossiers
        self.synced = synced
        self.delays = delays
    }

    /// The nearest-rank percentile (0 < p ≤ 1) of the delays; nil without any.
    public func delay(percentile p: Double) -> Double? {
        guard !delays.isEmpty else { return nil }
        let rank = Int((p * Double(delays.count)).rounded(.up))
        return delays[min(max(rank, 1), delays.count) - 1]
    }
}

/// The portal outbox.
public protocol PortalStore: Sendable {
    /// Messages due at `now` (each the oldest unacknowledged one of its dossier), claimed for `lease`.
    func claimDuePortalMessages(now: Date, lease: TimeInterval, limit: Int) async throws -> [PortalMessage]
    /// Records an attempt's outcome. A delivery makes the dossier's next message due at once; a
    /// dead letter leaves the later ones waiting, saying why.
    func recordPortalDelivery(_ message: PortalMessage, outcome: DeliveryOutcome) async throws
    func portalMessages(dossierID: String) async throws -> [PortalMessage]
    /// Dead letters of the given agencies (all when nil), newest first.
    func deadPortalMessages(agencies: Set<String>?, limit: Int) async throws -> [PortalMessage]
    /// Puts a dead letter back in the queue, due at `now`, in a new retry window; false when the
    /// message is not a dead letter.
    func retryPortalMessage(id: String, now: Date) async throws -> Bool
    /// Sends the dossier's messages after `sequence` again, in order (reconciliation found the
    /// portal behind); returns how many. Nothing happens while any of them is still unsent.
    func resendPortalMessages(dossierID: String, after sequence: Int, now: Date) async throws -> Int
    /// Our dossiers received by the given agencies (all when nil) over [from, to).
    func portalLedger(agencies: Set<String>?, from: Date, to: Date) async throws -> [PortalLedgerEntry]
    /// Sync figures per receiving agency over messages created in [from, to).
    func portalSyncFigures(agencies: Set<String>?, from: Date, to: Date) async throws -> [PortalSyncFigures]
}

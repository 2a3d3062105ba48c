import Foundation
import MotCuaCore

// What one change to a dossier writes besides its events and its projection row, computed once
// in plain Swift for both backends: each backend only turns these values into its SQL.

/// The agencies that may see a dossier: every agency it passed through, the one that received
/// it, the one that holds it now and the one it is being sent to.
public func accessAgencies(of d: Dossier) -> Set<String> {
    Set(d.agencyTrail + [d.agencyID, d.currentAgencyID] + [d.pendingAgencyID].compactMap { $0 })
}

/// Blobs the events bring (so that a blob still referred to is never deleted).
package func referencedFiles(_ events: [DossierEvent]) -> [String] {
    events.flatMap { event in
        ((event.dossier?.files ?? []) + (event.files ?? []) + [event.resultFile].compactMap { $0 }).map(\.sha256)
    }
}

/// The result signatures the events carry, with the sequence of the event carrying each.
package func carriedSignatures(_ events: [DossierEvent]) -> [(sequence: Int, signature: ResultSignature)] {
    events.compactMap { event in event.resultSignature.map { (event.sequence, $0) } }
}

/// A notification row the events call for.
package struct NotificationRow: Sendable {
    package var id: String
    package var kind: NotificationKind
    package var sequence: Int
    package var at: Date

    package static func rows(_ events: [DossierEvent], dossierID: String) -> [NotificationRow] {
        events.compactMap { event in
            NotificationKind(event.kind).map {
                NotificationRow(id: "\(dossierID).\(event.sequence)", kind: $0, sequence: event.sequence, at: event.at)
            }
        }
    }
}

/// What the events do to the postal outbox.
package enum PostalRowChange: Sendable {
    /// A new order, pending from `at`.
    case order(id: String, agencyID: String, direction: PostalDirection, at: Date)
    /// The post office has the order (it answered, or already reports on the parcel).
    case accepted(id: String, waybill: String?, at: Date)
    /// The dossier ended: orders not yet accepted are dropped.
    case cancelAll

    /// `code` is the code given, not the events' copy: a new dossier's events carry a stand-in.
    package static func changes(_ events: [DossierEvent], code: String) -> [PostalRowChange] {
        events.compactMap { event in
            switch event.kind {
            case .postalOrdered:
                guard let shipment = event.shipment else { return nil }
                let number = Shipment.orderNumber(code: code, direction: shipment.direction, attempt: shipment.attempt)
                return .order(id: number, agencyID: event.agencyID, direction: shipment.direction, at: event.at)
            case .postalUpdated:
                guard let update = event.postal else { return nil }
                return .accepted(id: update.orderNumber, waybill: update.waybill, at: event.at)
            case .withdrawn, .refused, .stopped, .returned:
                return .cancelAll
            default:
                return nil
            }
        }
    }
}

/// The overdue watch's columns of a dossier row: its appointment and near-due instant while its
/// clock runs, and the next threshold it has not crossed yet (the sweep reads only rows whose
/// `alertAt` has passed).
package struct WatchColumns: Sendable {
    package var due: Double?
    package var near: Double?
    /// The current step's due time, when before the appointment (`watch_step`).
    package var step: Double?
    package var alertAt: Double?

    package init(_ d: Dossier, crossed: Set<AlertKind>) {
        guard let plan = d.watchPlan else { return }
        due = plan.due.timeIntervalSince1970
        near = plan.nearDue.timeIntervalSince1970
        step = plan.stepDue?.timeIntervalSince1970
        alertAt = plan.thresholds.sorted { $0.at < $1.at }.first { !crossed.contains($0.kind) }?.at.timeIntervalSince1970
    }
}

/// A step that ended (issue #20, per-step deadlines): which, where, whose, and whether late.
/// Written with the event that ended it, for the reports of late steps by department and officer.
package struct StepFactRow: Sendable, Equatable {
    package var sequence: Int
    package var step: ProcessingStep
    package var agencyID: String
    /// The department that had the dossier (none for the desk's step).
    package var departmentID: String?
    /// Who is answerable for the step: the handler for processing, else who ended it.
    package var officerID: String
    package var officerName: String
    package var dueAt: Double
    package var endedAt: Double

    package var late: Bool { endedAt > dueAt }

    /// The steps `events` end, starting from `previous` (nil: a new dossier) and seen from `updated`.
    package static func rows(_ events: [DossierEvent], previous: Dossier?, updated: Dossier) -> [StepFactRow] {
        var current: (step: ProcessingStep, due: Date)?
        if let previous, let step = ProcessingStep(status: previous.status), let due = previous.stepDueAt {
            current = (step, due)
        }
        var rows: [StepFactRow] = []
        for event in events {
            let ends = event.kind == .returned || (event.step != nil && event.step != current?.step)
            if ends, let (step, due) = current {
                let handler = step == .processing ? updated.handlerID.map { ($0, updated.handlerName ?? $0) } : nil
                rows.append(StepFactRow(
                    sequence: event.sequence, step: step, agencyID: event.agencyID, departmentID: step == .desk ? nil : updated.departmentID,
                    officerID: handler?.0 ?? event.actor.id, officerName: handler?.1 ?? event.actor.name,
                    dueAt: due.timeIntervalSince1970, endedAt: event.at.timeIntervalSince1970))
                current = nil
            }
            if let step = event.step, let due = event.stepDueAt { current = (step, due) }
            if [.returned, .withdrawn, .refused, .stopped].contains(event.kind) { current = nil }
        }
        return rows
    }
}

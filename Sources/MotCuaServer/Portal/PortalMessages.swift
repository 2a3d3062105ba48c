import Foundation
import MotCuaAPI
import MotCuaCore

/// Building the portal's messages from a dossier's control sheet (the wire types and format are
/// `MotCuaAPI`'s).
extension PortalMessages {
    /// The sync message of `version`: the dossier replayed from its first `version` events.
    public static func sync(events: [DossierEvent], version: Int) -> PortalSyncRequest? {
        guard version >= 1, version <= events.count, let d = Lifecycle.replay(Array(events.prefix(version))) else { return nil }
        let event = events[version - 1]
        let finished: Date? = switch d.status {
        case .resultReady, .returned: d.resultReadyAt ?? d.closedAt
        case .refused, .withdrawn, .stopped: d.closedAt ?? event.at
        default: nil
        }
        return PortalSyncRequest(
            code: d.code, version: version, procedureCode: d.procedureCode, procedureName: d.procedureName, agencyID: d.agencyID,
            currentAgencyID: d.currentAgencyID,
            applicant: PortalApplicant(
                name: d.applicant.name, idNumber: d.applicant.idNumber, phone: d.applicant.phone, email: d.applicant.email,
                address: d.applicant.address),
            channel: d.channel.nationalCode, submissionLevel: d.submissionLevel, status: d.status.nationalCode,
            statusName: d.status.vietnameseName, submittedAt: d.submittedAt, receivedAt: d.receivedAt, dueAt: d.dueAt, finishedAt: finished,
            returnedAt: d.returnedAt, outcome: d.outcome?.rawValue, rating: d.rating?.score,
            event: PortalEvent(sequence: event.sequence, kind: event.kind.rawValue, name: event.vietnameseTitle, at: event.at))
    }

    /// The progress message of `version`: its control-sheet entry.
    public static func progress(events: [DossierEvent], version: Int) -> PortalProgressRequest? {
        guard version >= 1, version <= events.count, let d = Lifecycle.replay(Array(events.prefix(version))) else { return nil }
        let event = events[version - 1]
        let giver = PortalParty(
            agencyID: event.actor.agencyID, departmentID: event.actor.departmentID, officerID: event.actor.id, officerName: event.actor.name)
        let receiver: PortalParty? = switch event.kind {
        case .transferred: PortalParty(agencyID: event.agencyID, departmentID: event.departmentID)
        case .assigned: PortalParty(agencyID: event.agencyID, departmentID: event.departmentID, officerID: event.handlerID, officerName: event.handlerName)
        case .sentToAgency, .inherited: event.toAgencyID.map { PortalParty(agencyID: $0) }
        case .receivedFromAgency: PortalParty(agencyID: event.agencyID)
        default: nil
        }
        let entry = PortalProgressEntry(
            sequence: event.sequence, step: event.kind.rawValue, stepName: event.vietnameseTitle, at: event.at, agencyID: event.agencyID,
            giver: giver, receiver: receiver, status: d.status.nationalCode, stepDueAt: event.dueAt)
        return PortalProgressRequest(code: d.code, version: version, status: d.status.nationalCode, dueAt: d.dueAt, entries: [entry])
    }
}

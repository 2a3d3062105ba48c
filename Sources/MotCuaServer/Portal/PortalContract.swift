import Foundation
import MotCuaCore

// The wire contract between MotCua and the national public-service portal (Cổng DVCQG),
// `docs/national-portal.openapi.json`. Deployed provincial systems exchange two messages with
// the portal, `DongBoHoSoMC` (the whole dossier) and `CapNhatTienDoHoSoMC` (control-sheet
// progress); the official document is not public, so this is our side of it, in English:
// - `POST {portal.url}/dossiers/sync`: the dossier as of one version (`DongBoHoSoMC`);
// - `POST {portal.url}/dossiers/progress`: the control-sheet entry of one version
//   (`CapNhatTienDoHoSoMC`);
// - `GET {portal.url}/dossiers?agencyID=&from=&to=`: what the portal holds (reconciliation).
// Both POSTs carry `Idempotency-Key: {dossier id}.{version}`; the portal answers
// `{"error_code": "0"}` ("0" or "00" is success, as the national messages do).

/// The applicant as the portal knows them.
public struct PortalApplicant: Codable, Sendable, Equatable {
    public var name: String
    public var idNumber: String
    public var phone: String
    public var email: String?
    public var address: String
}

/// `POST /dossiers/sync`: the whole dossier as of `version` (`DongBoHoSoMC`).
public struct PortalSyncRequest: Codable, Sendable, Equatable {
    public var code: String
    /// The dossier's version this message brings the portal to (its number of control-sheet events).
    public var version: Int
    public var procedureCode: String
    public var procedureName: String
    /// The agency that received the dossier, and the one that holds it now.
    public var agencyID: String
    public var currentAgencyID: String
    public var applicant: PortalApplicant
    /// National channel code: 1 desk, 2 online, 3 BCCI.
    public var channel: Int
    /// Online level (3 or 4) of a dossier filed online.
    public var submissionLevel: Int?
    /// National status code, 1–10, and its name.
    public var status: Int
    public var statusName: String
    public var submittedAt: Date
    public var receivedAt: Date?
    public var dueAt: Date?
    /// When the result was ready or the dossier was closed (refused, withdrawn, stopped).
    public var finishedAt: Date?
    public var returnedAt: Date?
    /// `early`, `onTime` or `late`, once finished.
    public var outcome: String?
    /// The applicant's rating, 1–5, once given.
    public var rating: Int?
    /// The event that made this version.
    public var event: PortalEvent
}

/// The event behind a message.
public struct PortalEvent: Codable, Sendable, Equatable {
    public var sequence: Int
    public var kind: String
    /// The control sheet's Vietnamese wording.
    public var name: String
    public var at: Date
}

/// Who gave or took a dossier at a hand-off.
public struct PortalParty: Codable, Sendable, Equatable {
    public var agencyID: String
    public var departmentID: String?
    public var officerID: String?
    public var officerName: String?
}

/// `POST /dossiers/progress`: the control-sheet entry of `version` (`CapNhatTienDoHoSoMC`).
public struct PortalProgressRequest: Codable, Sendable, Equatable {
    public var code: String
    public var version: Int
    /// National status code (1–10) after the step, and the dossier's due time.
    public var status: Int
    public var dueAt: Date?
    public var entries: [PortalProgressEntry]
}

/// One step of the control sheet.
public struct PortalProgressEntry: Codable, Sendable, Equatable {
    public var sequence: Int
    public var step: String
    public var stepName: String
    public var at: Date
    public var agencyID: String
    public var giver: PortalParty
    public var receiver: PortalParty?
    /// National status code (1–10) after the step.
    public var status: Int
    /// The step's own due time, where the step has one.
    public var stepDueAt: Date?
}

/// The portal's answer to a message: `error_code` "0" or "00" is success.
public struct PortalAnswer: Codable, Sendable, Equatable {
    public var errorCode: String
    public var message: String?

    enum CodingKeys: String, CodingKey {
        case errorCode = "error_code"
        case message
    }

    public init(errorCode: String, message: String? = nil) {
        self.errorCode = errorCode
        self.message = message
    }

    public var isSuccess: Bool { errorCode == "0" || errorCode == "00" }
}

/// What the portal holds of one dossier (reconciliation).
public struct PortalHolding: Codable, Sendable, Equatable {
    public var code: String
    public var version: Int
    public var status: Int
    public var dueAt: Date?

    public init(code: String, version: Int, status: Int, dueAt: Date?) {
        self.code = code
        self.version = version
        self.status = status
        self.dueAt = dueAt
    }
}

/// `GET /dossiers?agencyID=&from=&to=`.
public struct PortalHoldings: Codable, Sendable, Equatable {
    public var dossiers: [PortalHolding]

    public init(dossiers: [PortalHolding]) { self.dossiers = dossiers }
}

/// Building the portal's messages from a dossier's control sheet.
public enum PortalMessages {
    /// Dates on the wire: ISO 8601 with the Vietnam offset, as everywhere in our API.
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(WorkCalendar.format(date))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard text.count >= 20, let date = WorkCalendar.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 8601 date-time with offset: \(text)")
            }
            return date
        }
        return decoder
    }()

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

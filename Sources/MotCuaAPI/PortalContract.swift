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

/// The applicant as the portal knows them: the same five fields as the officer door's
/// (`IntakeRequest.applicant`), so the same type.
public typealias PortalApplicant = Applicant

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

    public init(
        code: String, version: Int, procedureCode: String, procedureName: String, agencyID: String, currentAgencyID: String,
        applicant: PortalApplicant, channel: Int, submissionLevel: Int? = nil, status: Int, statusName: String,
        submittedAt: Date, receivedAt: Date? = nil, dueAt: Date? = nil, finishedAt: Date? = nil, returnedAt: Date? = nil,
        outcome: String? = nil, rating: Int? = nil, event: PortalEvent
    ) {
        self.code = code
        self.version = version
        self.procedureCode = procedureCode
        self.procedureName = procedureName
        self.agencyID = agencyID
        self.currentAgencyID = currentAgencyID
        self.applicant = applicant
        self.channel = channel
        self.submissionLevel = submissionLevel
        self.status = status
        self.statusName = statusName
        self.submittedAt = submittedAt
        self.receivedAt = receivedAt
        self.dueAt = dueAt
        self.finishedAt = finishedAt
        self.returnedAt = returnedAt
        self.outcome = outcome
        self.rating = rating
        self.event = event
    }
}

/// The event behind a message.
public struct PortalEvent: Codable, Sendable, Equatable {
    public var sequence: Int
    public var kind: String
    /// The control sheet's Vietnamese wording.
    public var name: String
    public var at: Date

    public init(sequence: Int, kind: String, name: String, at: Date) {
        self.sequence = sequence
        self.kind = kind
        self.name = name
        self.at = at
    }
}

/// Who gave or took a dossier at a hand-off.
public struct PortalParty: Codable, Sendable, Equatable {
    public var agencyID: String
    public var departmentID: String?
    public var officerID: String?
    public var officerName: String?

    public init(agencyID: String, departmentID: String? = nil, officerID: String? = nil, officerName: String? = nil) {
        self.agencyID = agencyID
        self.departmentID = departmentID
        self.officerID = officerID
        self.officerName = officerName
    }
}

/// `POST /dossiers/progress`: the control-sheet entry of `version` (`CapNhatTienDoHoSoMC`).
public struct PortalProgressRequest: Codable, Sendable, Equatable {
    public var code: String
    public var version: Int
    /// National status code (1–10) after the step, and the dossier's due time.
    public var status: Int
    public var dueAt: Date?
    public var entries: [PortalProgressEntry]

    public init(code: String, version: Int, status: Int, dueAt: Date? = nil, entries: [PortalProgressEntry]) {
        self.code = code
        self.version = version
        self.status = status
        self.dueAt = dueAt
        self.entries = entries
    }
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

    public init(
        sequence: Int, step: String, stepName: String, at: Date, agencyID: String, giver: PortalParty,
        receiver: PortalParty? = nil, status: Int, stepDueAt: Date? = nil
    ) {
        self.sequence = sequence
        self.step = step
        self.stepName = stepName
        self.at = at
        self.agencyID = agencyID
        self.giver = giver
        self.receiver = receiver
        self.status = status
        self.stepDueAt = stepDueAt
    }
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

/// The portal's wire format (its messages are built by `MotCuaServer` from the control sheet and
/// written by `WireJSON`): dates as ISO 8601 with the Vietnam offset, as everywhere in our API.
public enum PortalMessages {
    /// Stricter than `WireJSON.decoder`: a date-time must carry its offset.
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
}

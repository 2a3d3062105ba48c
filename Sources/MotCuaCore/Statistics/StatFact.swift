import Foundation

/// What the statistics need to know of one received dossier: a narrow row, kept beside the
/// dossier in the same transaction, so that a report reads these rows and nothing else.
///
/// Instants are whole seconds since 1970 (UTC). A dossier enters the statistics when it is
/// received; one refused before receipt never does.
public struct StatFact: Hashable, Sendable, Codable {
    /// How it left the pending set.
    public enum Resolution: Int, Sendable, Codable, CaseIterable {
        case early = 0, onTime = 1, late = 2
        /// Refused, withdrawn or stopped after receipt: counts as resolved on time (practice).
        case closed = 3
    }

    public var dossierID: String
    public var agencyID: String
    public var procedureCode: String
    public var channel: Channel
    /// The online level it was submitted at (3 or 4); 0 for desk and postal intakes.
    public var level: Int
    public var receivedAt: Int64
    /// When the result was ready, or when it was refused, withdrawn or stopped.
    public var resolvedAt: Int64?
    public var resolution: Resolution?
    /// The legal due time as it stands (moved by pauses, never by the apology's new
    /// appointment: a dossier past its legal due time is overdue).
    public var dueAt: Int64?
    /// The supplementation requested during processing: from, until (nil while waiting).
    public var supplementationFrom: Int64?
    public var supplementationUntil: Int64?
    /// The wait for the fee: from, until (nil while waiting).
    public var feeFrom: Int64?
    public var feeUntil: Int64?
    public var returnedAt: Int64?
    public var returnedByPost: Bool
    public var hasFee: Bool
    public var paidOnline: Bool
    /// Documents handed in as files and an electronic result.
    public var digitised: Bool
    public var rating: Int?
    /// Working seconds from receipt to the result, net of pauses.
    public var workingSeconds: Int64?
    /// Filed anywhere in the province: the agency whose desk took it in (it counts there as
    /// received for others, and here, at the competent agency, as received elsewhere).
    public var receivingAgencyID: String? = nil

    public init(
        dossierID: String, agencyID: String, procedureCode: String, channel: Channel, level: Int, receivedAt: Int64,
        resolvedAt: Int64? = nil, resolution: Resolution? = nil, dueAt: Int64? = nil,
        supplementationFrom: Int64? = nil, supplementationUntil: Int64? = nil, feeFrom: Int64? = nil, feeUntil: Int64? = nil,
        returnedAt: Int64? = nil, returnedByPost: Bool = false, hasFee: Bool = false, paidOnline: Bool = false,
        digitised: Bool = false, rating: Int? = nil, workingSeconds: Int64? = nil
    ) {
        self.dossierID = dossierID
        self.agencyID = agencyID
        self.procedureCode = procedureCode
        self.channel = channel
        self.level = level
        self.receivedAt = receivedAt
        self.resolvedAt = resolvedAt
        self.resolution = resolution
        self.dueAt = dueAt
        self.supplementationFrom = supplementationFrom
        self.supplementationUntil = supplementationUntil
        self.feeFrom = feeFrom
        self.feeUntil = feeUntil
        self.returnedAt = returnedAt
        self.returnedByPost = returnedByPost
        self.hasFee = hasFee
        self.paidOnline = paidOnline
        self.digitised = digitised
        self.rating = rating
        self.workingSeconds = workingSeconds
    }

    /// How long it took from receipt to resolution (0 while open): the ends of a period need
    /// only the dossiers received within the longest such span before them, plus the open ones.
    public var span: Int64 {
        (resolvedAt ?? receivedAt) - receivedAt
    }
}

extension StatFact {
    /// The fact of a dossier, or nil while it has not been received.
    public init?(_ dossier: Dossier) {
        guard let received = dossier.receivedAt else { return nil }
        func seconds(_ date: Date?) -> Int64? { date.map { Int64($0.timeIntervalSince1970.rounded(.down)) } }
        let resolved: (Date, Resolution)? = if let ready = dossier.resultReadyAt {
            (ready, dossier.outcome.map(Resolution.init) ?? .onTime)
        } else if let closed = dossier.closedAt, [.refused, .withdrawn, .stopped].contains(dossier.status) {
            (closed, .closed)
        } else {
            nil
        }
        let feeStart = dossier.payment?.requestedAt
        let feePause = dossier.pauses.first { $0.start == feeStart }
        let supplementation = dossier.pauses.first { $0.start >= received && $0.start != feeStart }
        self.init(
            dossierID: dossier.id, agencyID: dossier.agencyID, procedureCode: dossier.procedureCode, channel: dossier.channel,
            level: dossier.submissionLevel ?? 0, receivedAt: seconds(received)!,
            resolvedAt: seconds(resolved?.0), resolution: resolved?.1, dueAt: seconds(dossier.dueAt),
            supplementationFrom: seconds(supplementation?.start), supplementationUntil: seconds(supplementation?.end),
            feeFrom: seconds(feePause?.start), feeUntil: seconds(feePause?.end),
            returnedAt: seconds(dossier.returnedAt), returnedByPost: dossier.returnedAt != nil && dossier.returnMethod == .post,
            hasFee: (dossier.feeAmount ?? 0) > 0 || dossier.payment != nil, paidOnline: dossier.payment?.online == true,
            digitised: !(dossier.files ?? []).isEmpty && dossier.resultFile != nil,
            rating: dossier.rating?.score, workingSeconds: dossier.processingSeconds)
        receivingAgencyID = dossier.isFiledElsewhere ? dossier.receivingAgencyID : nil
    }
}

extension StatFact.Resolution {
    init(_ outcome: Outcome) {
        switch outcome {
        case .early: self = .early
        case .onTime: self = .onTime
        case .late: self = .late
        }
    }
}

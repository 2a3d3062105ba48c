import Foundation
import MotCuaCore
import MotCuaJSON

/// The stored form of a control sheet's events: each event as its JSON, except that a `created`
/// event's dossier is stored the way a dossier row is (`StoredDossier`: its columns beside it,
/// its catalogue texts as indexes into the procedure version it names).
///
/// Why: a `created` event carried the whole dossier it filed, the procedure's name and the legal
/// text of every document included. In a 19,403-dossier demo history they were 147 of the 188 MB
/// of events, and `migrate-store` spent its time moving them (2,998 dossiers/s, issue #16). Stored
/// this way a desk filing's `created` event is a few hundred bytes, and reading returns the same
/// event. Events written before keep their whole dossier (`dossier`) and read as they always did:
/// the events table refuses updates, so old rows are never rewritten.
package enum EventCodec {
    /// The event's stored JSON.
    package static func encode(_ event: DossierEvent, versions: ProcedureVersions) throws -> String {
        guard let dossier = event.dossier else { return try StoreJSON.encode(event) }
        let current = versions.current(dossier.procedureCode)
        var slim = event
        slim.dossier = nil
        return try StoreJSON.encode(StoredEvent(event: slim, filed: FiledDossier(
            version: current?.version ?? DossierCodec.whole, columns: DossierColumns(dossier),
            data: StoredDossier(dossier, procedure: current?.procedure))))
    }

    /// Stored events read back, in two steps so that a backend can fetch the procedure versions
    /// they name (`versionsNeeded`) before `events` reads them against its cache.
    package struct Decoded: Sendable {
        fileprivate let stored: [StoredEvent]

        /// The procedure versions the `created` events refer to.
        package var versionsNeeded: [ProcedureVersions.Key] {
            stored.compactMap { event in
                event.filed.map { ProcedureVersions.Key(code: $0.columns.procedureCode, version: $0.version) }
            }
        }

        /// The events, as they were before they were stored.
        package func events(versions: ProcedureVersions) throws -> [DossierEvent] {
            try stored.map { stored in
                var event = stored.event
                if let filed = stored.filed {
                    var procedure: Procedure?
                    if filed.version != DossierCodec.whole {
                        procedure = versions.procedure(filed.columns.procedureCode, version: filed.version)
                        guard procedure != nil else {
                            throw StoreError.corrupt(
                                "event \(event.sequence) of \(filed.columns.code) refers to procedure \(filed.columns.procedureCode) version \(filed.version), which the catalogue lacks")
                        }
                    }
                    event.dossier = try filed.data.dossier(filed.columns, procedure: procedure)
                }
                return event
            }
        }
    }

    package static func decode(_ texts: [String]) throws -> Decoded {
        Decoded(stored: try texts.map { try StoreJSON.decode(StoredEvent.self, $0) })
    }
}

/// An event as stored: its own members, and for a `created` event, `filed`.
struct StoredEvent: DirectJSON, Decodable, Sendable {
    var event: DossierEvent
    var filed: FiledDossier?

    private enum Keys: String, CodingKey { case filed }

    init(event: DossierEvent, filed: FiledDossier?) {
        self.event = event
        self.filed = filed
    }

    init(from decoder: any Decoder) throws {
        event = try DossierEvent(from: decoder)
        filed = try decoder.container(keyedBy: Keys.self).decodeIfPresent(FiledDossier.self, forKey: .filed)
    }

    func encode(to encoder: any Encoder) throws {
        try event.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encodeIfPresent(filed, forKey: .filed)
    }

    func writeJSON(_ o: JSONObject) throws {
        try event.writeJSON(o)
        try o("filed", filed)
    }
}

/// The dossier a `created` event filed: its row's columns, the procedure version its texts refer
/// to (0: none, every text in full) and the rest as a row stores it.
struct FiledDossier: Codable, Sendable {
    var version: Int
    var columns: DossierColumns
    var data: StoredDossier
}

import Foundation
import MotCuaCore
import Synchronization

/// The versions of the catalogue's procedures a store knows: every version ever saved stays,
/// since a dossier is read against the version in force when it was filed.
///
/// Loaded when the store opens and added to by `saveCatalogue`; another instance's new version
/// is fetched when a row names one not seen yet (`missing`). Versions never change once saved,
/// so a cached one is never stale.
package final class ProcedureVersions: Sendable {
    package struct Key: Hashable, Sendable {
        package let code: String
        package let version: Int

        package init(code: String, version: Int) {
            self.code = code
            self.version = version
        }
    }

    private struct State {
        var procedures: [Key: Procedure] = [:]
        var current: [String: Int] = [:]
    }

    private let state = Mutex(State())

    package init() {}

    /// Adds saved versions; the highest of a code becomes its current one.
    package func add(_ versions: [(version: Int, procedure: Procedure)]) {
        state.withLock { state in
            for (version, procedure) in versions {
                state.procedures[Key(code: procedure.code, version: version)] = procedure
                if version > state.current[procedure.code] ?? 0 { state.current[procedure.code] = version }
            }
        }
    }

    /// The version in force now, and its number.
    package func current(_ code: String) -> (version: Int, procedure: Procedure)? {
        state.withLock { state in
            state.current[code].flatMap { version in state.procedures[Key(code: code, version: version)].map { (version, $0) } }
        }
    }

    package func procedure(_ code: String, version: Int) -> Procedure? {
        state.withLock { $0.procedures[Key(code: code, version: version)] }
    }

    /// The keys among `keys` this cache lacks (version 0 means "stored whole": never missing).
    package func missing(_ keys: some Sequence<Key>) -> Set<Key> {
        state.withLock { state in Set(keys.filter { $0.version > 0 && state.procedures[$0] == nil }) }
    }
}

/// The stored form of a dossier: a row's columns and its JSON (`StoredDossier`), which leaves out
/// what the columns hold and what the catalogue already says.
///
/// Why: a dossier row copied the procedure's name and the full legal text of every document of
/// its list, once under `documents` and again under each file, beside every column's value.
/// Demo dossiers averaged 7.6 KB, one with the 53-document construction permit 158 KB; at that
/// width a table page holds about one row and every scan of a province's history reads gigabytes
/// (issue #21). Stored this way a document is `[index, originals, copies]` into the list of the
/// procedure version the row names (`procedure_version`), and a desk dossier's JSON is a few
/// hundred bytes; the same dossier comes back on reading. A text that differs from the version's
/// (a catalogue changed in between, a supplementation item in the officer's own words) is kept in
/// full.
package enum DossierCodec {
    /// Version 0: the row refers to no procedure version (its procedure is not in the catalogue);
    /// every text is in the JSON.
    package static let whole = 0

    /// The JSON to store beside the row's columns, and the procedure version it refers to.
    package static func encode(_ dossier: Dossier, versions: ProcedureVersions) throws -> (data: String, version: Int) {
        let current = versions.current(dossier.procedureCode)
        return (try StoreJSON.encode(StoredDossier(dossier, procedure: current?.procedure)), current?.version ?? whole)
    }

    /// The dossier a row holds. `version` nil: a row written before the slim layout, its JSON the
    /// whole dossier (PostgreSQL rows not yet rewritten). Throws `StoreError.corrupt` when it
    /// names a version the cache lacks (callers fetch `missing` versions first).
    package static func decode(_ data: String, columns: DossierColumns, version: Int?, versions: ProcedureVersions) throws -> Dossier {
        guard let version else { return try StoreJSON.decode(Dossier.self, data) }
        var procedure: Procedure?
        if version != whole {
            procedure = versions.procedure(columns.procedureCode, version: version)
            guard procedure != nil else {
                throw StoreError.corrupt(
                    "dossier \(columns.code) refers to procedure \(columns.procedureCode) version \(version), which the catalogue lacks")
            }
        }
        return try StoreJSON.decode(StoredDossier.self, data).dossier(columns, procedure: procedure)
    }
}

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

/// The stored form of a dossier: its JSON with what the catalogue already says left out.
///
/// Why: a dossier copied the procedure's name and the full legal text of every document of its
/// list, once under `documents` and again under each file. Demo dossiers averaged 7.6 KB, one
/// with the 53-document construction permit 158 KB; at that width a table page holds about one
/// row and every scan of a province's history reads gigabytes (issue #21). Stored slim, each of
/// those texts becomes `#i`, its index in the list of the procedure version the row names
/// (`procedure_version`), and the name `#`; the same dossier comes back on reading.
///
/// A text that differs from the version's (a catalogue changed in between, a supplementation
/// item of the officer's own words) stays in full; one that itself starts with `#` gets a second
/// `#`, so that reading never mistakes it for a reference.
package enum DossierCodec {
    /// Version 0: the row holds the whole dossier (its procedure is not in the catalogue).
    package static let whole = 0

    /// The JSON to store and the procedure version it refers to.
    package static func encode(_ dossier: Dossier, versions: ProcedureVersions) throws -> (data: String, version: Int) {
        guard let (version, procedure) = versions.current(dossier.procedureCode) else {
            return (try StoreJSON.encode(dossier), whole)
        }
        return (try StoreJSON.encode(slim(dossier, against: procedure)), version)
    }

    /// The dossier a row holds. Throws `StoreError.corrupt` when it names a version the cache
    /// lacks (callers fetch `missing` versions first).
    package static func decode(_ data: String, procedureCode: String, version: Int, versions: ProcedureVersions) throws -> Dossier {
        let stored = try StoreJSON.decode(Dossier.self, data)
        guard version != whole else { return stored }
        guard let procedure = versions.procedure(procedureCode, version: version) else {
            throw StoreError.corrupt("dossier \(stored.code) refers to procedure \(procedureCode) version \(version), which the catalogue lacks")
        }
        return full(stored, from: procedure)
    }

    package static func slim(_ d: Dossier, against procedure: Procedure) -> Dossier {
        var index: [String: Int] = [:]
        for (i, document) in procedure.documents.enumerated() where index[document.name] == nil { index[document.name] = i }
        func reference(_ text: String) -> String {
            if let i = index[text] { return "#\(i)" }
            return text.hasPrefix("#") ? "#" + text : text
        }
        var d = d
        d.procedureName = d.procedureName == procedure.name ? "#" : (d.procedureName.hasPrefix("#") ? "#" + d.procedureName : d.procedureName)
        d.documents = d.documents.map { DocumentRequirement(name: reference($0.name), originals: $0.originals, copies: $0.copies) }
        d.missingItems = d.missingItems.map(reference)
        d.files = d.files?.map { file in
            var file = file
            file.document = reference(file.document)
            return file
        }
        if var result = d.resultFile {
            result.document = reference(result.document)
            d.resultFile = result
        }
        return d
    }

    package static func full(_ d: Dossier, from procedure: Procedure) -> Dossier {
        func text(_ stored: String) -> String {
            guard stored.hasPrefix("#") else { return stored }
            let rest = stored.dropFirst()
            if let i = Int(rest), procedure.documents.indices.contains(i), rest.allSatisfy(\.isASCII) { return procedure.documents[i].name }
            return String(rest)
        }
        var d = d
        d.procedureName = d.procedureName == "#" ? procedure.name : text(d.procedureName)
        d.documents = d.documents.map { DocumentRequirement(name: text($0.name), originals: $0.originals, copies: $0.copies) }
        d.missingItems = d.missingItems.map(text)
        d.files = d.files?.map { file in
            var file = file
            file.document = text(file.document)
            return file
        }
        if var result = d.resultFile {
            result.document = text(result.document)
            d.resultFile = result
        }
        return d
    }
}

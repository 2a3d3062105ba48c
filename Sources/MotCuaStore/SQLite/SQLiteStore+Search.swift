import Foundation
import GRDB
import MotCuaCore

// Officers' lists and searches (planned in `SearchPlan`). SQLite's name index is FTS5 with the
// trigram tokenizer (`dossier_names`, contentless, its row ids the dossiers' `n`): a folded name
// as a phrase of trigrams matches it as a substring, as the `LIKE '%…%'` it stands for.
extension SQLiteStore {
    public func search(_ query: DossierQuery) async throws -> DossierPage {
        let versions = versions
        return try await pool.read { db in try Self.search(query, versions: versions, db: db) }
    }

    static func search(_ query: DossierQuery, versions: ProcedureVersions, db: Database) throws -> DossierPage {
        var rareName = false
        if let folded = SearchPlan.nameToProbe(query) {
            let matches = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM (SELECT 1 FROM dossier_names WHERE dossier_names MATCH ? LIMIT ?)",
                arguments: [phrase(folded), query.rareNameMatches + 1]) ?? 0
            rareName = matches <= query.rareNameMatches
        }
        let plan = SearchPlan(
            query, rareName: rareName, nameCondition: "d.n IN (SELECT rowid FROM dossier_names WHERE dossier_names MATCH ?)",
            nameValue: phrase, dataColumns: DossierColumns.select(alias: "d."))
        let bound = max(query.totalBound, 1)
        var counted = 0
        for part in plan.parts where counted <= bound {
            counted += try Int.fetchOne(db, sql: part.count, arguments: arguments(part.countValues)) ?? 0
        }
        let (sql, values) = plan.page
        let rows = try Row.fetchAll(db, sql: sql, arguments: arguments(values))
        let items = try rows.prefix(query.limit).map { try dossier(from: $0, versions: versions, db: db) }
        let next = rows.count > query.limit ? items.last.map(DossierCursor.init(after:)) : nil
        return DossierPage(total: min(counted, bound), totalIsExact: counted <= bound, items: items, next: next)
    }

    static func arguments(_ values: [SearchValue]) -> StatementArguments {
        StatementArguments(values.map { value -> DatabaseValue in
            switch value {
            case let .text(text): text.databaseValue
            case let .real(number): number.databaseValue
            }
        })
    }

    /// An FTS5 phrase: the text's trigrams in a row, which is the text as a substring.
    static func phrase(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

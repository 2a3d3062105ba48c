import Foundation
import GRDB
import MotCuaCore

// Officers' lists and searches, planned in `SearchPlan`.
extension SQLiteStore {
    public func search(_ query: DossierQuery) async throws -> DossierPage {
        let versions = versions
        return try await pool.read { db in try Self.search(query, versions: versions, db: db) }
    }

    static func search(_ query: DossierQuery, versions: ProcedureVersions, db: Database) throws -> DossierPage {
        var nameMatches: Int?
        if let (sql, values) = SearchPlan.nameCount(query), let row = try Row.fetchOne(db, sql: sql, arguments: arguments(values)) {
            nameMatches = row[1]
        }
        let plan = SearchPlan(query, nameMatches: nameMatches, dataColumns: DossierColumns.select(alias: "d."))
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
}

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
        var nameMatches: Int?, nameKeyRows = 0
        if let (sql, values) = SearchPlan.nameCount(query), let row = try Row.fetchOne(db, sql: sql, arguments: arguments(values)) {
            (nameKeyRows, nameMatches) = (row[0], row[1])
        }
        // A status with a name: SQLite's planner walked the agency's list by its primary key, which
        // carries the name, rather than `dossier_list_status`, which carries it too: 5.7 s cold for
        // 1,452 "nguyen van" in processing among the 2.8 million dossiers a provincial centre sees.
        let statusIndex: (DossierStatus) -> String = { _ in " INDEXED BY dossier_list_status" }
        let plan = SearchPlan(query, nameMatches: nameMatches, dataColumns: DossierColumns.select(alias: "d."), statusIndex: statusIndex)
        let bound = max(query.totalBound, 1)
        var counted = 0
        if plan.nameDecidesTotal, let nameMatches {
            // Counted on the name's keys already; past the bound of key rows, "at least".
            counted = nameKeyRows > bound ? bound + 1 : nameMatches
        } else {
            for part in plan.parts where counted <= bound {
                counted += try Int.fetchOne(db, sql: part.count, arguments: arguments(part.countValues)) ?? 0
            }
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

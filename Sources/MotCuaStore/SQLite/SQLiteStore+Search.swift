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
        var nameCount: (rows: Int, matches: Int)?
        if let (sql, values) = SearchPlan.nameCount(query), let row = try Row.fetchOne(db, sql: sql, arguments: arguments(values)) {
            nameCount = (row[0], row[1])
        }
        // A status with a name: SQLite's planner walked the agency's list by its primary key, which
        // carries the name, rather than `dossier_list_status`, which carries it too: 5.7 s cold for
        // 1,452 "nguyen van" in processing among the 2.8 million dossiers a provincial centre sees.
        let plan = SearchPlan(
            query, nameCount: nameCount, dataColumns: DossierColumns.select(alias: "d."), statusIndex: " INDEXED BY dossier_list_status")
        var counted = plan.decidedTotal ?? 0
        if plan.decidedTotal == nil {
            for part in plan.parts where counted <= plan.bound {
                counted += try Int.fetchOne(db, sql: part.count, arguments: arguments(part.countValues)) ?? 0
            }
        }
        let (sql, values) = plan.page
        let items = try Row.fetchAll(db, sql: sql, arguments: arguments(values)).map { try dossier(from: $0, versions: versions, db: db) }
        return plan.answer(counted: counted, items: items)
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

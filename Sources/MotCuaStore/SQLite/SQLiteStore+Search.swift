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
        // A status with a name: SQLite's planner walks the agency's list by its primary key, which
        // carries the name (the status index would need a lookup a row). Right for a common
        // status; for a rare one the status index is far shorter: 144 "nguyen van" in processing
        // among a million took 79 ms by the key, 5 ms by the index. So the index for a status
        // the agency holds at most 20,000 of (counted on the index alone).
        let statusIndex: (DossierStatus) -> String = { status in
            guard let agency = query.visibleToAgency, SearchPlan.folded(query) != nil else { return "" }
            let held = (try? Int.fetchOne(db, sql: """
                SELECT count(*) FROM (SELECT 1 FROM dossier_list INDEXED BY dossier_list_status WHERE agency_id = ? AND status = ? LIMIT 20001)
                """, arguments: [agency, status.rawValue])) ?? nil
            return (held ?? 20_001) <= 20_000 ? " INDEXED BY dossier_list_status" : ""
        }
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

import Foundation
import MotCuaCore

// The officer queues, planned once for both backends (issue #21): a provincial centre's queues
// are read on every screen, over years of history, and must stay in milliseconds.
//
// - Each queue is one or more disjoint conditions, each one range of an index: the post office's
//   queue is postal intakes not yet received plus results to send by post. Counted as one OR,
//   SQLite read all of a centre's 150,000 uncollected results to find the 5,276 for the post
//   (11 ms); counted apart, each from its own range (`channel IN` before `return_method` in
//   `dossiers_current_agency`), 0.4 ms.
// - Counts stop at the query's `totalBound` (10,000), as a search's do.
// - A page is one statement in the queue's order. (Taking the ids first and reading their rows
//   after was tried: 8.2 against 5.8 ms for the digest's thousand at 10M, 250 against 228 ms for
//   the first page of a centre's 94,556 uncollected results, which sorts them all: not kept.)
package struct QueuePlan: Sendable {
    /// The queue's conditions on `dossiers`: disjoint, each counted on its own.
    package let parts: [(sql: String, values: [SearchValue])]
    package let bound: Int
    let watched: Bool
    let limit: Int
    let offset: Int

    package init(_ query: QueueQuery) {
        let open = DossierStatus.allCases.filter { !$0.isFinal }
        let agency = SearchValue.text(query.agencyID)
        let now = SearchValue.real(query.now.timeIntervalSince1970)
        func inOpen() -> (String, [SearchValue]) {
            ("status IN (\(SearchPlan.marks(open.count)))", open.map { .text($0.rawValue) })
        }
        let (openSQL, openValues) = inOpen()
        switch query.kind {
        case .mine:
            parts = [("current_agency_id = ? AND handler_id = ? AND \(openSQL)", [agency, .text(query.officerID ?? "")] + openValues)]
        case .department:
            parts = [("current_agency_id = ? AND department_id = ? AND \(openSQL)", [agency, .text(query.departmentID ?? "")] + openValues)]
        case .agency:
            parts = [("current_agency_id = ? AND \(openSQL)", [agency] + openValues)]
        case .nearDue:
            parts = [("current_agency_id = ? AND watch_due IS NOT NULL AND watch_due >= ? AND watch_near <= ?", [agency, now, now])]
        case .overdue:
            parts = [("current_agency_id = ? AND watch_due IS NOT NULL AND watch_due < ?", [agency, now])]
        case .supplementation:
            parts = [("current_agency_id = ? AND status = 'supplementation'", [agency])]
        case .ready:
            parts = [("current_agency_id = ? AND status = 'resultReady'", [agency])]
        case .incoming:
            parts = [("pending_agency_id = ?", [agency])]
        case .receivedForOthers:
            parts = [("receiving_agency_id = ? AND \(openSQL)", [agency] + openValues)]
        case .postal:
            let channels = Channel.allCases.map { SearchValue.text($0.rawValue) }
            parts = [
                ("current_agency_id = ? AND status = 'submitted' AND channel = 'postal'", [agency]),
                ("current_agency_id = ? AND status = 'resultReady' AND channel IN (\(SearchPlan.marks(channels.count))) AND return_method = 'post'",
                 [agency] + channels),
            ]
        }
        // The watched queues in the order of `dossiers_watch_due`, so that a page (the digest's
        // thousand) stops early instead of sorting every overdue dossier of the agency; the same
        // order as the general one, since their watch_due is never NULL.
        watched = query.kind == .overdue || query.kind == .nearDue
        bound = max(query.totalBound, 1)
        limit = query.limit
        offset = query.offset
    }

    /// One row, one column: the parts' counts summed, each stopped one past the bound.
    package var count: (sql: String, values: [SearchValue]) {
        let counts = parts.map { "(SELECT count(*) FROM (SELECT 1 FROM dossiers WHERE \($0.sql) LIMIT \(bound + 1)) AS matches)" }
        return ("SELECT " + counts.joined(separator: " + "), parts.flatMap(\.values))
    }

    /// The queue's order, on the columns of `table` ("d.").
    func order(_ table: String) -> String {
        let p = table
        return watched
            ? "\(p)watch_due, \(p)submitted_at, \(p)code"
            : "coalesce(\(p)watch_due, \(p)due_at) IS NULL, coalesce(\(p)watch_due, \(p)due_at), \(p)submitted_at, \(p)code"
    }

    /// The page's rows (`columns` of `dossiers d`), in the queue's order; nil for a count alone
    /// (a limit of 0).
    package func page(columns: String) -> (sql: String, values: [SearchValue])? {
        guard limit > 0 else { return nil }
        let condition = parts.map { "(\($0.sql))" }.joined(separator: " OR ")
        let sql = "SELECT \(columns) FROM dossiers d WHERE \(condition) ORDER BY \(order("d.")) LIMIT \(limit) OFFSET \(offset)"
        return (sql, parts.flatMap(\.values))
    }

    package func answer(counted: Int, items: [Dossier]) -> DossierPage {
        DossierPage(total: min(counted, bound), totalIsExact: counted <= bound, items: items)
    }
}

import Foundation
import MotCuaCore

// Officers' lists and searches over an agency's history (issue #21), planned once for both
// backends: a provincial centre holds a million dossiers and more, and a page must come back in
// milliseconds.
//
// Each search is driven by the narrowest index that answers it, and never sorts or counts the
// agency's whole history:
// - an exact key (ID number, phone, code or code prefix, a list of codes) or a rare name reads
//   the few dossiers it names, newest first, each checked against the agency's `dossier_list`
//   row by that row's primary key;
// - anything else walks the agency's `dossier_list` rows newest first (its primary key, or
//   `dossier_list_status` / `dossier_list_procedure` for those filters) and stops at the page;
//   a common name is matched there, on the folded name each row carries.
// A name is rare when the name index holds at most `rareNameMatches` of it in the whole
// database (the backend's probe; `DossierQuery.rareNameMatches`, 5,000): commoner ones are found
// walking the agency's list, where a page of "nguyen van" is a few hundred rows away. Totals are counted up to the query's `totalBound`; pages after
// the first go by keyset (`after`), several statuses as one ordered range each, merged.

/// A value bound into a search.
package enum SearchValue: Sendable {
    case text(String)
    case real(Double)
}

/// The SQL of one search, with `?` for each bound value (PostgreSQL renumbers them).
package struct SearchPlan: Sendable {
    /// Walks the agency's `dossier_list` (alias `l`), else `dossiers` (alias `d`).
    package let byList: Bool
    /// One (count, page) pair per ordered range.
    package var parts: [(count: String, page: String, countValues: [SearchValue], pageValues: [SearchValue])] = []
    /// Merges the parts' pages: ordered newest first, past the offset, one more than the limit.
    package let merge: String

    /// The folded name the query searches for, when it needs the backend's name probe (to tell
    /// a rare name from a common one).
    package static func nameToProbe(_ query: DossierQuery) -> String? {
        guard let folded = folded(query), folded.count >= 3, !hasExactKey(query) else { return nil }
        return folded
    }

    /// `nameCondition`: the backend's condition on `d` that uses its name index, one value (the
    /// folded name). `rareName`: the probe's verdict (false when there was none).
    package init(_ query: DossierQuery, rareName: Bool, nameCondition: String, nameValue: (String) -> String, dataColumns: String) {
        let exactKey = Self.hasExactKey(query)
        byList = query.visibleToAgency != nil && !exactKey && !rareName
        var sql = Conditions(byList: byList)
        if let agency = query.visibleToAgency {
            if byList {
                sql.list("l.agency_id = ?", .text(agency))
            } else {
                sql.dossier(
                    "EXISTS (SELECT 1 FROM dossier_list l WHERE l.agency_id = ? AND l.submitted_at = d.submitted_at AND l.dossier_id = d.id)",
                    .text(agency))
            }
        }
        if let idNumber = query.idNumber { sql.dossier("d.id_number = ?", .text(idNumber)) }
        if let phone = query.phone { sql.dossier("d.phone = ?", .text(phone)) }
        if let code = query.code {
            // A whole code or its start ("000.00.00.H42-2611"), or, within an agency, a code of its
            // own without the agency part ("261129-0002"): one or two ranges of the code index.
            let end = "\u{10FFFF}"
            if let agency = query.visibleToAgency, !code.hasPrefix(agency + "-") {
                let own = agency + "-" + code
                sql.dossier(
                    "((d.code >= ? AND d.code < ?) OR (d.code >= ? AND d.code < ?))",
                    .text(code), .text(code + end), .text(own), .text(own + end))
            } else {
                sql.dossier("d.code >= ? AND d.code < ?", .text(code), .text(code + end))
            }
        }
        if !query.codes.isEmpty { sql.dossier("d.code IN (\(Self.marks(query.codes.count)))", values: query.codes.map(SearchValue.text)) }
        if let folded = Self.folded(query) {
            if rareName || (!byList && !exactKey && folded.count >= 3) {
                sql.dossier(nameCondition, .text(nameValue(folded)))
            } else if byList {
                sql.list("l.name_folded LIKE ? ESCAPE '\\'", .text(Self.like(folded)))
            } else {
                sql.dossier("d.applicant_folded LIKE ? ESCAPE '\\'", .text(Self.like(folded)))
            }
        }
        if let procedure = query.procedureCode { sql.either("procedure_code = ?", .text(procedure)) }
        if let from = query.submittedFrom { sql.either("submitted_at >= ?", .real(from.timeIntervalSince1970)) }
        if let to = query.submittedTo { sql.either("submitted_at < ?", .real(to.timeIntervalSince1970)) }
        if let agency = query.agencyID { sql.dossier("d.agency_id = ?", .text(agency)) }
        if !query.procedureCodes.isEmpty {
            sql.dossier("d.procedure_code IN (\(Self.marks(query.procedureCodes.count)))", values: query.procedureCodes.map(SearchValue.text))
        }

        let bound = max(query.totalBound, 1)
        // Each status its own ordered range, merged: one `IN` over several is read whole and sorted.
        let statusSets: [[String]] = query.statuses.isEmpty ? [[]]
            : byList ? query.statuses.map { [$0.rawValue] } : [query.statuses.map(\.rawValue)]
        for statuses in statusSets {
            var part = sql
            if !statuses.isEmpty { part.either("status IN (\(Self.marks(statuses.count)))", values: statuses.map(SearchValue.text)) }
            let counting = part.render(counting: true)
            if let after = query.after { part.keyset(after) }
            let paging = part.render(counting: false)
            parts.append((
                count: "SELECT count(*) FROM (SELECT 1 FROM \(counting.from) WHERE \(counting.conditions) LIMIT \(bound + 1)) AS matches",
                page: """
                    SELECT * FROM (SELECT \(dataColumns), \(part.orderColumns) FROM \(paging.from) WHERE \(paging.conditions)
                    ORDER BY \(part.order) LIMIT \(query.limit + query.offset + 1)) AS part
                    """,
                countValues: counting.values, pageValues: paging.values))
        }
        merge = " ORDER BY sort_at DESC, sort_id DESC LIMIT \(query.limit + 1) OFFSET \(query.offset)"
    }

    /// The parts' pages as one statement, and its values in order.
    package var page: (sql: String, values: [SearchValue]) {
        (parts.map(\.page).joined(separator: " UNION ALL ") + merge, parts.flatMap(\.pageValues))
    }

    static func folded(_ query: DossierQuery) -> String? {
        query.name.map(foldedSearchKey).flatMap { $0.isEmpty ? nil : $0 }
    }

    static func hasExactKey(_ query: DossierQuery) -> Bool {
        query.idNumber != nil || query.phone != nil || query.code != nil || !query.codes.isEmpty
    }

    /// A LIKE pattern for `text` anywhere, its wildcards escaped with `\`.
    package static func like(_ text: String) -> String {
        "%" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
    }

    static func marks(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }
}

/// A search's conditions, on the agency's list rows (`l`) or on the dossiers (`d`).
private struct Conditions {
    let byList: Bool
    private var listConditions: [String] = []
    private var dossierConditions: [String] = []
    private var listValues: [SearchValue] = []
    private var dossierValues: [SearchValue] = []

    init(byList: Bool) {
        self.byList = byList
    }

    mutating func list(_ condition: String, _ values: SearchValue...) {
        listConditions.append(condition)
        listValues += values
    }

    mutating func dossier(_ condition: String, _ values: SearchValue...) {
        dossier(condition, values: values)
    }

    mutating func dossier(_ condition: String, values: [SearchValue]) {
        dossierConditions.append(condition)
        dossierValues += values
    }

    /// A condition on a column both tables have (status, procedure, submission time).
    mutating func either(_ condition: String, _ values: SearchValue...) {
        either(condition, values: values)
    }

    mutating func either(_ condition: String, values: [SearchValue]) {
        if byList {
            listConditions.append("l." + condition)
            listValues += values
        } else {
            dossier("d." + condition, values: values)
        }
    }

    /// After the cursor, in the order of `order`.
    mutating func keyset(_ after: DossierCursor) {
        if byList {
            list("(l.submitted_at, l.dossier_id) < (?, ?)", .real(after.submittedAt), .text(after.id))
        } else {
            dossier("(d.submitted_at, d.id) < (?, ?)", .real(after.submittedAt), .text(after.id))
        }
    }

    var orderColumns: String { byList ? "l.submitted_at AS sort_at, l.dossier_id AS sort_id" : "d.submitted_at AS sort_at, d.id AS sort_id" }
    var order: String { byList ? "l.submitted_at DESC, l.dossier_id DESC" : "d.submitted_at DESC, d.id DESC" }

    /// FROM, WHERE and the values in their order. A page reads the dossier rows; a count over the
    /// list joins them only when a condition is on them.
    func render(counting: Bool) -> (from: String, conditions: String, values: [SearchValue]) {
        let conditions = listConditions + dossierConditions
        let from = !byList ? "dossiers d"
            : counting && dossierConditions.isEmpty ? "dossier_list l" : "dossier_list l JOIN dossiers d ON d.id = l.dossier_id"
        return (from, conditions.isEmpty ? "1 = 1" : conditions.joined(separator: " AND "), listValues + dossierValues)
    }
}

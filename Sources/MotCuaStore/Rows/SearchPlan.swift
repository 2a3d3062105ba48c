import Foundation
import MotCuaCore

// Officers' lists and searches over an agency's history (issue #21), planned once for both
// backends: a provincial centre holds a million dossiers and more, and a page must come back in
// milliseconds.
//
// Each search is driven by the narrowest index that answers it, and never sorts or counts the
// agency's whole history:
// - an exact key (ID number, phone, code or code prefix, a list of codes) reads the dossiers it
//   names, each checked against the agency's `dossier_list` row by that row's primary key; by
//   code, last code first from the code index (`DossierQuery.ordersByCode`), which stops at the
//   page of a prefix matching a month; otherwise newest first;
// - a name reads the agency's `dossier_name_keys` (see `nameKeys`): counted there up to the
//   total's bound, and when it matches at most `DossierQuery.rareNameMatches` (5,000) dossiers,
//   read from there and sorted;
// - anything else, a commoner name included, walks the agency's `dossier_list` rows newest first
//   (its primary key, or `dossier_list_status` / `dossier_list_procedure` for those filters) and
//   stops at the page: a page of "nguyen van" is a few hundred rows away.
// Totals are counted up to the query's `totalBound`; pages after the first go by keyset
// (`after`), several statuses as one ordered range each, merged.
//
// A name matches where a word of the applicant's folded name starts (no diacritics, any case,
// đ→d): "van an" finds Lê Văn Anh, "an" finds Phạm An and Nguyễn Thị Ánh. Why not trigrams
// (SQLite's FTS5 trigram tokenizer, PostgreSQL's pg_trgm), which also match inside a word: a
// Vietnamese name is a few syllables from a vocabulary of a few hundred, so every trigram of a
// name is common, and a rare full name ("Nguyễn Minh Yến Tuyết") cost 371 ms in an FTS5 phrase
// query over 10M names (850 ms through the API), where the word-start keys answer from one B-tree
// range (`docs/benchmarks.md`).

/// A value bound into a search.
package enum SearchValue: Sendable {
    case text(String)
    case real(Double)
}

/// The keys a name is found by: the folded name from each of its words to its end ("nguyen van
/// an", "van an", "an"), each at most `maxKeyCharacters` long (PostgreSQL's migration cuts them
/// the same way, with `left`).
package func nameKeys(folded: String) -> [String] {
    let words = folded.split(separator: " ")
    return Set(words.indices.map { i in
        String(String.UnicodeScalarView(words[i...].joined(separator: " ").unicodeScalars.prefix(SearchPlan.maxKeyCharacters)))
    }).sorted()
}

/// The SQL of one search, with `?` for each bound value (PostgreSQL renumbers them).
package struct SearchPlan: Sendable {
    package enum Driver: Sendable {
        /// The agency's `dossier_list` rows (`l`), newest first.
        case list
        /// The agency's `dossier_name_keys` rows (`k`) of a rare name.
        case nameKeys
        /// `dossiers` (`d`) through an exact key, or without an agency.
        case dossiers
    }

    package static let maxKeyCharacters = 100

    package let driver: Driver
    /// Ordered by code (`DossierQuery.ordersByCode`), not by submission time.
    package let byCode: Bool
    /// The total when the name alone decides the matches (no other filter): the name count's,
    /// one past the bound when its key rows passed it. Nil: count the parts.
    package let decidedTotal: Int?
    /// Totals are counted up to this many matches.
    package let bound: Int
    let limit: Int
    /// One (count, page) pair per ordered range.
    package var parts: [(count: String, page: String, countValues: [SearchValue], pageValues: [SearchValue])] = []
    /// Merges the parts' pages: ordered newest first, past the offset, one more than the limit.
    package let merge: String

    /// The statement that counts (up to `bound` + 1) a name's key rows in an agency, the distinct
    /// dossiers among them, and its values; nil when the search is not by name within an agency.
    package static func nameCount(_ query: DossierQuery, collation: String = "") -> (sql: String, values: [SearchValue])? {
        guard let agency = query.visibleToAgency, let folded = folded(query), !hasExactKey(query) else { return nil }
        return ("""
            SELECT count(*), count(DISTINCT dossier_id) FROM (SELECT k.dossier_id FROM dossier_name_keys k
            WHERE k.agency_id = ? AND k.key\(collation) >= ? AND k.key\(collation) < ? LIMIT \(max(query.totalBound, 1) + 1)) AS m
            """, [.text(agency), .text(folded), .text(folded + end)])
    }

    /// `nameCount`: what `nameCount` found, its key rows and their distinct dossiers (nil when it
    /// did not apply).
    /// `collation`: what makes a comparison of codes and keys bytewise (PostgreSQL: ` COLLATE "C"`).
    /// `statusIndex`: the hint that makes a status of the list read `dossier_list_status`
    /// (SQLite: see `SQLiteStore.search`).
    package init(
        _ query: DossierQuery, nameCount: (rows: Int, matches: Int)?, dataColumns: String, collation: String = "",
        statusIndex: String = ""
    ) {
        let nameMatches = nameCount?.matches
        let exactKey = Self.hasExactKey(query)
        let folded = Self.folded(query)
        if query.visibleToAgency == nil || exactKey {
            driver = .dossiers
        } else if let nameMatches, nameMatches <= query.rareNameMatches {
            driver = .nameKeys
        } else {
            driver = .list
        }
        let bound = max(query.totalBound, 1)
        self.bound = bound
        byCode = query.ordersByCode
        limit = query.limit
        let nameDecides = folded != nil && query.visibleToAgency != nil && !exactKey && query.statuses.isEmpty
            && query.procedureCode == nil && query.submittedFrom == nil && query.submittedTo == nil && query.agencyID == nil
            && query.procedureCodes.isEmpty
        decidedTotal = nameDecides ? nameCount.map { $0.rows > bound ? bound + 1 : $0.matches } : nil
        var sql = Conditions(driver: driver, byCode: byCode, collation: collation)
        if let agency = query.visibleToAgency {
            switch driver {
            case .list: sql.main("l.agency_id = ?", .text(agency))
            case .nameKeys: sql.main("k.agency_id = ?", .text(agency))
            case .dossiers:
                // A code names its receiving agency ("000.00.00.H42-…"), which always sees it: a
                // prefix of the agency's own codes needs no look-up at all (the count is then the
                // code index's alone: 116 → 2 ms for 10,000 at 10M).
                if let code = query.code, query.idNumber == nil, query.phone == nil, query.codes.isEmpty, code.hasPrefix(agency + "-") {
                    break
                }
                // The receiving agency always has its list row: only others' dossiers are looked up.
                sql.dossier(
                    """
                    (d.agency_id = ? OR EXISTS (SELECT 1 FROM dossier_list l
                      WHERE l.agency_id = ? AND l.submitted_at = d.submitted_at AND l.dossier_id = d.id))
                    """,
                    .text(agency), .text(agency))
            }
        }
        if let idNumber = query.idNumber { sql.dossier("d.id_number = ?", .text(idNumber)) }
        if let phone = query.phone { sql.dossier("d.phone = ?", .text(phone)) }
        // A whole code or its start ("000.00.00.H42-2611"), or, within an agency, a code of its own
        // without the agency part ("261129-0002"): one or two ranges of the code index, each its
        // own part (an OR of the two would be read whole and sorted).
        var codeStarts: [String?] = [nil]
        if let code = query.code {
            codeStarts = [code]
            if let agency = query.visibleToAgency, !code.hasPrefix(agency + "-"), !(agency + "-" + code).hasPrefix(code) {
                codeStarts.append(agency + "-" + code)
            }
        }
        if !query.codes.isEmpty { sql.dossier("d.code IN (\(Self.marks(query.codes.count)))", values: query.codes.map(SearchValue.text)) }
        if let folded {
            switch driver {
            case .nameKeys:
                sql.main("k.key\(collation) >= ? AND k.key\(collation) < ?", .text(folded), .text(folded + Self.end))
            case .list:
                sql.main("(l.name_folded LIKE ? ESCAPE '\\' OR l.name_folded LIKE ? ESCAPE '\\')", .text(Self.startLike(folded)), .text("% " + Self.startLike(folded)))
            case .dossiers:
                sql.dossier("(d.applicant_folded LIKE ? ESCAPE '\\' OR d.applicant_folded LIKE ? ESCAPE '\\')", .text(Self.startLike(folded)), .text("% " + Self.startLike(folded)))
            }
        }
        if let procedure = query.procedureCode { sql.either("procedure_code = ?", .text(procedure)) }
        if let from = query.submittedFrom { sql.either("submitted_at >= ?", .real(from.timeIntervalSince1970)) }
        if let to = query.submittedTo { sql.either("submitted_at < ?", .real(to.timeIntervalSince1970)) }
        if let agency = query.agencyID { sql.dossier("d.agency_id = ?", .text(agency)) }
        if !query.procedureCodes.isEmpty {
            sql.dossier("d.procedure_code IN (\(Self.marks(query.procedureCodes.count)))", values: query.procedureCodes.map(SearchValue.text))
        }

        // Each status its own ordered range, merged: one `IN` over several is read whole and sorted.
        let statusSets: [[DossierStatus]] = query.statuses.isEmpty ? [[]] : driver == .list ? query.statuses.map { [$0] } : [query.statuses]
        // A dossier may have two keys in a name's range ("an" in "Phạm An Anh"): read once.
        let distinct = driver == .nameKeys ? "DISTINCT " : ""
        for statuses in statusSets {
          for codeStart in codeStarts {
            var part = sql
            if let codeStart {
                part.dossier("d.code\(collation) >= ? AND d.code\(collation) < ?", .text(codeStart), .text(codeStart + Self.end))
            }
            if let status = statuses.first, driver == .list {
                part.either("status = ?", .text(status.rawValue))
                part.hint = statusIndex
            } else if !statuses.isEmpty {
                part.either("status IN (\(Self.marks(statuses.count)))", values: statuses.map { .text($0.rawValue) })
            }
            let counting = part.render(counting: true)
            // A cursor of the other order is refused by the caller (the API's 422); never mixed in.
            if let after = query.after, after.isByCode == byCode { part.keyset(after) }
            let paging = part.render(counting: false)
            parts.append((
                count: """
                    SELECT count(*) FROM (SELECT \(driver == .nameKeys ? distinct + part.idColumn : "1") FROM \(counting.from) WHERE \(counting.conditions)
                    LIMIT \(bound + 1)) AS matches
                    """,
                page: """
                    SELECT * FROM (SELECT \(distinct)\(dataColumns), \(part.orderColumns) FROM \(paging.from) WHERE \(paging.conditions)
                    ORDER BY \(part.order) LIMIT \(query.limit + query.offset + 1)) AS part
                    """,
                countValues: counting.values, pageValues: paging.values))
          }
        }
        merge = " ORDER BY sort_at DESC, sort_id DESC LIMIT \(query.limit + 1) OFFSET \(query.offset)"
    }

    /// The answer: `counted` matches (past the bound: "at least"), the page's dossiers (one more
    /// than the limit when there are more).
    package func answer(counted: Int, items: [Dossier]) -> DossierPage {
        let next = items.count > limit ? items[limit - 1] : nil
        return DossierPage(
            total: min(counted, bound), totalIsExact: counted <= bound, items: Array(items.prefix(limit)),
            next: next.map { byCode ? .code($0.code) : DossierCursor(after: $0) })
    }

    /// The parts' pages as one statement, and its values in order.
    package var page: (sql: String, values: [SearchValue]) {
        (parts.map(\.page).joined(separator: " UNION ALL ") + merge, parts.flatMap(\.pageValues))
    }

    /// Past every text that starts with a given one, in byte order.
    static let end = "\u{10FFFF}"

    package static func folded(_ query: DossierQuery) -> String? {
        query.name.map(foldedSearchKey).flatMap { $0.isEmpty ? nil : $0 }
    }

    static func hasExactKey(_ query: DossierQuery) -> Bool {
        query.idNumber != nil || query.phone != nil || query.code != nil || !query.codes.isEmpty
    }

    /// A LIKE pattern for text that starts with `text`, its wildcards escaped with `\`.
    static func startLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
    }

    static func marks(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }
}

/// A search's conditions, on the driving table's rows (`l`, `k`) or on the dossiers (`d`).
private struct Conditions {
    let driver: SearchPlan.Driver
    let byCode: Bool
    let collation: String
    /// After the driving table's name (an index hint).
    var hint = ""
    private var mainConditions: [String] = []
    private var dossierConditions: [String] = []
    private var mainValues: [SearchValue] = []
    private var dossierValues: [SearchValue] = []

    init(driver: SearchPlan.Driver, byCode: Bool, collation: String) {
        self.driver = driver
        self.byCode = byCode
        self.collation = collation
    }

    /// A condition on the driving table (not `dossiers`).
    mutating func main(_ condition: String, _ values: SearchValue...) {
        mainConditions.append(condition)
        mainValues += values
    }

    mutating func dossier(_ condition: String, _ values: SearchValue...) {
        dossier(condition, values: values)
    }

    mutating func dossier(_ condition: String, values: [SearchValue]) {
        dossierConditions.append(condition)
        dossierValues += values
    }

    /// A condition on a column the list rows and the dossiers both have (status, procedure,
    /// submission time): on the list rows when they drive.
    mutating func either(_ condition: String, _ values: SearchValue...) {
        either(condition, values: values)
    }

    mutating func either(_ condition: String, values: [SearchValue]) {
        if driver == .list {
            main("l." + condition, values: values)
        } else {
            dossier("d." + condition, values: values)
        }
    }

    private mutating func main(_ condition: String, values: [SearchValue]) {
        mainConditions.append(condition)
        mainValues += values
    }

    /// After the cursor, in the order of `order` (the caller checked that the cursor's kind is
    /// the search's: `DossierCursor.isByCode`).
    mutating func keyset(_ after: DossierCursor) {
        switch after {
        case let .submitted(at, id):
            main("(\(prefix).submitted_at, \(prefix).\(idName)) < (?, ?)", values: [.real(at), .text(id)])
        case let .code(code):
            main("d.code\(collation) < ?", values: [.text(code)])
        }
    }

    private var prefix: String {
        switch driver {
        case .list: "l"
        case .nameKeys: "k"
        case .dossiers: "d"
        }
    }

    private var idName: String { driver == .dossiers ? "id" : "dossier_id" }
    var idColumn: String { "\(prefix).\(idName)" }
    var orderColumns: String {
        byCode ? "d.code\(collation) AS sort_at, d.id AS sort_id" : "\(prefix).submitted_at AS sort_at, \(prefix).\(idName) AS sort_id"
    }
    var order: String { byCode ? "d.code\(collation) DESC" : "\(prefix).submitted_at DESC, \(prefix).\(idName) DESC" }

    /// FROM, WHERE and the values in their order. A page reads the dossier rows; a count over the
    /// list or the name keys joins them only when a condition is on them.
    func render(counting: Bool) -> (from: String, conditions: String, values: [SearchValue]) {
        let conditions = mainConditions + dossierConditions
        let table = switch driver {
        case .list: "dossier_list l\(hint)"
        case .nameKeys: "dossier_name_keys k"
        case .dossiers: "dossiers d"
        }
        let from = driver == .dossiers || (counting && dossierConditions.isEmpty) ? table : "\(table) JOIN dossiers d ON d.id = \(idColumn)"
        return (from, conditions.isEmpty ? "1 = 1" : conditions.joined(separator: " AND "), mainValues + dossierValues)
    }
}

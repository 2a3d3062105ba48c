import Foundation
import MotCuaCore
import MotCuaDemo
import Testing
@testable import MotCuaStore

/// The search against a model: random dossiers, random queries, and for each the set the store
/// returns (walked page by page) must be the set a plain filter over every dossier gives, on
/// both backends, through whichever index the plan chose.
@Suite("Search against a plain filter, on every backend")
struct SearchModelTests {
    static let families = ["Nguyễn", "Trần", "Lê", "Phạm", "Đặng", "Võ"]
    static let middles = ["Văn", "Thị", "Minh", "Đức"]
    static let givens = ["An", "Ánh", "Bình", "Dũng", "Đào", "Anh"]

    @Test("Random queries return exactly the dossiers a plain filter finds", arguments: Backend.all)
    func model(backend: Backend) async throws {
        let store = try await backend.makeStore()
        var rng = SeededGenerator(seed: 77)
        let start = WorkCalendar.parse("2026-03-02T08:00:00+07:00")!
        var dossiers: [Dossier] = []
        for index in 0..<60 {
            let name = [Self.families, Self.middles, Self.givens].map { $0.randomElement(using: &rng)! }.joined(separator: " ")
            var application = intake(name, procedureCode: Bool.random(using: &rng) ? "1.001193" : "1.000656")
            application.applicant.idNumber = String(format: "0421900%05d", index % 20)
            let at = start.addingTimeInterval(Double(Int.random(in: 0..<(3 * 24), using: &rng)) * 3_600)
            var filed = try await file(store, application, at: at)
            if Int.random(in: 0..<3, using: &rng) == 0 {
                let context = DecisionContext(actor: desk, now: at + 60, calendar: calendar)
                filed = try await store.apply(code: filed.code) { try Lifecycle.decide(.refuse(reason: "Không đủ"), dossier: $0, context: context) }
            }
            dossiers.append(filed)
        }

        func matches(_ d: Dossier, _ q: DossierQuery) -> Bool {
            if let name = q.name {
                let folded = foldedSearchKey(name)
                guard nameKeys(folded: foldedSearchKey(d.applicant.name)).contains(where: { $0.hasPrefix(folded) }) else { return false }
            }
            if let id = q.idNumber, d.applicant.idNumber != id { return false }
            if !q.statuses.isEmpty, !q.statuses.contains(d.status) { return false }
            if let code = q.procedureCode, d.procedureCode != code { return false }
            if let from = q.submittedFrom, d.submittedAt < from { return false }
            if let to = q.submittedTo, d.submittedAt >= to { return false }
            return true
        }

        for round in 0..<40 {
            var query = DossierQuery(visibleToAgency: desk.agencyID, limit: Int.random(in: 3...9, using: &rng))
            if Bool.random(using: &rng) {
                let family = Self.families.randomElement(using: &rng)!, given = Self.givens.randomElement(using: &rng)!
                query.name = [family, Self.middles.randomElement(using: &rng)!, given, String(given.prefix(1)), "\(family) \(Self.middles[0])"]
                    .randomElement(using: &rng)!.lowercased()
            }
            if Int.random(in: 0..<4, using: &rng) == 0 { query.statuses = [[.refused], [.received], [.refused, .received]].randomElement(using: &rng)! }
            if Int.random(in: 0..<4, using: &rng) == 0 { query.procedureCode = ["1.001193", "1.000656"].randomElement(using: &rng)! }
            if Int.random(in: 0..<5, using: &rng) == 0 { query.idNumber = String(format: "0421900%05d", Int.random(in: 0..<20, using: &rng)) }
            if Int.random(in: 0..<4, using: &rng) == 0 {
                query.submittedFrom = start.addingTimeInterval(Double(Int.random(in: 0..<36, using: &rng)) * 3_600)
                query.submittedTo = query.submittedFrom!.addingTimeInterval(Double(Int.random(in: 1...36, using: &rng)) * 3_600)
            }
            // A low threshold for "rare" names, so that both of the name's paths are taken.
            query.rareNameMatches = round % 2 == 0 ? 5_000 : 2
            let expected = Set(dossiers.filter { matches($0, query) }.map(\.code))
            var found: [String] = []
            var page = try await store.search(query)
            #expect(page.total == expected.count, "round \(round): \(query)")
            found += page.items.map(\.code)
            var guardrail = 0
            while let next = page.next, guardrail < 30 {
                query.after = next
                page = try await store.search(query)
                found += page.items.map(\.code)
                guardrail += 1
            }
            #expect(found.count == Set(found).count, "round \(round): a dossier twice")
            #expect(Set(found) == expected, "round \(round): \(query.name ?? "-") \(query.statuses) \(query.procedureCode ?? "-")")
        }
    }
}

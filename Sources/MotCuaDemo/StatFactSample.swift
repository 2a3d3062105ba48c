import Foundation
import MotCuaCore

extension StatFact {
    /// A random fact that keeps the lifecycle's order (a pause ends no later than the
    /// resolution; a result goes back after it is ready), received within `days` of `start`:
    /// for property tests and the report benchmark. With `now`, what would happen after it has
    /// not happened yet (so only recent dossiers, and a few stuck ones, are open).
    public static func sample(
        _ n: Int, from start: Int64, days: Int, agencies: [String], procedures: [String], now: Int64? = nil,
        using rng: inout SeededGenerator
    ) -> StatFact {
        func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
        let received = start + Int64.random(in: 0..<(Int64(days) * 86_400), using: &rng)
        let due = received + Int64.random(in: 86_400...(20 * 86_400), using: &rng)
        var resolved: Int64? = received + Int64.random(in: 3600...(30 * 86_400), using: &rng)
        if let now, resolved! >= now || chance(0.003) { resolved = nil } else if now == nil, chance(0.15) { resolved = nil }
        var supplementation: (Int64, Int64?)?
        if chance(0.1) {
            let from = received + Int64.random(in: 0...(10 * 86_400), using: &rng)
            let until: Int64? = chance(0.8) ? from + Int64.random(in: 3600...(15 * 86_400), using: &rng) : nil
            supplementation = (from, until)
            if let r = resolved {
                if let until { resolved = max(r, until) } else { resolved = chance(0.5) ? nil : max(r, from) }
            }
            // Withdrawn while waiting: the pause ends with the dossier.
            if let r = resolved, until == nil { supplementation = (from, r) }
        }
        var fee: (Int64, Int64?)?
        if chance(0.2) {
            let from = received + Int64.random(in: 0...(5 * 86_400), using: &rng)
            let until: Int64? = resolved.map { min($0, from + 86_400) } ?? (chance(0.5) ? from + 86_400 : nil)
            fee = (from, until.map { max($0, from) })
        }
        let online = chance(0.4)
        let resolution: StatFact.Resolution? = resolved.map { r in
            chance(0.04) ? .closed : r > due ? .late : chance(0.3) ? .early : .onTime
        }
        let returned = resolved.flatMap { r in chance(0.8) ? r + Int64.random(in: 0...(5 * 86_400), using: &rng) : nil }
        var fact = StatFact(
            dossierID: "sample-\(n)", agencyID: agencies.randomElement(using: &rng)!, procedureCode: procedures.randomElement(using: &rng)!,
            channel: online ? .online : chance(0.1) ? .postal : .desk, level: online ? (chance(0.5) ? 4 : 3) : 0,
            receivedAt: received, resolvedAt: resolved, resolution: resolution, dueAt: due,
            supplementationFrom: supplementation?.0, supplementationUntil: supplementation?.1, feeFrom: fee?.0, feeUntil: fee?.1,
            returnedAt: returned, returnedByPost: chance(0.25), hasFee: fee != nil, paidOnline: online && chance(0.6),
            digitised: online && chance(0.7), rating: chance(0.3) ? Int.random(in: 1...5, using: &rng) : nil,
            workingSeconds: resolved.map { ($0 - received) / 3 })
        // A few are filed anywhere in the province, at another agency's desk (drawn last, so
        // that the values above stay those of earlier runs).
        if agencies.count > 1, chance(0.05) {
            fact.receivingAgencyID = agencies.filter { $0 != fact.agencyID }.randomElement(using: &rng)
        }
        return fact
    }
}

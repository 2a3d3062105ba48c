import Foundation
import MotCuaDemo
import Testing
@testable import MotCuaCore

/// Model-based: thousands of random command sequences by random officers at random times. After
/// every step the lifecycle's promises must hold, whatever was tried before: a refused command
/// changes nothing, an accepted one moves the dossier only where the rules allow, the control
/// sheet replays to the dossier, a final dossier takes nothing more, and the statistics' four
/// identities hold for the dossier's fact over any period.
@Suite("Lifecycle under random command sequences")
struct LifecycleModelTests {
    static let actors: [Actor] = Role.allCases.map { officer($0) } + [officer(.desk, agency: agencyB), officer(.leader, agency: agencyB)]

    static func command(_ rng: inout SeededGenerator, at now: Date) -> DossierCommand {
        // The commands that end a dossier come rarely, so that sequences reach the later steps.
        switch Int.random(in: 0..<20, using: &rng) {
        case 0: .receive
        case 1: .requestSupplementation(items: ["Giấy chứng sinh"], reason: "Thiếu")
        case 2: .supplementationReceived(note: nil)
        case 3: Int.random(in: 0..<4, using: &rng) == 0 ? .refuse(reason: "Không đủ điều kiện") : .resultReady
        case 4: .transfer(departmentID: ["TPHT", "KHAC"].randomElement(using: &rng)!)
        case 5: .assign(handler: officer(.handler))
        case 6: .sendToAgency(agencyID: agencyB, note: nil)
        case 7: .receiveFromAgency
        case 8: .requestFee(amount: [0, 8000, -1].randomElement(using: &rng)!)
        case 9: .feePaid()
        case 10, 11: .approve(note: nil)
        case 12, 13: .resultReady
        case 14: .returnResult(method: [.desk, .post].randomElement(using: &rng)!)
        case 15: .apologize(reason: "Chậm do xác minh", newDueAt: now.addingTimeInterval(Double(Int.random(in: -3...10, using: &rng)) * 86_400))
        case 16: Int.random(in: 0..<4, using: &rng) == 0 ? .withdraw(reason: "Rút") : .approve(note: nil)
        case 17: Int.random(in: 0..<4, using: &rng) == 0 ? .stop(reason: "Dừng") : .transfer(departmentID: "TPHT")
        case 18: .rate(score: Int.random(in: 0...6, using: &rng), comment: nil)
        default: .downloadResult
        }
    }

    @Test("Random sequences keep every promise of the lifecycle")
    func randomSequences() throws {
        let seed = 2026
        var rng = SeededGenerator(seed: UInt64(seed))
        var accepted: [CommandKind: Int] = [:]
        for run in 0..<500 {
            let start = at("2026-03-02T08:00:00+07:00").addingTimeInterval(Double(Int.random(in: 0..<200, using: &rng)) * 86_400 / 4)
            var now = start
            let deskContext = DecisionContext(actor: officer(.desk), now: now, calendar: testCalendar, departments: departments)
            var events = try Lifecycle.file(completeIntake(), code: "C\(seed)-\(run)", id: "d\(seed)-\(run)", context: deskContext)
            var dossier = try #require(Lifecycle.replay(events))
            for _ in 0..<40 {
                now = now.addingTimeInterval(Double(Int.random(in: 60...(3 * 86_400), using: &rng)))
                let command = Self.command(&rng, at: now)
                // Half the time someone of a role the rules allow (of either agency), half anyone.
                let allowed = Lifecycle.rule(for: command.kind).roles
                let actor = Bool.random(using: &rng)
                    ? Self.actors.randomElement(using: &rng)!
                    : officer(allowed.sorted { $0.rawValue < $1.rawValue }.randomElement(using: &rng)!, agency: Bool.random(using: &rng) ? agencyA : agencyB)
                let before = dossier
                let context = DecisionContext(
                    actor: actor, now: now, calendar: testCalendar, departments: departments, agencyIsActive: { $0 == agencyA || $0 == agencyB })
                let decided: [DossierEvent]
                do {
                    decided = try Lifecycle.decide(command, dossier: dossier, context: context)
                } catch {
                    // Refused: the dossier is as it was (decide is pure, but say it).
                    #expect(dossier == before)
                    continue
                }
                accepted[command.kind, default: 0] += 1
                let (allowedStates, allowedRoles) = Lifecycle.rule(for: command.kind)
                let state = before.status, role = actor.role, kind = command.kind
                #expect(allowedStates.contains(state), "\(kind) accepted from \(state)")
                #expect(allowedRoles.contains(role), "\(kind) accepted from a \(role)")
                // The citizen's rating after return is the one command a final dossier takes.
                #expect(!before.status.isFinal || kind == .rate, "a final dossier took \(kind)")
                dossier = decided.reduce(dossier) { Lifecycle.evolve($0, $1) }
                events += decided
                #expect(dossier.version == before.version + decided.count)
                #expect(decided.map(\.sequence) == Array((before.version + 1)...dossier.version))
                #expect(decided.allSatisfy { $0.at == now })
                // The due time moves only with a pause (its start or its end), a receipt or an apology.
                let moving: Set<DossierEvent.Kind> = [.received, .supplementationRequested, .supplementationReceived, .feeRequested, .feePaid, .apologized]
                let moved = decided.contains { moving.contains($0.kind) }
                if dossier.dueAt != before.dueAt { #expect(moved, "\(kind) moved the due time") }
            }
            #expect(Lifecycle.replay(events) == dossier)
            #expect(events.first?.kind == .created)
            if let fact = StatFact(dossier) {
                for name in ["2026-03", "2026", "2026-Q2", "2027", "2026-H2"] {
                    let bounds = try ReportPeriod(named: name).bounds
                    let tally = Tally.of(fact, from: bounds.from, to: bounds.to)
                    let code = dossier.code
                    #expect(tally.isConsistent, "\(code) over \(name): \(tally)")
                }
            }
        }
        // The sequences reach far into the lifecycle, not only its first steps.
        #expect(accepted[.transfer, default: 0] > 0 && accepted[.approve, default: 0] > 0 && accepted[.resultReady, default: 0] > 0)
        #expect(accepted[.returnResult, default: 0] > 0, "\(accepted.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue)=\($0.value)" })")
    }

    @Test("A final dossier refuses every command from every actor")
    func finalIsFinal() throws {
        var rng = SeededGenerator(seed: 99)
        for status in DossierStatus.allCases where status.isFinal {
            let final = try dossier(in: status)
            for _ in 0..<200 {
                let now = at("2026-03-05T09:00:00+07:00")
                let command = Self.command(&rng, at: now)
                // The citizen's rating after return is the one command a returned dossier takes.
                if status == .returned, case .rate = command { continue }
                // Half the time someone of a role the rules allow (of either agency), half anyone.
                let allowed = Lifecycle.rule(for: command.kind).roles
                let actor = Bool.random(using: &rng)
                    ? Self.actors.randomElement(using: &rng)!
                    : officer(allowed.sorted { $0.rawValue < $1.rawValue }.randomElement(using: &rng)!, agency: Bool.random(using: &rng) ? agencyA : agencyB)
                #expect(throws: DomainError.self, "\(status): \(command.kind) by \(actor.role)") {
                    try Lifecycle.decide(command, dossier: final, context: context(actor, "2026-03-05T09:00:00+07:00"))
                }
            }
        }
    }
}

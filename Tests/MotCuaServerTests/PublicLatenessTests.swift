import Foundation
import MotCuaConfig
import MotCuaCore
import Testing
@testable import MotCuaServer

/// What the citizen's status page says of lateness: late once past the appointment while the
/// clock runs, late for good once finished late or apologised for, never while paused; and the
/// moment that answer would change by the clock alone (the cached page's lifetime).
@Suite("The citizen's 'late' flag")
struct PublicLatenessTests {
    let catalogue = try! SeedLoader.loadCatalogue(from: repository.appendingPathComponent("Seeds"))
    let calendar = try! ConfigLoader.loadCalendars(from: repository.appendingPathComponent("Config")).standard
    let agency = TestServer.agencyA

    func dossier(_ steps: [(DossierCommand, Role, String)]) throws -> Dossier {
        let procedure = try #require(catalogue.procedures.first { $0.code == "1.001193" })
        let intake = Intake(
            procedure: procedure, applicant: Applicant(name: "Trần Thị Bình", idNumber: "042190000123", phone: "0912345678", address: "Sông Trí"),
            documents: procedure.documents.map { ProvidedDocument(name: $0.name, originals: $0.originals, copies: $0.copies) }, returnMethod: .desk)
        let departments = catalogue.tree.agencies[agency]!.departments
        func context(_ role: Role, _ time: String) -> DecisionContext {
            DecisionContext(
                actor: Actor(id: role.rawValue, name: "Cán bộ", role: role, agencyID: agency, departmentID: departments[0].id), now: WorkCalendar.parse(time)!,
                calendar: calendar, departments: departments)
        }
        var d = try #require(Lifecycle.replay(try Lifecycle.file(intake, code: "\(agency)-260302-0001", id: "d1", context: context(.desk, "2026-03-02T08:00:00+07:00"))))
        for (command, role, time) in steps {
            d = try Lifecycle.decide(command, dossier: d, context: context(role, time)).reduce(d) { Lifecycle.evolve($0, $1) }
        }
        return d
    }

    @Test("Open and running: late only past the appointment, and the flag changes then")
    func running() throws {
        let d = try dossier([])
        let due = try #require(d.dueAt)
        #expect(!PublicDossierView.isLate(d, now: due))
        #expect(PublicDossierView.isLate(d, now: due.addingTimeInterval(1)))
        #expect(PublicDossierView.lateFlagChanges(d, now: due.addingTimeInterval(-60)) == due)
        #expect(PublicDossierView.lateFlagChanges(d, now: due.addingTimeInterval(60)) == .distantFuture, "once late, the clock changes nothing")
    }

    @Test("Paused for supplementation: never late meanwhile, and no change by the clock")
    func paused() throws {
        let d = try dossier([(.requestSupplementation(items: ["Giấy chứng sinh"], reason: "Thiếu"), .desk, "2026-03-02T09:00:00+07:00")])
        let far = WorkCalendar.parse("2026-04-30T09:00:00+07:00")!
        #expect(!PublicDossierView.isLate(d, now: far))
        #expect(PublicDossierView.lateFlagChanges(d, now: far) == .distantFuture)
    }

    @Test("Finished on time: not late, ever; finished late: late, ever")
    func finished() throws {
        let department = catalogue.tree.agencies[agency]!.departments[0].id
        let onTime = try dossier([
            (.transfer(departmentID: department), .desk, "2026-03-02T09:00:00+07:00"), (.approve(note: nil), .leader, "2026-03-02T10:00:00+07:00"),
            (.resultReady, .handler, "2026-03-02T11:00:00+07:00"),
        ])
        let far = WorkCalendar.parse("2026-06-30T09:00:00+07:00")!
        #expect(!PublicDossierView.isLate(onTime, now: far) && PublicDossierView.lateFlagChanges(onTime, now: far) == .distantFuture)
        let late = try dossier([
            (.transfer(departmentID: department), .desk, "2026-03-02T09:00:00+07:00"), (.approve(note: nil), .leader, "2026-03-10T10:00:00+07:00"),
            (.resultReady, .handler, "2026-03-10T11:00:00+07:00"),
        ])
        #expect(late.outcome == .late)
        #expect(PublicDossierView.isLate(late, now: WorkCalendar.parse("2026-03-10T12:00:00+07:00")!))
    }

    @Test("Apologised for: late from then on, even before the new appointment")
    func apology() throws {
        let department = catalogue.tree.agencies[agency]!.departments[0].id
        let d = try dossier([
            (.transfer(departmentID: department), .desk, "2026-03-02T09:00:00+07:00"),
            (.apologize(reason: "Chờ xác minh", newDueAt: WorkCalendar.parse("2026-03-20T16:00:00+07:00")!), .leader, "2026-03-03T08:30:00+07:00"),
        ])
        #expect(d.apology != nil)
        #expect(PublicDossierView.isLate(d, now: WorkCalendar.parse("2026-03-04T09:00:00+07:00")!))
    }

    @Test("Refused: closed, not late")
    func refused() throws {
        let d = try dossier([(.refuse(reason: "Không thuộc thẩm quyền"), .desk, "2026-03-02T09:00:00+07:00")])
        #expect(!PublicDossierView.isLate(d, now: WorkCalendar.parse("2026-12-31T09:00:00+07:00")!))
    }
}

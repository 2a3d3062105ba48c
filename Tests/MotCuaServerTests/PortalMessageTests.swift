import Foundation
import MotCuaAPI
import MotCuaConfig
import MotCuaCore
@testable import MotCuaServer
@testable import MotCuaSim
import Testing

/// The messages the national portal gets, built from a control sheet: for every version of
/// dossiers taken along every path, the whole-dossier message and the progress entry must pass
/// the portal's own checks (as its stand-in applies them), and say what happened.
@Suite("Messages to the national portal, built from control sheets")
struct PortalMessageTests {
    let catalogue = try! SeedLoader.loadCatalogue(from: repository.appendingPathComponent("Seeds"))
    let calendar = try! ConfigLoader.loadCalendars(from: repository.appendingPathComponent("Config")).standard
    let agency = TestServer.agencyA, other = TestServer.agencyB

    func actor(_ role: Role, agency: String? = nil) -> Actor {
        let id = agency ?? self.agency
        return Actor(id: "\(role.rawValue)@\(id)", name: "Cán bộ \(role.rawValue)", role: role, agencyID: id, departmentID: catalogue.tree.agencies[id]?.departments.first?.id)
    }

    /// A dossier of 1.001193 taken through `steps`, each an hour after the one before.
    func path(_ steps: [(DossierCommand, Actor)], missing: [String] = []) throws -> [DossierEvent] {
        let procedure = try #require(catalogue.procedures.first { $0.code == "1.001193" })
        let intake = Intake(
            procedure: procedure, applicant: Applicant(name: "Trần Thị Bình", idNumber: "042190000123", phone: "0912345678", address: "Xóm 2, Sông Trí"),
            documents: procedure.documents.map { ProvidedDocument(name: $0.name, originals: $0.originals, copies: $0.copies) }, returnMethod: .desk,
            missingItems: missing)
        var now = WorkCalendar.parse("2026-03-02T08:00:00+07:00")!
        func context(_ actor: Actor) -> DecisionContext {
            DecisionContext(
                actor: actor, now: now, calendar: calendar, departments: catalogue.tree.agencies[actor.agencyID]?.departments ?? [],
                agencyIsActive: { _ in true })
        }
        var events = try Lifecycle.file(intake, code: "\(agency)-260302-0001", id: "d1", context: context(actor(.desk)))
        var dossier = try #require(Lifecycle.replay(events))
        for (command, by) in steps {
            now = now.addingTimeInterval(3600)
            let new = try Lifecycle.decide(command, dossier: dossier, context: context(by))
            dossier = new.reduce(dossier) { Lifecycle.evolve($0, $1) }
            events += new
        }
        return events
    }

    var paths: [(String, [(DossierCommand, Actor)], [String])] {
        let department = catalogue.tree.agencies[agency]!.departments[0].id
        let handler = actor(.handler)
        return [
            ("returned and rated", [
                (.transfer(departmentID: department), actor(.desk)), (.assign(handler: handler), actor(.leader)),
                (.approve(note: nil), actor(.leader)), (.resultReady, handler), (.returnResult(method: .desk), actor(.desk)),
            ], []),
            ("supplemented, fee paid", [
                (.transfer(departmentID: department), actor(.desk)),
                (.requestSupplementation(items: ["Giấy chứng sinh"], reason: "Thiếu"), handler),
                (.supplementationReceived(note: nil), actor(.desk)), (.requestFee(amount: 8000), handler), (.feePaid(), actor(.desk)),
                (.approve(note: nil), actor(.leader)),
            ], []),
            ("sent to another agency and back", [
                (.transfer(departmentID: department), actor(.desk)), (.sendToAgency(agencyID: other, note: "Xác minh"), handler),
                (.receiveFromAgency, actor(.desk, agency: other)), (.sendToAgency(agencyID: agency, note: nil), actor(.handler, agency: other)),
                (.receiveFromAgency, actor(.desk)),
            ], []),
            ("refused", [(.refuse(reason: "Không thuộc thẩm quyền"), actor(.desk))], []),
            ("withdrawn", [(.transfer(departmentID: department), actor(.desk)), (.withdraw(reason: "Công dân xin rút"), actor(.desk))], []),
            ("stopped", [(.stop(reason: "Có tranh chấp"), actor(.leader))], []),
            ("taken in incomplete, then completed", [(.supplementationReceived(note: nil), actor(.desk))], ["Giấy chứng sinh"]),
        ]
    }

    @Test("Every version of every path: both messages pass the portal's checks and carry that version")
    func everyVersionPasses() throws {
        for (name, steps, missing) in paths {
            let events = try path(steps, missing: missing)
            for version in 1...events.count {
                let sync = try #require(PortalMessages.sync(events: events, version: version), "\(name) v\(version)")
                #expect(PortalSim.problems(sync).isEmpty, "\(name) v\(version): \(PortalSim.problems(sync))")
                #expect(sync.version == version && sync.event.sequence == version && sync.event.kind == events[version - 1].kind.rawValue)
                let progress = try #require(PortalMessages.progress(events: events, version: version))
                #expect(PortalSim.problems(progress).isEmpty, "\(name) v\(version): \(PortalSim.problems(progress))")
                #expect(progress.entries.map(\.sequence) == [version] && progress.status == sync.status)
                // What goes on the wire reads back the same on the portal's side.
                let back = try PortalMessages.decoder.decode(PortalSyncRequest.self, from: WireJSON.encode(sync))
                #expect(back == sync)
            }
            #expect(PortalMessages.sync(events: events, version: 0) == nil && PortalMessages.sync(events: events, version: events.count + 1) == nil)
            #expect(PortalMessages.progress(events: events, version: events.count + 1) == nil)
        }
    }

    @Test("Finished dossiers say when and how; open ones do not")
    func finishing() throws {
        let returned = try path(paths[0].1)
        let last = try #require(PortalMessages.sync(events: returned, version: returned.count))
        #expect(last.status == DossierStatus.returned.nationalCode && last.finishedAt != nil && last.returnedAt != nil && last.outcome != nil)
        let open = try #require(PortalMessages.sync(events: returned, version: 3))
        #expect(open.finishedAt == nil && open.returnedAt == nil && open.outcome == nil)
        let refused = try path(paths[3].1)
        let closed = try #require(PortalMessages.sync(events: refused, version: refused.count))
        #expect(closed.status == DossierStatus.refused.nationalCode && closed.finishedAt == refused.last?.at)
    }

    @Test("Progress entries name who gave and who received: a department, a handler, another agency")
    func parties() throws {
        let events = try path(paths[2].1)
        func entry(_ kind: DossierEvent.Kind) throws -> PortalProgressEntry {
            let version = try #require(events.firstIndex { $0.kind == kind }) + 1
            return try #require(PortalMessages.progress(events: events, version: version)?.entries.first)
        }
        let transferred = try entry(.transferred)
        #expect(transferred.giver.agencyID == agency && transferred.receiver?.departmentID == catalogue.tree.agencies[agency]!.departments[0].id)
        let sent = try entry(.sentToAgency)
        #expect(sent.receiver?.agencyID == other && sent.giver.officerName == "Cán bộ handler")
        let received = try entry(.receivedFromAgency)
        #expect(received.receiver?.agencyID == other && received.giver.agencyID == other)
        let assigned = try path(paths[0].1)
        let assignment = try #require(PortalMessages.progress(events: assigned, version: 4)?.entries.first)
        #expect(assignment.step == "assigned" && assignment.receiver?.officerID == "handler@\(agency)")
    }
}

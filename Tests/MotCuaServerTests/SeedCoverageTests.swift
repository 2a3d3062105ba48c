import Foundation
import MotCuaAPI
import MotCuaConfig
import MotCuaCore
@testable import MotCuaSim
import Testing

/// Every shipped procedure and agency, through the paths a real dossier takes: a complete intake
/// is received with the calendar's due time, its forms print, and every desk the post office may
/// be sent to is an address the post office takes.
@Suite("Every shipped procedure and agency")
struct SeedCoverageTests {
    let catalogue = try! SeedLoader.loadCatalogue(from: repository.appendingPathComponent("Seeds"))
    let calendar = try! ConfigLoader.loadCalendars(from: repository.appendingPathComponent("Config")).standard

    @Test("A complete desk intake of each procedure is received, due when the calendar says, and replays")
    func everyProcedure() throws {
        let agencies = catalogue.tree.agencies.values.sorted { $0.id < $1.id }
        for procedure in catalogue.procedures {
            // A desk of the procedure's level takes it in: today, or before 1 July 2025 for a
            // district's procedure (the districts were dissolved then).
            let days = ["2026-03-02T09:00:00+07:00", "2025-03-03T09:00:00+07:00"].map { WorkCalendar.parse($0)! }
            guard let (agency, received) = days.lazy.compactMap({ day in
                agencies.first { $0.level == procedure.level && $0.isActive(on: WorkCalendar.localDate(of: day)) }.map { ($0, day) }
            }).first else {
                Issue.record("no agency of level \(procedure.level) for \(procedure.code)")
                continue
            }
            let intake = Intake(
                procedure: procedure, applicant: Applicant(name: "Nguyễn Văn An", idNumber: "001203004005", phone: "0912345678", address: "Sông Trí"),
                documents: procedure.documents.map { ProvidedDocument(name: $0.name, originals: $0.originals, copies: $0.copies) }, returnMethod: .desk)
            let context = DecisionContext(
                actor: Actor(id: "desk", name: "Hoa", role: .desk, agencyID: agency.id), now: received, calendar: calendar, departments: agency.departments)
            let events = try Lifecycle.file(intake, code: "\(agency.id)-\(DossierCode.dayKey(WorkCalendar.localDate(of: received)))-0001", id: procedure.code, context: context)
            let dossier = try #require(Lifecycle.replay(events), "\(procedure.code)")
            #expect(dossier.status == .received, "\(procedure.code)")
            #expect(dossier.dueAt == (try calendar.due(from: received, term: procedure.term)), "\(procedure.code) \(procedure.term)")
            #expect(dossier.procedureName == procedure.name && dossier.term == procedure.term)
        }
    }

    @Test("Every active agency's desk, as sender or receiver of a parcel, passes the post office's checks")
    func everyDesk() throws {
        let today = LocalDate(iso: "2026-03-02")!
        let applicant = PostalParty(name: "Trần Thị Bình", phone: "0912345678", address: "Xóm 2", ward: "xã Kỳ Anh", province: "tỉnh Hà Tĩnh")
        var refused: [String] = []
        for agency in catalogue.tree.agencies.values where agency.isActive(on: today) && agency.desk != nil {
            let desk = PostalOrders.deskParty(agencyID: agency.id, tree: catalogue.tree)
            let order = PostalOrderRequest(
                orderNumber: "\(agency.id)-260302-0001-PHAT", dossierCode: "\(agency.id)-260302-0001", direction: .delivery, service: "BCCI-HCC",
                sender: desk, receiver: applicant, cod: 0, notes: "Chuyển phát kết quả")
            let problems = PostalSim.problems(order)
            if !problems.isEmpty { refused.append("\(agency.id): \(problems.map(\.field))") }
            #expect(!desk.province.isEmpty && !desk.name.isEmpty, "\(agency.id)")
        }
        #expect(refused.isEmpty, "\(refused)")
    }

    @Test("Each procedure's code once, each entry valid against the tree's levels")
    func catalogueShape() {
        #expect(Set(catalogue.procedures.map(\.code)).count == catalogue.procedures.count)
        for procedure in catalogue.procedures {
            #expect(procedure.validate(levels: Set(catalogue.tree.levels.map(\.code))) == nil, "\(procedure.code)")
        }
    }
}

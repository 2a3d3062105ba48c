import Foundation
import MotCuaCore
import Testing
@testable import MotCuaStore

@Suite("Stored events: a created event refers to the catalogue, the same event read back")
struct EventCodecTests {
    let submitted = WorkCalendar.parse("2026-03-02T08:00:00+07:00")!
    var construction: Procedure { catalogue.procedures.max { $0.documents.count < $1.documents.count }! }

    func versions() -> ProcedureVersions {
        let versions = ProcedureVersions()
        versions.add(catalogue.procedures.map { (version: 1, procedure: $0) })
        return versions
    }

    func created(_ dossier: Dossier) -> DossierEvent {
        var event = DossierEvent(sequence: 1, kind: .created, at: submitted, actor: desk, agencyID: dossier.agencyID)
        event.dossier = dossier
        event.note = "Tạo \"hồ sơ\""
        return event
    }

    func roundTrip(_ events: [DossierEvent], versions: ProcedureVersions) throws -> [DossierEvent] {
        try EventCodec.decode(try events.map { try EventCodec.encode($0, versions: versions) }).events(versions: versions)
    }

    @Test("Every procedure's created event comes back byte for byte, from texts of the catalogue or not, and with no catalogue at all")
    func everyProcedure() throws {
        for procedure in catalogue.procedures {
            for fromCatalogue in [true, false] {
                let event = created(fullDossier(procedure, code: "000.15.01.H42-260302-0001", fromCatalogue: fromCatalogue, submitted: submitted))
                let back = try roundTrip([event], versions: versions())
                #expect(back == [event], "\(procedure.code)")
                #expect(try back.map { try StoreJSON.encode($0) } == [try StoreJSON.encode(event)], "\(procedure.code)")
                #expect(try roundTrip([event], versions: ProcedureVersions()) == [event], "\(procedure.code), no catalogue")
            }
        }
    }

    @Test("A created event holds indexes into the procedure version's list: the largest list in a tenth of the bytes")
    func slim() throws {
        var d = fullDossier(construction, code: "000.15.01.H42-260302-0001", submitted: submitted)
        d.files = nil
        d.shipments = nil
        let event = created(d)
        let stored = try EventCodec.encode(event, versions: versions())
        let whole = try StoreJSON.encode(event)
        #expect(!stored.contains(construction.documents[1].name) && !stored.contains(construction.name))
        #expect((try? JSONSerialization.jsonObject(with: Data(stored.utf8))) != nil)
        #expect(whole.utf8.count > 10 * stored.utf8.count, "\(stored.utf8.count) bytes against \(whole.utf8.count)")
        // Events that carry no dossier are stored as they always were.
        var received = DossierEvent(sequence: 2, kind: .received, at: submitted, actor: desk, agencyID: d.agencyID)
        received.dueAt = submitted.addingTimeInterval(86_400)
        #expect(try EventCodec.encode(received, versions: versions()) == StoreJSON.encode(received))
    }

    @Test("Events stored whole, as before, read as they did")
    func storedWhole() throws {
        let event = created(fullDossier(construction, code: "000.15.01.H42-260302-0001", submitted: submitted))
        let decoded = try EventCodec.decode([try StoreJSON.encode(event)])
        #expect(decoded.versionsNeeded.isEmpty)
        #expect(try decoded.events(versions: ProcedureVersions()) == [event])
    }

    @Test("A created event naming a version this process lacks is an error that names it, not a wrong dossier")
    func unknownVersion() throws {
        let stored = try EventCodec.encode(created(fullDossier(construction, code: "000.15.01.H42-260302-0001", submitted: submitted)), versions: versions())
        let decoded = try EventCodec.decode([stored])
        #expect(decoded.versionsNeeded == [ProcedureVersions.Key(code: construction.code, version: 1)])
        let error = #expect(throws: StoreError.self) { try decoded.events(versions: ProcedureVersions()) }
        #expect("\(String(describing: error))".contains(construction.code))
    }

    @Test("A control sheet filed before a catalogue change reads the old texts in another process", arguments: Backend.all)
    func catalogueChange(backend: Backend) async throws {
        let database = try await backend.scratch()
        var store: (any DossierStore)? = try await database.open()
        _ = try await store!.saveCatalogue(tree: catalogue.tree, procedures: catalogue.procedures)
        let old = try await file(store!, intake(), at: submitted)
        let sheet = try await store!.events(dossierID: old.id)
        #expect(sheet.first?.dossier?.code == old.code)
        #expect(sheet.first?.dossier?.documents.first?.name == catalogue.procedures.first { $0.code == "1.001193" }!.documents[0].name)
        var changed = catalogue.procedures
        let index = changed.firstIndex { $0.code == "1.001193" }!
        changed[index].documents[0].name = "Tờ khai theo mẫu mới"
        _ = try await store!.saveCatalogue(tree: catalogue.tree, procedures: changed)
        store = nil
        let reopened = try await database.open()
        #expect(try await reopened.events(dossierID: old.id) == sheet)
        #expect(Lifecycle.replay(try await reopened.events(dossierID: old.id)) == old)
    }
}

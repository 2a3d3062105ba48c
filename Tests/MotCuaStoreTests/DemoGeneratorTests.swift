import Foundation
import Logging
import MotCuaConfig
import MotCuaCore
import MotCuaDemo
import Testing
@testable import MotCuaStore

/// The demo generator drives real dossiers through the lifecycle into a real store: what it
/// makes must be what the lifecycle would make (each control sheet replays to its dossier),
/// the same for the same seed, and counted consistently by the statistics.
@Suite("Demo generator, on every backend")
struct DemoGeneratorTests {
    static let now = WorkCalendar.parse("2026-03-02T09:00:00+07:00")!

    static let names: DemoFile = {
        do {
            return try JSONDecoder().decode(DemoFile.self, from: Data(contentsOf: repository.appendingPathComponent("Seeds/demo.json")))
        } catch {
            preconditionFailure("Seeds/demo.json does not load: \(error)")
        }
    }()

    func generate(into store: any DossierStore, count: Int, seed: UInt64 = 2026, profile: DemoProfile = .standard) async throws -> Int {
        _ = try await store.saveCatalogue(tree: catalogue.tree, procedures: catalogue.procedures)
        var officers: [Officer] = []
        for (index, entry) in Self.names.officers.enumerated() {
            let officer = Officer(
                id: "demo-\(index)", username: entry.username, name: entry.name, role: entry.role, agencyID: entry.agency,
                departmentID: entry.department, passwordHash: "x")
            try await store.createOfficer(officer)
            officers.append(officer)
        }
        let calendars = try ConfigLoader.loadCalendars(from: repository.appendingPathComponent("Config"))
        var logger = Logger(label: "demo")
        logger.logLevel = .critical
        let generator = DemoDossiers(
            store: store, catalogue: catalogue, calendars: calendars, officers: officers, names: Self.names, now: Self.now, profile: profile,
            seed: seed)
        return try await generator.run(count: count, logger: logger)
    }

    func everything(_ store: any DossierStore) async throws -> [Dossier] {
        var all: [Dossier] = []
        for agency in Set(Self.names.officers.map(\.agency)) {
            var query = DossierQuery(visibleToAgency: agency, limit: 500)
            query.totalBound = 100_000
            all += try await store.search(query).items
        }
        return Dictionary(all.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a }).values.sorted { $0.code < $1.code }
    }

    @Test("Each demo dossier's control sheet replays to the dossier stored", arguments: Backend.all)
    func replays(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let created = try await generate(into: store, count: 80)
        #expect(created == 80)
        let dossiers = try await everything(store)
        #expect(dossiers.count == 80)
        for dossier in dossiers {
            let events = try await store.events(dossierID: dossier.id)
            #expect(events.map(\.sequence) == Array(1...events.count), "\(dossier.code)")
            #expect(Lifecycle.replay(events) == dossier, "\(dossier.code)")
            #expect(events.last?.at ?? .distantFuture <= Self.now, "nothing happens after the demo's now")
        }
        // A demo of this size shows the desk's usual spread of states.
        let statuses = Set(dossiers.map(\.status))
        #expect(statuses.count >= 4, "\(statuses)")
        #expect(Set(dossiers.map(\.channel)).count >= 2)
    }

    /// `seed --demo 20000` stopped on its first such dossier: the rating was decided as at the
    /// competent agency, while the receiving desk held the dossier it had returned.
    @Test("A dossier filed at another desk, returned there, is rated at the desk that holds it")
    func ratedWhereReturned() async throws {
        let store = try SQLiteStore(path: temporaryDatabase())
        var profile = DemoProfile.standard
        profile.rating = 1
        #expect(try await generate(into: store, count: 400, seed: 7, profile: profile) == 400)
        let returnedElsewhere = try await everything(store).filter {
            $0.receivingAgencyID != nil && $0.receivingAgencyID != $0.agencyID && $0.currentAgencyID == $0.receivingAgencyID
                && $0.status == .returned
        }
        #expect(!returnedElsewhere.isEmpty, "no dossier of another desk's was returned there")
        #expect(returnedElsewhere.contains { $0.rating != nil }, "\(returnedElsewhere.map(\.code))")
    }

    @Test("The same seed makes the same dossiers; another seed, others")
    func deterministic() async throws {
        /// Each dossier without its code's number: dossiers go through their steps side by side,
        /// so two filed at one desk on one day take the day's numbers in whichever order they
        /// reach the store (on a loaded machine, not always the same).
        func summary(_ seed: UInt64) async throws -> [String] {
            let store = try await Backend.sqlite.makeStore()
            _ = try await generate(into: store, count: 40, seed: seed)
            return try await everything(store).map {
                "\($0.code.dropLast(5)) \($0.procedureCode) \($0.status.rawValue) \($0.applicant.name) \($0.version)"
            }.sorted()
        }
        let first = try await summary(7)
        #expect(first.count == 40)
        #expect(try await summary(7) == first)
        #expect(try await summary(8) != first)
    }

    @Test("The statistics count the demo consistently over its months", arguments: Backend.all)
    func consistentStatistics(backend: Backend) async throws {
        let store = try await backend.makeStore()
        _ = try await generate(into: store, count: 60)
        for name in ["2025-12", "2026-01", "2026-02", "2026-03", "2025-Q4", "2026-Q1"] {
            let period = try ReportPeriod(named: name)
            let (from, to) = period.bounds
            let total = try await store.statTallies(from: from, to: to, agencies: nil).reduce(Tally()) { $0 + $1.tally }
            #expect(total.isConsistent, "\(name): \(total)")
            if name == "2026-Q1" { #expect(total.received.total > 0) }
        }
    }

    @Test("A profile's shares, pace, days and dates are checked, each naming its field")
    func profileProblems() {
        #expect(DemoProfile.standard.problems().isEmpty)
        var profile = DemoProfile.standard
        profile.online = 1.5
        profile.refusal = -0.1
        profile.pace = 0
        profile.days = 0
        profile.from = LocalDate(iso: "2026-03-01")
        profile.to = LocalDate(iso: "2026-02-01")
        profile.id = ""
        #expect(profile.problems() == [
            "online: 1.5 is a share and must lie in 0…1", "refusal: -0.1 is a share and must lie in 0…1", "pace: must be above 0 and at most 2",
            "days: must be at least 1", "to: before from", "id: is empty",
        ])
        profile = .standard
        profile.rating = .nan
        #expect(profile.problems() == ["rating: nan is a share and must lie in 0…1"])
    }
}

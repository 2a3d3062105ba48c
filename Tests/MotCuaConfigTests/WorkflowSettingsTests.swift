import Foundation
import MotCuaCore
import Testing
@testable import MotCuaConfig

/// The settings that shape a dossier's path: how a term is divided among its steps
/// (`steps.json`), when a supplementation wait is closed as abandoned, and which circular's
/// forms a dossier gets.
@Suite("Steps, supplementation and form sets")
struct WorkflowSettingsTests {
    @Test("The shipped steps.json: the default split and the civil-status field's own")
    func shippedSteps() throws {
        let settings = try StepSettings.load(from: repositoryConfig)
        #expect(settings.standard.isValid)
        let civil = settings.split(procedureCode: "1.001193", field: "Hộ tịch")
        #expect(civil != settings.standard && civil.isValid)
        #expect(settings.split(procedureCode: "1.001193", field: "Đất đai") == settings.standard)
        #expect(settings.split(procedureCode: "1.001193", field: nil) == settings.standard)
    }

    @Test("A procedure's split wins over its field's, which wins over the default")
    func precedence() throws {
        let directory = try scratchConfig(["steps.json": #"""
            {"default": {"desk": 0.1, "processing": 0.6, "approval": 0.2, "return": 0.1},
             "fields": {"Hộ tịch": {"desk": 0.2, "processing": 0.5, "approval": 0.2, "return": 0.1}},
             "procedures": {"1.001193": {"desk": 0.25, "processing": 0.25, "approval": 0.25, "return": 0.25}}}
            """#])
        let settings = try StepSettings.load(from: directory)
        #expect(settings.split(procedureCode: "1.001193", field: "Hộ tịch").desk == 0.25)
        #expect(settings.split(procedureCode: "1.000656", field: "Hộ tịch").desk == 0.2)
        #expect(settings.split(procedureCode: "1.000656", field: "Khác").desk == 0.1)
    }

    @Test("Without steps.json, the standard split")
    func noFile() throws {
        let settings = try StepSettings.load(from: try scratchConfig([:]))
        #expect(settings == StepSettings())
        #expect(settings.split(procedureCode: "x", field: "y") == .standard)
    }

    @Test("A split whose shares do not add up to one, or a negative share, is refused naming it", arguments: [
        (#"{"default": {"desk": 0.5, "processing": 0.6, "approval": 0.2, "return": 0.1}}"#, "default"),
        (#"{"fields": {"Hộ tịch": {"desk": -0.1, "processing": 0.9, "approval": 0.1, "return": 0.1}}}"#, "fields.Hộ tịch"),
        (#"{"procedures": {"1.001193": {"desk": 0.1, "processing": 0.1, "approval": 0.1, "return": 0.1}}}"#, "procedures.1.001193"),
    ])
    func badSplits(file: String, key: String) throws {
        let directory = try scratchConfig(["steps.json": file])
        let reason = "the shares of desk, processing, approval and return must be 0 or more and add up to 1"
        #expect(throws: CalendarError.invalidConfiguration(file: "steps.json", key: key, reason: reason)) { try StepSettings.load(from: directory) }
    }

    @Test("A split that is not numbers is refused")
    func notNumbers() throws {
        let directory = try scratchConfig(["steps.json": #"{"default": {"desk": "a lot"}}"#])
        #expect(throws: CalendarError.self) { try StepSettings.load(from: directory) }
    }

    @Test("Supplementation: 20 working days by default, a procedure's own figure, or off")
    func supplementation() throws {
        let defaults = try AppConfiguration.load(from: try scratchConfig(["motcua.json": "{}"]), environment: [:]).supplementation
        #expect(defaults.abandonAfter(procedureCode: "1.001193") == SupplementationSettings.defaultAbandonAfterWorkingDays)
        #expect(defaults.sweepMinutes == 60)
        let own = try AppConfiguration.load(
            from: try scratchConfig(["motcua.json": #"{"supplementation": {"abandonAfterWorkingDays": 30, "procedures": {"1.001193": 5}, "sweepMinutes": 15}}"#]),
            environment: [:]).supplementation
        #expect(own.abandonAfter(procedureCode: "1.001193") == 5 && own.abandonAfter(procedureCode: "1.000656") == 30 && own.sweepMinutes == 15)
        let off = try AppConfiguration.load(
            from: try scratchConfig(["motcua.json": #"{"supplementation": {"abandonAfterWorkingDays": null, "procedures": {"2.000942": 10}}}"#]),
            environment: [:]).supplementation
        #expect(off.abandonAfter(procedureCode: "1.001193") == nil, "null turns the closing off")
        #expect(off.abandonAfter(procedureCode: "2.000942") == 10, "a procedure's own rule still applies")
    }

    @Test("Supplementation figures out of range are refused naming the key", arguments: [
        (#"{"supplementation": {"abandonAfterWorkingDays": 0}}"#, "supplementation.abandonAfterWorkingDays"),
        (#"{"supplementation": {"abandonAfterWorkingDays": 366}}"#, "supplementation.abandonAfterWorkingDays"),
        (#"{"supplementation": {"procedures": {"1.001193": -2}}}"#, "supplementation.procedures.1.001193"),
        (#"{"supplementation": {"sweepMinutes": 1441}}"#, "supplementation.sweepMinutes"),
    ])
    func badSupplementation(file: String, key: String) throws {
        do {
            _ = try AppConfiguration.load(from: try scratchConfig(["motcua.json": file]), environment: [:])
            Issue.record("loaded")
        } catch let CalendarError.invalidConfiguration(_, actualKey, _) {
            #expect(actualKey == key)
        }
    }

    @Test("A dossier gets the form set in force when it was received, the day the new circular starts included")
    func formSets() throws {
        let forms = FormSettings.shipped
        let newer = FormSettings.circular03of2025, older = FormSettings.circular01of2018
        let start = WorkCalendar.instant(newer.effectiveFrom)
        #expect(forms.set(at: start).id == newer.id)
        #expect(forms.set(at: start.addingTimeInterval(-1)).id == older.id)
        #expect(forms.set(at: WorkCalendar.parse("2026-06-01T09:00:00+07:00")!).id == newer.id)
        #expect(forms.set(at: WorkCalendar.parse("2019-06-01T09:00:00+07:00")!).id == older.id)
        // Before the oldest set: the oldest (nothing older is known).
        #expect(forms.set(at: WorkCalendar.parse("2010-01-01T09:00:00+07:00")!).id == older.id)
        // Each set has one form of each kind it names; the tracking book is the newer circular's 07.
        #expect(newer.form(.trackingBook)?.number == "07")
        for set in [newer, older] {
            let kinds = set.forms.values.map(\.kind)
            #expect(kinds.count == Set(kinds).count, "\(set.id)")
        }
    }
}

/// The national portal's and the signing service's settings, from the file and the environment.
@Suite("Portal and signing settings")
struct PartnerSettingsTests {
    func load(_ main: String, _ environment: [String: String] = [:]) throws -> AppConfiguration {
        try AppConfiguration.load(from: try scratchConfig(["motcua.json": main]), environment: environment)
    }

    @Test("The portal: off by default; URL and key from the file, the environment winning; its window and rate")
    func portal() throws {
        let defaults = try load("{}")
        #expect(defaults.portal.url == nil && defaults.portal.apiKey == nil)
        #expect(defaults.portal.window >= 1 && defaults.portal.maxPerSecond >= 1)
        let file = try load(#"{"portal": {"url": "https://dichvucong.gov.vn/api", "apiKey": "tep", "window": 8, "maxPerSecond": 20}}"#)
        #expect(file.portal.url == "https://dichvucong.gov.vn/api" && file.portal.apiKey == "tep" && file.portal.window == 8 && file.portal.maxPerSecond == 20)
        let environment = try load(#"{"portal": {"url": "https://a.vn/api", "apiKey": "tep"}}"#, ["MOTCUA_PORTAL_URL": "http://127.0.0.1:9/api", "MOTCUA_PORTAL_API_KEY": "moi"])
        #expect(environment.portal.url == "http://127.0.0.1:9/api" && environment.portal.apiKey == "moi")
        #expect(throws: CalendarError.self) { try load("{}", ["MOTCUA_PORTAL_URL": "dichvucong.gov.vn"]) }
    }

    @Test("Signing: local by default; remote needs its URL; off; a mode that is none of them is refused naming where it came from")
    func signing() throws {
        let defaults = try load("{}")
        #expect(defaults.signing.mode == .local && defaults.signing.remoteURL == nil)
        let remote = try load(#"{"signing": {"mode": "remote", "remoteURL": "https://ky.tinh.vn", "remoteAPIKey": "k", "timeoutSeconds": 5}}"#)
        #expect(remote.signing.mode == .remote && remote.signing.remoteURL == "https://ky.tinh.vn" && remote.signing.timeoutSeconds == 5)
        #expect(try load(#"{"signing": {"mode": "off"}}"#).signing.mode == .off)
        let fromEnvironment = try load("{}", ["MOTCUA_SIGNING_MODE": "remote", "MOTCUA_SIGNING_URL": "http://127.0.0.1:9", "MOTCUA_SIGNING_API_KEY": "k"])
        #expect(fromEnvironment.signing.mode == .remote && fromEnvironment.signing.remoteURL == "http://127.0.0.1:9")
        #expect(throws: CalendarError.invalidConfiguration(file: "motcua.json", key: "signing.mode", reason: "'hsm' is not local, remote or off")) {
            try load(#"{"signing": {"mode": "hsm"}}"#)
        }
        #expect(throws: CalendarError.invalidConfiguration(file: "environment", key: "MOTCUA_SIGNING_MODE", reason: "'hsm' is not local, remote or off")) {
            try load("{}", ["MOTCUA_SIGNING_MODE": "hsm"])
        }
        #expect(try load("{}", ["MOTCUA_SIGNING_KEYS_DIR": "/srv/keys"]).signing.keysDirectory == "/srv/keys")
    }
}

/// The delivery timing every partner's section shares: read over defaults, checked at its edges.
@Suite("Delivery timing")
struct DeliveryTimingTests {
    static let defaults = DeliveryTiming(retryHours: 24, backoffSeconds: 2, maxBackoffSeconds: 1_800, pollSeconds: 2, timeoutSeconds: 10)

    @Test("A section's keys over the defaults, each on its own; none: the defaults")
    func reading() throws {
        #expect(Self.defaults.reading(nil) == Self.defaults)
        let file = try JSONDecoder().decode(DeliveryTiming.File.self, from: Data(#"{"retryHours": 48, "pollSeconds": 0.5}"#.utf8))
        let read = Self.defaults.reading(file)
        #expect(read.retryHours == 48 && read.pollSeconds == 0.5)
        #expect(read.backoffSeconds == 2 && read.maxBackoffSeconds == 1_800 && read.timeoutSeconds == 10)
    }

    @Test("Checked at the edges, naming the section", arguments: [
        (DeliveryTiming(retryHours: 720, backoffSeconds: 1, maxBackoffSeconds: 1, pollSeconds: 0.1, timeoutSeconds: 0.1), true),
        (DeliveryTiming(retryHours: 720.5, backoffSeconds: 1, maxBackoffSeconds: 1, pollSeconds: 1), false),
        (DeliveryTiming(retryHours: 0, backoffSeconds: 1, maxBackoffSeconds: 1, pollSeconds: 1), false),
        (DeliveryTiming(retryHours: 1, backoffSeconds: 0, maxBackoffSeconds: 1, pollSeconds: 1), false),
        (DeliveryTiming(retryHours: 1, backoffSeconds: 2, maxBackoffSeconds: 1, pollSeconds: 1), false),
        (DeliveryTiming(retryHours: 1, backoffSeconds: 1, maxBackoffSeconds: 1, pollSeconds: 0), false),
        (DeliveryTiming(retryHours: 1, backoffSeconds: 1, maxBackoffSeconds: 1, pollSeconds: 1, timeoutSeconds: 0), false),
    ])
    func checks(timing: DeliveryTiming, valid: Bool) {
        do {
            try timing.check(section: "postal", file: "motcua.json")
            #expect(valid, "\(timing)")
        } catch {
            #expect(!valid, "\(timing)")
            if case let .invalidConfiguration(file, key, _) = error { #expect(file == "motcua.json" && key == "postal") }
        }
    }
}

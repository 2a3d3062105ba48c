import Foundation
import MotCuaCore

/// The printed forms, by circular (issue #20): Thông tư 01/2018/TT-VPCP's set, and Thông tư
/// 03/2025/TT-VPCP's seven (Phụ lục I). `forms.circular` names the set in force for dossiers
/// received from its effective date; a dossier received before keeps the set in force then.
/// Numbers and titles are configuration (`Config/motcua.json`, `forms.sets`), with their source.
public struct FormSettings: Sendable, Equatable {
    /// What a form is, whatever number a circular gives it.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case receipt, supplementation, refusal, apology, stopNotice, controlSheet, trackingBook
    }

    public struct Form: Sendable, Equatable, Codable {
        public var number: String
        public var kind: Kind
        public var title: String
    }

    /// One circular's forms.
    public struct FormSet: Sendable, Equatable {
        /// As `forms.circular` names it: "TT 03/2025/TT-VPCP".
        public var id: String
        /// As the forms print it: "Thông tư số 03/2025/TT-VPCP".
        public var name: String
        public var effectiveFrom: LocalDate
        public var source: String?
        /// By number.
        public var forms: [String: Form]

        public func form(_ kind: Kind) -> Form? {
            forms.values.first { $0.kind == kind }
        }
    }

    /// The set `forms.circular` names.
    public var circular: String
    public var sets: [String: FormSet]

    public init(circular: String, sets: [FormSet]) {
        self.circular = circular
        self.sets = Dictionary(uniqueKeysWithValues: sets.map { ($0.id, $0) })
    }

    /// The set for a dossier received (or, before receipt, submitted) at `instant`: the
    /// configured one from its effective date; before it, the latest set already in force.
    public func set(at instant: Date) -> FormSet {
        let day = WorkCalendar.localDate(of: instant)
        let configured = sets[circular]!
        if configured.effectiveFrom <= day { return configured }
        return sets.values.filter { $0.effectiveFrom <= day }.max { $0.effectiveFrom < $1.effectiveFrom }
            ?? sets.values.min { $0.effectiveFrom < $1.effectiveFrom }!
    }

    /// What `Config/motcua.json` holds under `forms`: the sets, or (a file written before the
    /// 2025 set) one circular's name and its four forms by number.
    struct File: Decodable {
        struct SetFile: Decodable {
            var name: String
            var effectiveFrom: String
            var source: String?
            var forms: [String: FormFile]
        }

        struct FormFile: Decodable {
            var kind: Kind?
            var number: String?
            var title: String
        }

        var circular: String
        var sets: [String: SetFile]?
        var forms: [String: FormFile]?
    }

    /// The sets shipped when the configuration names none (`Config/motcua.json` carries the same).
    public static let shipped = FormSettings(circular: circular03of2025.id, sets: [circular01of2018, circular03of2025])

    /// Thông tư 01/2018/TT-VPCP (ngày 23/11/2018), Phụ lục.
    public static let circular01of2018 = FormSet(
        id: "TT 01/2018/TT-VPCP", name: "Thông tư số 01/2018/TT-VPCP", effectiveFrom: LocalDate(year: 2018, month: 11, day: 23)!,
        source: "Thông tư số 01/2018/TT-VPCP ngày 23/11/2018, Phụ lục: mẫu 01–06",
        forms: [
            "01": Form(number: "01", kind: .receipt, title: "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
            "02": Form(number: "02", kind: .supplementation, title: "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
            "03": Form(number: "03", kind: .refusal, title: "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
            "04": Form(number: "04", kind: .apology, title: "Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
            "05": Form(number: "05", kind: .trackingBook, title: "Sổ theo dõi hồ sơ"),
            "06": Form(number: "06", kind: .controlSheet, title: "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
        ])

    /// Thông tư 03/2025/TT-VPCP (ngày 15/9/2025, hướng dẫn Nghị định 118/2025/NĐ-CP), Phụ lục I.
    public static let circular03of2025 = FormSet(
        id: "TT 03/2025/TT-VPCP", name: "Thông tư số 03/2025/TT-VPCP", effectiveFrom: LocalDate(year: 2025, month: 9, day: 15)!,
        source: "Thông tư số 03/2025/TT-VPCP ngày 15/9/2025, Phụ lục I: mẫu 01–07",
        forms: [
            "01": Form(number: "01", kind: .receipt, title: "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
            "02": Form(number: "02", kind: .supplementation, title: "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
            "03": Form(number: "03", kind: .refusal, title: "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
            "04": Form(number: "04", kind: .apology, title: "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"),
            "05": Form(number: "05", kind: .stopNotice, title: "Thông báo dừng giải quyết hồ sơ"),
            "06": Form(number: "06", kind: .controlSheet, title: "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
            "07": Form(number: "07", kind: .trackingBook, title: "Sổ theo dõi hồ sơ"),
        ])

    /// Reads and checks `forms` (errors name the key).
    static func load(_ file: File?, main: String) throws(CalendarError) -> FormSettings {
        guard let file else { return shipped }
        guard let setFiles = file.sets else {
            // The shape before 2025: one circular, forms 01–04 by number.
            let legacyKinds: [String: Kind] = ["01": .receipt, "02": .supplementation, "03": .refusal, "04": .apology]
            var forms: [String: Form] = [:]
            for (number, form) in file.forms ?? [:] {
                guard let kind = form.kind ?? legacyKinds[number] else {
                    throw .invalidConfiguration(file: main, key: "forms.forms.\(number)", reason: "needs a kind (\(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                forms[number] = Form(number: form.number ?? number, kind: kind, title: form.title)
            }
            let set = FormSet(id: file.circular, name: file.circular, effectiveFrom: LocalDate(year: 1900, month: 1, day: 1)!, source: nil, forms: forms)
            try check(set, key: "forms.forms", main: main)
            return FormSettings(circular: file.circular, sets: [set])
        }
        var sets: [FormSet] = []
        for (id, setFile) in setFiles {
            guard let effective = LocalDate(iso: setFile.effectiveFrom) else {
                throw .invalidConfiguration(file: main, key: "forms.sets.\(id).effectiveFrom", reason: "'\(setFile.effectiveFrom)' is not a date (YYYY-MM-DD)")
            }
            var forms: [String: Form] = [:]
            for (number, form) in setFile.forms {
                guard let kind = form.kind else {
                    throw .invalidConfiguration(file: main, key: "forms.sets.\(id).forms.\(number).kind", reason: "is required (\(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                forms[number] = Form(number: number, kind: kind, title: form.title)
            }
            let set = FormSet(id: id, name: setFile.name, effectiveFrom: effective, source: setFile.source, forms: forms)
            try check(set, key: "forms.sets.\(id).forms", main: main)
            sets.append(set)
        }
        guard sets.contains(where: { $0.id == file.circular }) else {
            throw .invalidConfiguration(file: main, key: "forms.circular", reason: "'\(file.circular)' is not one of forms.sets (\(sets.map(\.id).sorted().joined(separator: ", ")))")
        }
        return FormSettings(circular: file.circular, sets: sets)
    }

    /// A set prints the four desk forms, each kind once.
    static func check(_ set: FormSet, key: String, main: String) throws(CalendarError) {
        for kind in [Kind.receipt, .supplementation, .refusal, .apology] where set.form(kind) == nil {
            throw .invalidConfiguration(file: main, key: key, reason: "needs a form of kind \(kind.rawValue)")
        }
        let kinds = set.forms.values.map(\.kind)
        if let twice = kinds.first(where: { kind in kinds.filter { $0 == kind }.count > 1 }) {
            throw .invalidConfiguration(file: main, key: key, reason: "has two forms of kind \(twice.rawValue)")
        }
    }
}

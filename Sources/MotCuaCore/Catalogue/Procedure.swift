/// An administrative procedure of the national catalogue (thủ tục hành chính).
public struct Procedure: Hashable, Sendable, Codable, Identifiable {
    /// National procedure code (mã TTHC), e.g. `1.001193`.
    public var code: String
    public var name: String
    /// Field (lĩnh vực), e.g. "Hộ tịch".
    public var field: String
    /// Level of government that carries it out: a level code of the agency tree (`xa`, `huyen`, `tinh`).
    public var level: String
    /// Legal processing time.
    public var term: Term
    /// Fee (phí, lệ phí).
    public var fee: Fee
    /// Online service level: 2, 3 (partly online) or 4 (fully online).
    public var onlineLevel: Int
    /// Whether the post office may carry the dossier to the desk.
    public var postalIntake: Bool
    /// Whether the post office may carry the result to the applicant.
    public var postalReturn: Bool
    /// The documents the applicant files (thành phần hồ sơ).
    public var documents: [DocumentRequirement]
    /// Where each value comes from; and which values are illustrative defaults.
    public var source: String
    public var illustrative: [String]
    /// Whether any one-stop desk of the province may take the dossier in for the competent
    /// agency (tiếp nhận không phụ thuộc địa giới hành chính, NĐ 118/2025/NĐ-CP); nil is no.
    public var anywhereInProvince: Bool?

    /// Whether a desk of another agency of the province may take the dossier in.
    public var isFiledAnywhere: Bool { anywhereInProvince == true }

    public var id: String { code }

    public init(
        code: String, name: String, field: String, level: String, term: Term, fee: Fee, onlineLevel: Int,
        postalIntake: Bool, postalReturn: Bool, documents: [DocumentRequirement], source: String, illustrative: [String] = [],
        anywhereInProvince: Bool = false
    ) {
        self.anywhereInProvince = anywhereInProvince ? true : nil
        self.code = code
        self.name = name
        self.field = field
        self.level = level
        self.term = term
        self.fee = fee
        self.onlineLevel = onlineLevel
        self.postalIntake = postalIntake
        self.postalReturn = postalReturn
        self.documents = documents
        self.source = source
        self.illustrative = illustrative
    }

    /// Checks the entry; the reason names the offending key.
    public func validate(levels: Set<String>) -> String? {
        let parts = code.split(separator: ".")
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              parts[1].count == 6 else { return "code: '\(code)' is not a national procedure code (e.g. 1.001193)" }
        if name.trimmingWhitespace().isEmpty { return "name: is empty" }
        if field.trimmingWhitespace().isEmpty { return "field: is empty" }
        if !levels.contains(level) { return "level: '\(level)' is not a level of the agency tree" }
        switch term {
        case let .workingDays(n), let .workingHours(n), let .calendarDays(n):
            if n <= 0 || n > 365 { return "term: \(n) is outside 1–365" }
        }
        if let amount = fee.amount, amount < 0 { return "fee.amount: is negative" }
        if !(2...4).contains(onlineLevel) { return "onlineLevel: \(onlineLevel) is not 2, 3 or 4" }
        if documents.isEmpty { return "documents: the list is empty" }
        for (index, document) in documents.enumerated() {
            if document.name.trimmingWhitespace().isEmpty { return "documents[\(index)].name: is empty" }
            if document.originals < 0 || document.copies < 0 || document.originals + document.copies == 0 {
                return "documents[\(index)]: asks for neither an original nor a copy"
            }
        }
        if source.trimmingWhitespace().isEmpty { return "source: is empty" }
        return nil
    }
}

/// The fee of a procedure: an amount in đồng when one is fixed nationally, and the published text.
public struct Fee: Hashable, Sendable, Codable {
    /// Amount in VND; `nil` when the province sets it or it varies.
    public var amount: Int?
    public var text: String

    public init(amount: Int?, text: String) {
        self.amount = amount
        self.text = text
    }
}

/// One document of a procedure's list.
public struct DocumentRequirement: Hashable, Sendable, Codable {
    public var name: String
    /// Number of originals (bản chính) asked for.
    public var originals: Int
    /// Number of copies (bản sao) asked for.
    public var copies: Int

    public init(name: String, originals: Int, copies: Int) {
        self.name = name
        self.originals = originals
        self.copies = copies
    }
}

extension StringProtocol {
    /// The text without leading and trailing white space (scalar-level, no grapheme walking).
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        // Nothing to trim, the usual case: no rebuilding scalar by scalar.
        if first == scalars.startIndex && scalars.index(after: last) == scalars.endIndex { return String(self) }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}

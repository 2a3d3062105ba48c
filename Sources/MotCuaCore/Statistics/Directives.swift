import Foundation

/// A directive's numeric targets, as data (`Config/directives/*.json`).
public struct Directive: Hashable, Sendable, Codable, Identifiable {
    public var id: String
    public var title: String
    public var issuedBy: String
    public var issuedOn: LocalDate
    /// Where the text is (the seed file, the gazette).
    public var source: String
    /// The agencies it binds (with their subordinates when `includeSubordinates`).
    public var scope: Scope
    public var targets: [Target]
    /// What the text asks that MotCua cannot measure, said once so nobody looks for it.
    public var notMeasured: [String]?

    public init(
        id: String, title: String, issuedBy: String, issuedOn: LocalDate, source: String, scope: Scope, targets: [Target],
        notMeasured: [String]? = nil
    ) {
        self.id = id
        self.title = title
        self.issuedBy = issuedBy
        self.issuedOn = issuedOn
        self.source = source
        self.scope = scope
        self.targets = targets
        self.notMeasured = notMeasured
    }

    public struct Scope: Hashable, Sendable, Codable {
        public var agencies: [String]
        public var includeSubordinates: Bool

        public init(agencies: [String], includeSubordinates: Bool) {
            self.agencies = agencies
            self.includeSubordinates = includeSubordinates
        }
    }

    public struct Target: Hashable, Sendable, Codable {
        public var indicator: Indicator
        public var comparator: Comparator
        /// A share as 0…1, a count, or working days, by the indicator's unit.
        public var threshold: Double
        /// The date by which it must be met.
        public var deadline: LocalDate
        /// The directive's words.
        public var text: String

        public init(indicator: Indicator, comparator: Comparator, threshold: Double, deadline: LocalDate, text: String) {
            self.indicator = indicator
            self.comparator = comparator
            self.threshold = threshold
            self.deadline = deadline
            self.text = text
        }
    }
}

public enum Comparator: String, Sendable, Codable, CaseIterable {
    case greaterThan = ">", atLeast = ">=", lessThan = "<", atMost = "<=", equal = "="

    public func holds(_ value: Double, _ threshold: Double) -> Bool {
        switch self {
        case .greaterThan: value > threshold
        case .atLeast: value >= threshold - 1e-12
        case .lessThan: value < threshold
        case .atMost: value <= threshold + 1e-12
        case .equal: abs(value - threshold) < 1e-9
        }
    }
}

/// A target judged for one agency and period.
public struct TargetEvaluation: Hashable, Sendable, Codable {
    public enum Status: String, Sendable, Codable {
        /// The comparison holds.
        case met
        /// It does not.
        case notMet
        /// Nothing to measure in the period (no dossiers, no results).
        case noData
    }

    public var directiveID: String
    public var agencyID: String
    public var target: Directive.Target
    public var value: Double?
    /// value − threshold: positive is above the threshold, negative below.
    public var gap: Double?
    public var status: Status

    public init(directiveID: String, agencyID: String, target: Directive.Target, value: IndicatorValue) {
        self.directiveID = directiveID
        self.agencyID = agencyID
        self.target = target
        self.value = value.value
        gap = value.value.map { $0 - target.threshold }
        status = value.value.map { target.comparator.holds($0, target.threshold) ? .met : .notMet } ?? .noData
    }
}

extension Directive {
    /// Checks a decoded directive; the reasons name the target and field.
    public func problems() -> [String] {
        var found: [String] = []
        let idPattern = id.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
        if id.isEmpty || !idPattern { found.append("id \"\(id)\" must be lower-case letters, digits and dashes") }
        if title.trimmingCharacters(in: .whitespaces).isEmpty { found.append("title is empty") }
        if scope.agencies.isEmpty { found.append("scope.agencies is empty") }
        if targets.isEmpty { found.append("targets is empty") }
        for (index, target) in targets.enumerated() {
            let at = "targets[\(index)] (\(target.indicator.rawValue))"
            guard target.threshold.isFinite else {
                found.append("\(at): threshold must be a finite number")
                continue
            }
            switch target.indicator.unit {
            case .ratio where !(0...1).contains(target.threshold):
                found.append("\(at): threshold \(target.threshold) is a share and must lie in 0…1 (35% is 0.35)")
            case .count where target.threshold < 0 || target.threshold.rounded() != target.threshold:
                found.append("\(at): threshold \(target.threshold) must be a whole number ≥ 0")
            case .days where target.threshold < 0:
                found.append("\(at): threshold \(target.threshold) must be ≥ 0")
            default: break
            }
            if target.deadline < issuedOn { found.append("\(at): deadline \(target.deadline) is before the directive (\(issuedOn))") }
        }
        return found
    }
}

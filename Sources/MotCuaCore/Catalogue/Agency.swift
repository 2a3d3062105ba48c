/// A level of the agency tree: the levels are data, so both the three tiers of the seed
/// directives (province → district → commune) and the two tiers in force since 1 July 2025
/// (province → commune) can be described.
public struct AgencyLevel: Hashable, Sendable, Codable {
    public var code: String
    public var name: String
    /// 0 for the top level; a child's rank is greater than its parent's.
    public var rank: Int

    public init(code: String, name: String, rank: Int) {
        self.code = code
        self.name = name
        self.rank = rank
    }
}

/// A public body with a one-stop desk (or a part of one), identified by its electronic
/// identifier code (mã định danh điện tử, Quyết định 20/2020/QĐ-TTg).
public struct Agency: Hashable, Sendable, Codable, Identifiable {
    public var id: String
    public var name: String
    public var level: String
    public var parentID: String?
    /// First and last day of existence (local dates); `validTo` is nil while it exists.
    public var validFrom: LocalDate
    public var validTo: LocalDate?
    /// The agency that took over when this one was merged or dissolved.
    public var successorID: String?
    /// The departments (phòng, ban) dossiers are transferred to.
    public var departments: [Department]
    /// True when the identifier is not a published one but a stand-in of the right shape.
    public var illustrativeID: Bool
    public var note: String?
    /// Where the one-stop desk receives and sends parcels (the post office's counterpart).
    public var desk: AgencyDesk? = nil

    public init(
        id: String, name: String, level: String, parentID: String?, validFrom: LocalDate, validTo: LocalDate? = nil,
        successorID: String? = nil, departments: [Department] = [], illustrativeID: Bool = true, note: String? = nil,
        desk: AgencyDesk? = nil
    ) {
        self.desk = desk
        self.id = id
        self.name = name
        self.level = level
        self.parentID = parentID
        self.validFrom = validFrom
        self.validTo = validTo
        self.successorID = successorID
        self.departments = departments
        self.illustrativeID = illustrativeID
        self.note = note
    }

    /// Whether the agency exists on `date`.
    public func isActive(on date: LocalDate) -> Bool {
        validFrom <= date && (validTo.map { date <= $0 } ?? true)
    }
}

/// The one-stop desk's postal contact. The ward, district and province come from the agency
/// tree when not given.
public struct AgencyDesk: Hashable, Sendable, Codable {
    public var phone: String
    public var street: String
    public var ward: String?

    public init(phone: String, street: String, ward: String? = nil) {
        self.phone = phone
        self.street = street
        self.ward = ward
    }
}

public struct Department: Hashable, Sendable, Codable, Identifiable {
    public var id: String
    public var name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

/// The agency tree with its levels, validated as a whole.
public struct AgencyTree: Sendable {
    public let levels: [AgencyLevel]
    public let agencies: [String: Agency]

    /// Builds the tree; throws a message naming the agency and the key for the first problem.
    public init(levels: [AgencyLevel], agencies: [Agency]) throws(CatalogueError) {
        var byCode: [String: AgencyLevel] = [:]
        for level in levels {
            guard byCode.updateValue(level, forKey: level.code) == nil else {
                throw CatalogueError(entry: "levels", reason: "level '\(level.code)' is defined twice")
            }
        }
        var byID: [String: Agency] = [:]
        for agency in agencies {
            guard byID.updateValue(agency, forKey: agency.id) == nil else {
                throw CatalogueError(entry: agency.id, reason: "id: defined twice")
            }
        }
        for agency in agencies {
            // Identifiers go into dossier codes and URLs: keep them to a safe alphabet.
            guard !agency.id.isEmpty, agency.id.count <= 40,
                  agency.id.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "." || $0 == "_") })
            else {
                throw CatalogueError(entry: agency.id, reason: "id: use only letters, digits, '.' and '_' (at most 40)")
            }
            guard let level = byCode[agency.level] else {
                throw CatalogueError(entry: agency.id, reason: "level: '\(agency.level)' is not a defined level")
            }
            if agency.name.trimmingWhitespace().isEmpty {
                throw CatalogueError(entry: agency.id, reason: "name: is empty")
            }
            if let parentID = agency.parentID {
                guard let parent = byID[parentID] else {
                    throw CatalogueError(entry: agency.id, reason: "parent: '\(parentID)' does not exist")
                }
                guard let parentLevel = byCode[parent.level], parentLevel.rank < level.rank else {
                    throw CatalogueError(entry: agency.id, reason: "parent: '\(parentID)' is not above it in the tree")
                }
            }
            if let validTo = agency.validTo, validTo < agency.validFrom {
                throw CatalogueError(entry: agency.id, reason: "validTo: before validFrom")
            }
            if let successorID = agency.successorID {
                guard let successor = byID[successorID] else {
                    throw CatalogueError(entry: agency.id, reason: "successor: '\(successorID)' does not exist")
                }
                guard agency.validTo != nil else {
                    throw CatalogueError(entry: agency.id, reason: "successor: given but the agency has no validTo")
                }
                guard successor.id != agency.id else {
                    throw CatalogueError(entry: agency.id, reason: "successor: is the agency itself")
                }
            }
            var seen = Set<String>()
            for department in agency.departments where !seen.insert(department.id).inserted {
                throw CatalogueError(entry: agency.id, reason: "departments: '\(department.id)' is listed twice")
            }
        }
        self.levels = levels.sorted { $0.rank < $1.rank }
        self.agencies = byID
    }

    /// The agency that holds `id`'s open dossiers on `date`: itself, or the end of its chain of
    /// successors.
    public func heir(of id: String, on date: LocalDate) -> String {
        var current = id
        var visited: Set<String> = [id]
        while let agency = agencies[current], !agency.isActive(on: date), let next = agency.successorID,
              visited.insert(next).inserted {
            current = next
        }
        return current
    }
}

/// A catalogue entry (procedure or agency) that cannot be loaded.
public struct CatalogueError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The procedure code or agency id.
    public var entry: String
    public var reason: String

    public init(entry: String, reason: String) {
        self.entry = entry
        self.reason = reason
    }

    public var description: String { "\(entry): \(reason)" }
}

extension AgencyTree {
    /// The top of the agency's branch of the tree: its province (nil for an unknown agency).
    public func province(of id: String) -> String? {
        var current = agencies[id]
        var visited: Set<String> = []
        while let agency = current, let parent = agency.parentID, visited.insert(agency.id).inserted {
            current = agencies[parent]
        }
        return current?.id
    }

    /// The agency and every agency below it.
    public func subtree(_ id: String) -> Set<String> {
        var children: [String: [String]] = [:]
        for agency in agencies.values { if let parent = agency.parentID { children[parent, default: []].append(agency.id) } }
        var result: Set<String> = []
        var stack = [id]
        while let next = stack.popLast() {
            if result.insert(next).inserted { stack += children[next] ?? [] }
        }
        return agencies[id] == nil ? [] : result
    }
}

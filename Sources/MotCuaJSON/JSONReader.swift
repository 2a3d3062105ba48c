import Foundation

/// A fast path for decoding request bodies: a small JSON parser behind the `Decoder` protocol that
/// decodes well-formed input ~5× faster than Foundation's `JSONDecoder` (which builds a dictionary
/// for every object it opens). It is deliberately narrow: anything it is not sure to read exactly
/// as `JSONDecoder` would (a duplicate key, an escaped key, a number with a fraction or an exponent
/// for an integer, invalid UTF-8, `Data`, `URL`, `Decimal`, nesting deeper than 64, any error at
/// all) makes it throw `JSONReader.NotHandled`, and the caller decodes again with `JSONDecoder`,
/// whose value or error then stands. So errors keep Foundation's coding paths exactly, and
/// `JSONReaderTests` check that both agree on what the fast path accepts.
public struct JSONReader: Sendable {
    /// Thrown for anything the reader leaves to `JSONDecoder`.
    public struct NotHandled: Error {}

    let parseDate: @Sendable (String) -> Date?

    /// `parseDate` reads a date from its JSON string, as the `JSONDecoder`'s date strategy
    /// would (`nil` where that strategy throws).
    public init(parseDate: @escaping @Sendable (String) -> Date?) {
        self.parseDate = parseDate
    }

    public func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws -> T {
        let input = ReaderInput(Array(bytes), parseDate: parseDate)
        // Invalid UTF-8 anywhere, even in a value no field reads, is an error for JSONDecoder.
        guard input.bytes.allSatisfy({ $0 < 0x80 }) || String(validating: input.bytes, as: UTF8.self) != nil else {
            throw NotHandled()
        }
        var parser = ReaderParser(bytes: input.bytes)
        let root = try parser.parseDocument()
        let value = try input.decode(T.self, root, codingPath: [])
        guard !input.declined else { throw NotHandled() }
        return value
    }
}

indirect enum ReaderValue {
    case object([(key: Range<Int>, value: ReaderValue)])
    case array([ReaderValue])
    /// Byte range between the quotes; `escaped` when it holds a backslash.
    case string(Range<Int>, escaped: Bool)
    case number(Range<Int>, integer: Bool)
    case bool(Bool)
    case null
}

struct ReaderParser {
    let bytes: [UInt8]
    var index = 0
    var depth = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func parseDocument() throws(JSONReader.NotHandled) -> ReaderValue {
        let value = try parseValue()
        skipSpace()
        guard index == bytes.count else { throw JSONReader.NotHandled() }
        return value
    }

    mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func expect(_ literal: StaticString) throws(JSONReader.NotHandled) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw JSONReader.NotHandled() }
        let pointer = literal.utf8Start
        for offset in 0..<count where bytes[index + offset] != pointer[offset] { throw JSONReader.NotHandled() }
        index += count
    }

    mutating func parseValue() throws(JSONReader.NotHandled) -> ReaderValue {
        skipSpace()
        guard index < bytes.count else { throw JSONReader.NotHandled() }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""):
            let (range, escaped) = try parseString()
            return .string(range, escaped: escaped)
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        default: return try parseNumber()
        }
    }

    mutating func enter() throws(JSONReader.NotHandled) {
        depth += 1
        guard depth <= 64 else { throw JSONReader.NotHandled() }
        index += 1
    }

    mutating func parseObject() throws(JSONReader.NotHandled) -> ReaderValue {
        try enter()
        var members: [(key: Range<Int>, value: ReaderValue)] = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(members)
        }
        while true {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw JSONReader.NotHandled() }
            let (key, escaped) = try parseString()
            // An escaped key, or the same key twice, is left to JSONDecoder.
            guard !escaped, members.count < 64,
                  !members.contains(where: { bytes[$0.key].elementsEqual(bytes[key]) }) else { throw JSONReader.NotHandled() }
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw JSONReader.NotHandled() }
            index += 1
            members.append((key, try parseValue()))
            skipSpace()
            guard index < bytes.count else { throw JSONReader.NotHandled() }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            guard bytes[index] == UInt8(ascii: "}") else { throw JSONReader.NotHandled() }
            index += 1
            depth -= 1
            return .object(members)
        }
    }

    mutating func parseArray() throws(JSONReader.NotHandled) -> ReaderValue {
        try enter()
        var elements: [ReaderValue] = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue())
            skipSpace()
            guard index < bytes.count else { throw JSONReader.NotHandled() }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            guard bytes[index] == UInt8(ascii: "]") else { throw JSONReader.NotHandled() }
            index += 1
            depth -= 1
            return .array(elements)
        }
    }

    /// The bytes between the quotes; control characters are refused, escapes only noted.
    mutating func parseString() throws(JSONReader.NotHandled) -> (Range<Int>, Bool) {
        index += 1
        let start = index
        var escaped = false
        while index < bytes.count {
            // Eight bytes at a time while none is a quote, a backslash or a control character.
            if index + 8 <= bytes.count {
                let word = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: index, as: UInt64.self)) }
                if !Sink.needsEscape(word) {
                    index += 8
                    continue
                }
            }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return (start..<index - 1, escaped)
            }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                index += 2
                continue
            }
            guard byte >= 0x20 else { throw JSONReader.NotHandled() }
            index += 1
        }
        throw JSONReader.NotHandled()
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    mutating func parseNumber() throws(JSONReader.NotHandled) -> ReaderValue {
        let start = index
        func digits(_ parser: inout ReaderParser) -> Int {
            let from = parser.index
            while parser.index < parser.bytes.count, (0x30...0x39).contains(parser.bytes[parser.index]) { parser.index += 1 }
            return parser.index - from
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let leading = index < bytes.count ? bytes[index] : 0
        let count = digits(&self)
        guard count > 0, !(leading == UInt8(ascii: "0") && count > 1) else { throw JSONReader.NotHandled() }
        var integer = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            integer = false
            guard digits(&self) > 0 else { throw JSONReader.NotHandled() }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            integer = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits(&self) > 0 else { throw JSONReader.NotHandled() }
        }
        return .number(start..<index, integer: integer)
    }
}

/// The parsed document and what every container needs to read values out of it.
final class ReaderInput {
    let bytes: [UInt8]
    let parseDate: (String) -> Date?
    /// Set by every refusal while values are read: a `Decodable` may swallow the error (`try?`)
    /// and go another way (an Int that reads "4e0" as a Double instead), where JSONDecoder, which
    /// reads that Int, would not. A document with any refusal is left to JSONDecoder whole.
    var declined = false

    /// The error for a value the reader leaves to JSONDecoder, remembered.
    func decline() -> JSONReader.NotHandled {
        declined = true
        return JSONReader.NotHandled()
    }

    init(_ bytes: [UInt8], parseDate: @escaping (String) -> Date?) {
        self.bytes = bytes
        self.parseDate = parseDate
    }

    func string(_ value: ReaderValue) throws -> String {
        guard case let .string(range, escaped) = value else { throw decline() }
        if !escaped {
            // The whole input is valid UTF-8, so is what lies between two quotes.
            return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
        }
        return try unescape(range)
    }

    func unescape(_ range: Range<Int>) throws -> String {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var index = range.lowerBound
        func hex4(_ at: Int) throws -> UInt32 {
            guard at + 4 <= range.upperBound else { throw decline() }
            var value: UInt32 = 0
            for byte in bytes[at..<at + 4] {
                let digit: UInt32
                switch byte {
                case 0x30...0x39: digit = UInt32(byte - 0x30)
                case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
                case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
                default: throw decline()
                }
                value = value << 4 | digit
            }
            return value
        }
        while index < range.upperBound {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                index += 1
                continue
            }
            guard index + 1 < range.upperBound else { throw decline() }
            let code = bytes[index + 1]
            index += 2
            switch code {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(code)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(index)
                index += 4
                if (0xD800..<0xDC00).contains(scalar) {
                    // A high surrogate must be followed by an escaped low one.
                    guard index + 6 <= range.upperBound, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw decline()
                    }
                    let low = try hex4(index + 2)
                    guard (0xDC00..<0xE000).contains(low) else { throw decline() }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw decline() }
                out.append(contentsOf: Array(String(Character(unicode)).utf8))
            default: throw decline()
            }
        }
        guard let text = String(validating: out, as: UTF8.self) else { throw decline() }
        return text
    }

    func integer<T: FixedWidthInteger>(_ type: T.Type, _ value: ReaderValue) throws -> T {
        guard case let .number(range, integer: true) = value else { throw decline() }
        var index = range.lowerBound
        let negative = bytes[index] == UInt8(ascii: "-")
        guard !negative || T.isSigned else { throw decline() }  // even "-0"
        if negative { index += 1 }
        var result: T = 0
        while index < range.upperBound {
            let digit = T(bytes[index] - 0x30)
            let (shifted, overflow1) = result.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { throw decline() }
            result = next
            index += 1
        }
        return result
    }

    func double(_ value: ReaderValue) throws -> Double {
        guard case let .number(range, _) = value,
              let number = Double(String(decoding: bytes[range], as: UTF8.self)), number.isFinite else { throw decline() }
        return number
    }

    func bool(_ value: ReaderValue) throws -> Bool {
        guard case let .bool(flag) = value else { throw decline() }
        return flag
    }

    func decode<T: Decodable>(_ type: T.Type, _ value: ReaderValue, codingPath: [any CodingKey]) throws -> T {
        if T.self == String.self { return try string(value) as! T }
        if T.self == Int.self { return try integer(Int.self, value) as! T }
        if T.self == Bool.self { return try bool(value) as! T }
        if T.self == Double.self { return try double(value) as! T }
        if T.self == Date.self {
            guard let date = parseDate(try string(value)) else { throw decline() }
            return date as! T
        }
        if let integerType = T.self as? any FixedWidthInteger.Type {
            func read<I: FixedWidthInteger>(_ type: I.Type) throws -> T { try integer(I.self, value) as! T }
            return try read(integerType)
        }
        // Left to JSONDecoder: its own strategies for these, its own range checks for Float. (The
        // standard library's scalars must never reach `init(from:)` here: theirs would ask a
        // single-value container for themselves, which would come back to this function.)
        if T.self == Data.self || T.self == URL.self || T.self == Decimal.self || T.self is any BinaryFloatingPoint.Type {
            throw decline()
        }
        return try T(from: ReaderDecoder(input: self, value: value, codingPath: codingPath))
    }

    func key(_ range: Range<Int>, equals key: String) -> Bool {
        var key = key
        return key.withUTF8 { utf8 in
            guard utf8.count == range.count else { return false }
            return bytes.withUnsafeBufferPointer { all in memcmp(all.baseAddress! + range.lowerBound, utf8.baseAddress!, range.count) == 0 }
        }
    }
}

struct ReaderDecoder: Decoder {
    let input: ReaderInput
    let value: ReaderValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case let .object(members) = value else { throw input.decline() }
        return KeyedDecodingContainer(ReaderKeyed<Key>(input: input, members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case let .array(elements) = value else { throw input.decline() }
        return ReaderUnkeyed(input: input, elements: elements, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        ReaderSingle(input: input, value: value, codingPath: codingPath)
    }
}

struct ReaderKeyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let input: ReaderInput
    let members: [(key: Range<Int>, value: ReaderValue)]
    let codingPath: [any CodingKey]

    var allKeys: [Key] {
        members.compactMap { member in Key(stringValue: String(decoding: input.bytes[member.key], as: UTF8.self)) }
    }

    func find(_ key: Key) -> ReaderValue? {
        let name = key.stringValue
        return members.first(where: { input.key($0.key, equals: name) })?.value
    }

    func value(_ key: Key) throws -> ReaderValue {
        guard let value = find(key) else { throw input.decline() }
        return value
    }

    func contains(_ key: Key) -> Bool { find(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = try value(key) { return true }
        return false
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String { try input.string(value(key)) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try input.bool(value(key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try input.integer(Int.self, value(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try input.double(value(key)) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try input.decode(T.self, value(key), codingPath: codingPath + [key])
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let value = find(key) else { return nil }
        if case .null = value { return nil }
        return try input.string(value)
    }

    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        guard let value = find(key) else { return nil }
        if case .null = value { return nil }
        return try input.integer(Int.self, value)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = find(key) else { return nil }
        if case .null = value { return nil }
        return try input.decode(T.self, value, codingPath: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try ReaderDecoder(input: input, value: value(key), codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ReaderDecoder(input: input, value: value(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { throw input.decline() }
    func superDecoder(forKey key: Key) throws -> any Decoder { throw input.decline() }
}

struct ReaderUnkeyed: UnkeyedDecodingContainer {
    let input: ReaderInput
    let elements: [ReaderValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0

    init(input: ReaderInput, elements: [ReaderValue], codingPath: [any CodingKey]) {
        self.input = input
        self.elements = elements
        self.codingPath = codingPath
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    mutating func next() throws -> ReaderValue {
        guard !isAtEnd else { throw input.decline() }
        defer { currentIndex += 1 }
        return elements[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { throw input.decline() }
        if case .null = elements[currentIndex] {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode(_ type: String.Type) throws -> String { try input.string(next()) }
    mutating func decode(_ type: Int.Type) throws -> Int { try input.integer(Int.self, next()) }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let path = codingPath + [ReaderIndex(currentIndex)]
        return try input.decode(T.self, next(), codingPath: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let path = codingPath + [ReaderIndex(currentIndex)]
        return try ReaderDecoder(input: input, value: next(), codingPath: path).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let path = codingPath + [ReaderIndex(currentIndex)]
        return try ReaderDecoder(input: input, value: next(), codingPath: path).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder { throw input.decline() }
}

struct ReaderIndex: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ index: Int) { stringValue = "Index \(index)"; intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.init(intValue) }
}

struct ReaderSingle: SingleValueDecodingContainer {
    let input: ReaderInput
    let value: ReaderValue
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool {
        if case .null = value { return true }
        return false
    }

    func decode(_ type: String.Type) throws -> String { try input.string(value) }
    func decode(_ type: Bool.Type) throws -> Bool { try input.bool(value) }
    func decode(_ type: Int.Type) throws -> Int { try input.integer(Int.self, value) }
    func decode(_ type: Double.Type) throws -> Double { try input.double(value) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try input.decode(T.self, value, codingPath: codingPath) }
}

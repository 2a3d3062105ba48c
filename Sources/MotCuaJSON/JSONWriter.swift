import Foundation

/// A streaming JSON encoder for `Encodable` values: it writes bytes as the value encodes itself,
/// where Foundation's `JSONEncoder` first builds a tree of boxed values. Several times faster on
/// the intake path, and read back by the ordinary `JSONDecoder` (a test proves the round trip for
/// every stored type).
///
/// Keys come out in the order the value encodes them; `nil` optionals are left out, as
/// `encodeIfPresent` asks; non-finite numbers are refused.
public struct JSONWriter: Sendable {
    public enum DateFormat: Sendable {
        /// Seconds since 1970 as a number (storage).
        case secondsSince1970
        /// A string produced by the given function (the API's ISO 8601 in Vietnam time).
        case text(@Sendable (Date) -> String)

        /// ISO 8601 in UTC to the second (`2026-11-30T06:15:40Z`), as `JSONDecoder`'s `.iso8601`
        /// reads it: files a person may open (the CLI's session, a backup's manifest).
        public static let iso8601 = DateFormat.text { $0.formatted(.iso8601) }
    }

    public var dateFormat: DateFormat
    /// Whether the output is indented for a person (two spaces a level, one member a line);
    /// compact otherwise. The same document either way.
    public var prettyPrinted: Bool
    /// Whether the types that can write themselves (`DirectJSON`: dossiers, events and their
    /// parts) do, instead of going through `Encodable`. The output is the same byte for byte (a
    /// test compares both ways); off only to produce the reference in that test.
    var direct = true

    public init(dateFormat: DateFormat = .secondsSince1970, prettyPrinted: Bool = false) {
        self.dateFormat = dateFormat
        self.prettyPrinted = prettyPrinted
    }

    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let sink = Sink(dateFormat: dateFormat, direct: direct)
        sink.bytes.reserveCapacity(4096)
        try sink.encodeValue(value, depth: 0)
        sink.close(downTo: 0)
        return prettyPrinted ? Self.indented(sink.bytes) : sink.bytes
    }

    public func data<T: Encodable>(_ value: T) throws -> Data {
        Data(try encode(value))
    }

    public func string<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }

    /// `json` (one valid JSON document, compact or not) indented: a line for each member and
    /// element, two spaces a level, `"key": value`; empty containers stay `{}` and `[]`. Text
    /// inside strings is copied as it is. Used for `prettyPrinted` and to show a server's answer.
    public static func indented(_ json: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(json.count + json.count / 4)
        var level = 0
        var inString = false
        var escaped = false
        var justOpened = false
        func newline() {
            out.append(UInt8(ascii: "\n"))
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * level))
        }
        for byte in json {
            if inString {
                out.append(byte)
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                continue
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                level -= 1
                if !justOpened { newline() }
                out.append(byte)
                justOpened = false
                continue
            default: break
            }
            if justOpened { newline() }
            justOpened = false
            out.append(byte)
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                level += 1
                justOpened = true
            case UInt8(ascii: ","): newline()
            case UInt8(ascii: ":"): out.append(UInt8(ascii: " "))
            default: break
            }
        }
        return out
    }
}

/// The output and the stack of open containers. A container at depth d is closed as soon as
/// anything is written at depth ≤ d, or when the value that opened it has finished encoding.
final class Sink {
    enum Kind { case object, array }

    struct Open {
        var kind: Kind
        var depth: Int
        var first = true
    }

    // One sink serves one encoding on one thread, and no access to these overlaps another: the
    // dynamic exclusivity checks Swift makes on class properties were ~25% of the encoding time.
    @exclusivity(unchecked) var bytes: [UInt8] = []
    @exclusivity(unchecked) var stack: [Open] = []
    let dateFormat: JSONWriter.DateFormat
    let direct: Bool

    init(dateFormat: JSONWriter.DateFormat, direct: Bool = true) {
        self.dateFormat = dateFormat
        self.direct = direct
    }

    /// Closes every container opened at `depth` or deeper.
    func close(downTo depth: Int) {
        while let top = stack.last, top.depth >= depth {
            bytes.append(top.kind == .object ? UInt8(ascii: "}") : UInt8(ascii: "]"))
            stack.removeLast()
        }
    }

    func open(_ kind: Kind, depth: Int) {
        close(downTo: depth)
        bytes.append(kind == .object ? UInt8(ascii: "{") : UInt8(ascii: "["))
        stack.append(Open(kind: kind, depth: depth))
    }

    /// Prepares to write an element or a member into the container at `depth`.
    func separator(depth: Int) {
        close(downTo: depth + 1)
        if let index = stack.lastIndex(where: { $0.depth == depth }) {
            if stack[index].first {
                stack[index].first = false
            } else {
                bytes.append(UInt8(ascii: ","))
            }
        }
    }

    func key(_ key: String, depth: Int) {
        separator(depth: depth)
        string(key)
        bytes.append(UInt8(ascii: ":"))
    }

    func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            // Copy runs that need no escaping in one go. Eight bytes at a time are tested for a
            // quote, a backslash or a control character at once; only a word that holds one is
            // looked at byte by byte.
            var start = 0
            var index = 0
            let count = utf8.count
            while index < count {
                if index + 8 <= count {
                    let word = UInt64(littleEndian: UnsafeRawPointer(utf8.baseAddress! + index).loadUnaligned(as: UInt64.self))
                    if !Sink.needsEscape(word) {
                        index += 8
                        continue
                    }
                }
                let byte = utf8[index]
                index += 1
                guard byte == 0x22 || byte == 0x5C || byte < 0x20 else { continue }
                let escaped = index - 1
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<escaped]))
                switch byte {
                case 0x22: bytes.append(contentsOf: [92, 34])
                case 0x5C: bytes.append(contentsOf: [92, 92])
                case 0x0A: bytes.append(contentsOf: [92, UInt8(ascii: "n")])
                case 0x0D: bytes.append(contentsOf: [92, UInt8(ascii: "r")])
                case 0x09: bytes.append(contentsOf: [92, UInt8(ascii: "t")])
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]])
                }
                start = index
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<count]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Whether any of the eight bytes of `word` is a quote, a backslash or below 0x20: the classic
    /// "has a zero byte" test on `word ^ repeated(c)`, and "has a byte less than n" for the
    /// controls. Exact as a yes/no (a borrow only spreads above a byte that already matched).
    @inline(__always)
    static func needsEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZero(_ x: UInt64) -> Bool { (x &- ones) & ~x & highs != 0 }
        return hasZero(word ^ (ones &* 0x22)) || hasZero(word ^ (ones &* 0x5C)) || (word &- ones &* 0x20) & ~word & highs != 0
    }

    func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// Decimal digits straight into the output, without an intermediate `String`.
    func integer(_ value: Int) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            if value == .min { raw(String(value).dropFirst().description); return }
        }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // up to 24 digits, least significant first
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[index]) }
        }
    }

    func double(_ value: Double, codingPath: [any CodingKey]) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "not a finite number"))
        }
        if value == value.rounded(), abs(value) < 1e15 {
            integer(Int(value))
        } else {
            raw(String(value))
        }
    }

    /// Writes any value at `depth` (after its key or separator has been written). Scalars are
    /// recognised by comparing metatypes, which is cheaper than trying casts one by one.
    func encodeValue<T: Encodable>(_ value: T, depth: Int, codingPath: [any CodingKey] = []) throws {
        if T.self == String.self {
            string(unsafeBitCast(value, to: String.self))
        } else if T.self == Date.self {
            try date(unsafeBitCast(value, to: Date.self), codingPath: codingPath)
        } else if T.self == Int.self {
            integer(unsafeBitCast(value, to: Int.self))
        } else if T.self == Bool.self {
            raw(unsafeBitCast(value, to: Bool.self) ? "true" : "false")
        } else if T.self == Double.self {
            try double(unsafeBitCast(value, to: Double.self), codingPath: codingPath)
        } else if T.self is any BinaryInteger.Type, let number = value as? any BinaryInteger {
            // Checked on the type first: `value as?` would box every struct it is asked about.
            raw(String(describing: number))
        } else if T.self == Float.self {
            try double(Double(unsafeBitCast(value, to: Float.self)), codingPath: codingPath)
        } else if T.self == Data.self, let data = value as? Data {
            // As `JSONEncoder` writes them by default: bytes as base64, a URL as its text, a
            // decimal as its digits (their own `Encodable` would write an array and an object).
            string(data.base64EncodedString())
        } else if T.self == URL.self, let url = value as? URL {
            string(url.absoluteString)
        } else if T.self == Decimal.self, let decimal = value as? Decimal {
            raw(decimal.description)
        } else if direct, let type = T.self as? any DirectJSON.Type {
            try writeDirect(value, as: type, depth: depth)
        } else {
            try value.encode(to: WriterEncoder(sink: self, depth: depth, codingPath: codingPath))
            close(downTo: depth)
        }
    }

    func date(_ date: Date, codingPath: [any CodingKey]) throws {
        switch dateFormat {
        case .secondsSince1970: try double(date.timeIntervalSince1970, codingPath: codingPath)
        case let .text(format): string(format(date))
        }
    }

    private func writeDirect<T: Encodable, D: DirectJSON>(_ value: T, as type: D.Type, depth: Int) throws {
        open(.object, depth: depth)
        try (value as! D).writeJSON(JSONObject(sink: self, depth: depth))
        close(downTo: depth)
    }
}

struct WriterEncoder: Encoder {
    let sink: Sink
    let depth: Int
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if !sink.stack.contains(where: { $0.depth == depth && $0.kind == .object }) { sink.open(.object, depth: depth) }
        return KeyedEncodingContainer(WriterKeyed<Key>(sink: sink, depth: depth, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if !sink.stack.contains(where: { $0.depth == depth && $0.kind == .array }) { sink.open(.array, depth: depth) }
        return WriterUnkeyed(sink: sink, depth: depth, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        WriterSingle(sink: sink, depth: depth, codingPath: codingPath)
    }
}

struct WriterKeyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let sink: Sink
    let depth: Int
    var codingPath: [any CodingKey]

    func encodeNil(forKey key: Key) throws { sink.key(key.stringValue, depth: depth); sink.raw("null") }
    func encode(_ value: Bool, forKey key: Key) throws { sink.key(key.stringValue, depth: depth); sink.raw(value ? "true" : "false") }
    func encode(_ value: String, forKey key: Key) throws { sink.key(key.stringValue, depth: depth); sink.string(value) }
    func encode(_ value: Int, forKey key: Key) throws { sink.key(key.stringValue, depth: depth); sink.integer(value) }
    func encode(_ value: Double, forKey key: Key) throws {
        sink.key(key.stringValue, depth: depth)
        try sink.double(value, codingPath: codingPath + [key])
    }

    func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        sink.key(key.stringValue, depth: depth)
        try sink.encodeValue(value, depth: depth + 1, codingPath: codingPath)
    }

    // The protocol's default `encodeIfPresent` looks up generic metadata at run time on every
    // call (~8% of encoding a dossier); these skip it. `nil` is left out, as the default does.
    func encodeIfPresent(_ value: String?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } }
    func encodeIfPresent(_ value: Int?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } }
    func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } }
    func encodeIfPresent(_ value: Double?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } }
    func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } }

    func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        sink.key(key.stringValue, depth: depth)
        sink.open(.object, depth: depth + 1)
        return KeyedEncodingContainer(WriterKeyed<NestedKey>(sink: sink, depth: depth + 1, codingPath: codingPath + [key]))
    }

    func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        sink.key(key.stringValue, depth: depth)
        sink.open(.array, depth: depth + 1)
        return WriterUnkeyed(sink: sink, depth: depth + 1, codingPath: codingPath + [key])
    }

    func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

    func superEncoder(forKey key: Key) -> any Encoder {
        sink.key(key.stringValue, depth: depth)
        return WriterEncoder(sink: sink, depth: depth + 1, codingPath: codingPath + [key])
    }
}

struct WriterUnkeyed: UnkeyedEncodingContainer {
    let sink: Sink
    let depth: Int
    var codingPath: [any CodingKey]
    var count = 0

    struct Index: CodingKey {
        var stringValue: String
        var intValue: Int?
        init(stringValue: String) { self.stringValue = stringValue; intValue = nil }
        init(intValue: Int) { stringValue = String(intValue); self.intValue = intValue }
    }

    mutating func encodeNil() throws { sink.separator(depth: depth); sink.raw("null"); count += 1 }
    mutating func encode(_ value: String) throws { sink.separator(depth: depth); sink.string(value); count += 1 }

    mutating func encode<T: Encodable>(_ value: T) throws {
        sink.separator(depth: depth)
        try sink.encodeValue(value, depth: depth + 1, codingPath: codingPath)
        count += 1
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        sink.separator(depth: depth)
        sink.open(.object, depth: depth + 1)
        count += 1
        return KeyedEncodingContainer(WriterKeyed<NestedKey>(sink: sink, depth: depth + 1, codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        sink.separator(depth: depth)
        sink.open(.array, depth: depth + 1)
        count += 1
        return WriterUnkeyed(sink: sink, depth: depth + 1, codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder {
        sink.separator(depth: depth)
        count += 1
        return WriterEncoder(sink: sink, depth: depth + 1, codingPath: codingPath)
    }
}

struct WriterSingle: SingleValueEncodingContainer {
    let sink: Sink
    let depth: Int
    var codingPath: [any CodingKey]

    func encodeNil() throws { sink.raw("null") }
    func encode(_ value: Bool) throws { sink.raw(value ? "true" : "false") }
    func encode(_ value: String) throws { sink.string(value) }
    func encode(_ value: Int) throws { sink.integer(value) }
    func encode(_ value: Double) throws { try sink.double(value, codingPath: codingPath) }
    func encode<T: Encodable>(_ value: T) throws { try sink.encodeValue(value, depth: depth, codingPath: codingPath) }
}

/// A type that writes its JSON object member by member, as its synthesized `Encodable`
/// conformance would (same keys, same order, `nil` left out), without the `Encoder` protocol's
/// containers: for the types every intake encodes several times, where the containers' run-time
/// generic lookups cost more than the writing. `DirectJSONTests` compare both outputs byte for byte.
public protocol DirectJSON: Encodable {
    func writeJSON(_ object: JSONObject) throws
}

/// The members of one object being written.
public struct JSONObject {
    let sink: Sink
    let depth: Int

    public func callAsFunction(_ key: String, _ value: String) {
        sink.key(key, depth: depth)
        sink.string(value)
    }

    public func callAsFunction(_ key: String, _ value: String?) {
        if let value { self(key, value) }
    }

    public func callAsFunction(_ key: String, _ value: Int) {
        sink.key(key, depth: depth)
        sink.integer(value)
    }

    public func callAsFunction(_ key: String, _ value: Int?) {
        if let value { self(key, value) }
    }

    public func callAsFunction(_ key: String, _ value: Int64?) {
        if let value { self(key, Int(value)) }
    }

    public func callAsFunction(_ key: String, _ value: Bool?) {
        if let value {
            sink.key(key, depth: depth)
            sink.raw(value ? "true" : "false")
        }
    }

    public func callAsFunction(_ key: String, _ value: Date) throws {
        sink.key(key, depth: depth)
        try sink.date(value, codingPath: [])
    }

    public func callAsFunction(_ key: String, _ value: Date?) throws {
        if let value { try self(key, value) }
    }

    public func callAsFunction(_ key: String, _ values: [String]?) {
        guard let values else { return }
        sink.key(key, depth: depth)
        sink.open(.array, depth: depth + 1)
        for value in values {
            sink.separator(depth: depth + 1)
            sink.string(value)
        }
        sink.close(downTo: depth + 1)
    }

    public func callAsFunction<Element: DirectJSON>(_ key: String, _ values: [Element]?) throws {
        guard let values else { return }
        sink.key(key, depth: depth)
        sink.open(.array, depth: depth + 1)
        for value in values {
            sink.separator(depth: depth + 1)
            sink.open(.object, depth: depth + 2)
            try value.writeJSON(JSONObject(sink: sink, depth: depth + 2))
            sink.close(downTo: depth + 2)
        }
        sink.close(downTo: depth + 1)
    }

    /// Anything else goes through its `Encodable` conformance (or its own `DirectJSON`).
    public func callAsFunction<T: Encodable>(_ key: String, _ value: T?) throws {
        guard let value else { return }
        sink.key(key, depth: depth)
        try sink.encodeValue(value, depth: depth + 1)
    }
}

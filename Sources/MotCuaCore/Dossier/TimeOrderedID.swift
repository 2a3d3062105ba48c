import Foundation

/// Identifiers in the layout of UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then
/// random bits. New dossiers, and their events and access rows keyed by it, are then appended at
/// the end of the database's B-trees instead of scattered across them, which keeps each group
/// commit to a few pages.
public enum TimeOrderedID {
    public static func make(at date: Date) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(at: date, using: &generator)
    }

    public static func make(at date: Date, using generator: inout some RandomNumberGenerator) -> String {
        let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8((milliseconds >> (8 * (5 - index))) & 0xff) }
        // Two draws of 64 bits, not ten of 8: each draw from the system generator is a system call.
        let high = generator.next(), low = generator.next()
        for index in 6..<8 { bytes[index] = UInt8(truncatingIfNeeded: high >> (8 * (index - 6))) }
        for index in 8..<16 { bytes[index] = UInt8(truncatingIfNeeded: low >> (8 * (index - 8))) }
        bytes[6] = (bytes[6] & 0x0f) | 0x70 // version 7
        bytes[8] = (bytes[8] & 0x3f) | 0x80 // RFC 9562 variant
        let hex = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if [4, 6, 8, 10].contains(index) { text.append(UInt8(ascii: "-")) }
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

import Foundation

/// Search keys for Vietnamese text: lower case, diacritics removed, đ/Đ folded to d, runs of
/// white space collapsed. "Nguyễn Văn An" and "nguyen van an" fold to the same key.
///
/// Text made only of ASCII and of Latin letters that fold to one ASCII letter (all of
/// Vietnamese) goes through a table, byte by byte; anything else through the general rule
/// (`foldedSearchKeyGeneral`), which gives the same result for the former, only slower (the
/// canonical decomposition of the whole text, then a lower-case mapping per scalar).
public func foldedSearchKey(_ text: String) -> String {
    var out = [UInt8]()
    out.reserveCapacity(text.utf8.count)
    var lastWasSpace = true
    for scalar in text.unicodeScalars {
        let value = scalar.value
        var byte: UInt8
        if value < 0x80 {
            if value == 0x20 || (0x09...0x0D).contains(value) {
                if !lastWasSpace { out.append(0x20) }
                lastWasSpace = true
                continue
            }
            byte = UInt8(value)
            if (0x41...0x5A).contains(byte) { byte |= 0x20 }
        } else if (0x0300...0x036F).contains(value) {
            continue
        } else if let folded = LatinFolds.table.fold(value) {
            byte = folded
        } else {
            return foldedSearchKeyGeneral(text)
        }
        out.append(byte)
        lastWasSpace = false
    }
    while out.last == 0x20 { out.removeLast() }
    return String(decoding: out, as: UTF8.self)
}

/// The general rule, for any text.
func foldedSearchKeyGeneral(_ text: String) -> String {
    var out = String.UnicodeScalarView()
    var lastWasSpace = true
    for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
        switch scalar.value {
        case 0x0300...0x036F:
            continue // combining marks: the tones and vowel marks
        case 0x0110, 0x0111:
            out.append("d")
            lastWasSpace = false
        default:
            if scalar.properties.isWhitespace {
                if !lastWasSpace { out.append(" ") }
                lastWasSpace = true
            } else {
                out.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
                lastWasSpace = false
            }
        }
    }
    var result = String(out)
    while result.last == " " { result.removeLast() }
    return result
}

/// Latin-1 Supplement letters through Latin Extended-B (U+00C0–U+024F) and Latin Extended
/// Additional (U+1E00–U+1EFF, where most Vietnamese letters with two marks live): the one ASCII
/// byte each folds to under the general rule, or 0 where it folds to something else.
struct LatinFolds: Sendable {
    static let table = LatinFolds()
    static let ranges: [ClosedRange<UInt32>] = [0x00C0...0x024F, 0x1E00...0x1EFF]
    let low: [UInt8]
    let extended: [UInt8]

    init() {
        func folds(_ range: ClosedRange<UInt32>) -> [UInt8] {
            range.map { value in
                guard let scalar = Unicode.Scalar(value) else { return 0 }
                let folded = Array(foldedSearchKeyGeneral(String(Character(scalar))).utf8)
                return folded.count == 1 && folded[0] > 0x20 && folded[0] < 0x7F ? folded[0] : 0
            }
        }
        low = folds(Self.ranges[0])
        extended = folds(Self.ranges[1])
    }

    func fold(_ value: UInt32) -> UInt8? {
        let byte: UInt8
        switch value {
        case Self.ranges[0]: byte = low[Int(value - Self.ranges[0].lowerBound)]
        case Self.ranges[1]: byte = extended[Int(value - Self.ranges[1].lowerBound)]
        default: return nil
        }
        return byte == 0 ? nil : byte
    }
}

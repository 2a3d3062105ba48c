import Foundation

/// Search keys for Vietnamese text: lower case, diacritics removed, đ/Đ folded to d, runs of
/// white space collapsed. "Nguyễn Văn An" and "nguyen van an" fold to the same key.
public func foldedSearchKey(_ text: String) -> String {
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

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Colours and layout for people at a terminal; plain text for pipes, files and `NO_COLOR`.
enum Terminal {
    static let colours: Bool = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        && ProcessInfo.processInfo.environment["TERM"] != "dumb"

    enum Colour: String { case green = "32", amber = "33", red = "31", grey = "90", bold = "1" }

    static func paint(_ text: String, _ colour: Colour?) -> String {
        guard colours, let colour else { return text }
        return "\u{1B}[\(colour.rawValue)m\(text)\u{1B}[0m"
    }

    /// Display width: one column a character (Vietnamese letters are precomposed).
    static func width(_ text: String) -> Int { text.count }

    static func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - Self.width(text)))
    }

    static func clip(_ text: String, _ width: Int) -> String {
        text.count <= width ? text : String(text.prefix(max(1, width - 1))) + "…"
    }

    /// An aligned table; `colour` picks a row's colour (applied after padding, so columns stay aligned).
    static func table(_ header: [String], _ rows: [[String]], colour: (Int) -> Colour? = { _ in nil }) -> String {
        var widths = header.map(width)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], width(cell)) } }
        var lines = [header.enumerated().map { paint(pad($1, widths[$0]), .bold) }.joined(separator: "  ")]
        for (index, row) in rows.enumerated() {
            lines.append(paint(row.enumerated().map { pad($1, widths[$0]) }.joined(separator: "  "), colour(index)))
        }
        return lines.joined(separator: "\n")
    }

    /// Reads a line from standard input; nil at end of input (Ctrl-D).
    static func ask(_ prompt: String) -> String? {
        FileHandle.standardOutput.write(Data(prompt.utf8))
        return readLine(strippingNewline: true)
    }

    /// Reads a secret without echo when standard input is a terminal.
    static func askSecret(_ prompt: String) -> String? {
        guard isatty(STDIN_FILENO) == 1 else { return ask(prompt) }
        FileHandle.standardOutput.write(Data(prompt.utf8))
        var original = termios()
        tcgetattr(STDIN_FILENO, &original)
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &original)
            FileHandle.standardOutput.write(Data("\n".utf8))
        }
        return readLine(strippingNewline: true)
    }
}

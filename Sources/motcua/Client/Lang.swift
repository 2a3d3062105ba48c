import Foundation

/// The language of the terminal client: Vietnamese by default; English with `--lang en` or
/// `MOTCUA_LANG=en`. Read once from the command line and the environment, before the arguments are
/// parsed, so that `--help` itself is in the chosen language.
enum Lang: String, Sendable {
    case vi, en

    static let current: Lang = {
        let arguments = CommandLine.arguments
        if let index = arguments.firstIndex(of: "--lang"), index + 1 < arguments.count, let lang = Lang(rawValue: arguments[index + 1]) {
            return lang
        }
        if let inline = arguments.first(where: { $0.hasPrefix("--lang=") }), let lang = Lang(rawValue: String(inline.dropFirst(7))) {
            return lang
        }
        return ProcessInfo.processInfo.environment["MOTCUA_LANG"].flatMap(Lang.init(rawValue:)) ?? .vi
    }()
}

/// The text in the client's language.
func L(_ vietnamese: String, _ english: String) -> String {
    Lang.current == .en ? english : vietnamese
}

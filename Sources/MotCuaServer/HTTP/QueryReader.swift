import Hummingbird
import MotCuaCore

/// A request's query parameters read as the contract states them, one reader for every route:
/// an integer parameter that is present must be a number in its range (empty included: the
/// contract's `integer` does not take ""), a text parameter is absent when empty and its length
/// counts code points (as JSON Schema's `maxLength` does). A bad value is a 422 problem naming
/// the parameter.
struct QueryReader {
    let parameters: Parameters

    init(_ request: Request) {
        parameters = request.uri.queryParameters
    }

    init(_ parameters: Parameters) {
        self.parameters = parameters
    }

    func raw(_ key: String) -> String? {
        parameters[Substring(key)].map(String.init)
    }

    func text(_ key: String, max: Int = 200) throws -> String? {
        guard let value = raw(key), !value.isEmpty else { return nil }
        guard value.unicodeScalars.count <= max else { throw Problem.validation(field: key, reason: "Dài quá \(max) ký tự.") }
        return value
    }

    func integer(_ key: String, _ range: ClosedRange<Int>) throws -> Int? {
        guard let raw = raw(key) else { return nil }
        guard raw.utf8.count <= 20, let value = Int(raw), range.contains(value) else {
            throw Problem.validation(field: key, reason: "Phải là số nguyên từ \(range.lowerBound) đến \(range.upperBound).")
        }
        return value
    }

    func integer(_ key: String, _ range: ClosedRange<Int>, default value: Int) throws -> Int {
        try integer(key, range) ?? value
    }
}

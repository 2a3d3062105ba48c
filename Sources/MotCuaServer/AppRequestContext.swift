import Hummingbird
import MotCuaStore

/// The request context: Hummingbird's core storage plus the authenticated officer.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var officer: Officer?

    public init(source: Source) {
        coreContext = .init(source: source)
        officer = nil
    }

    /// The officer, or a 401 problem.
    func requireOfficer() throws -> Officer {
        guard let officer else { throw Problem.typed("unauthenticated", detail: "Vui lòng đăng nhập.") }
        return officer
    }
}

import HTTPTypes
import Hummingbird
import Synchronization

/// The declared routes by path, for answering a known path with an undeclared method: 405 with `Allow` (RFC 9110
/// §15.5.6) instead of Hummingbird's 404. Filled once, after every route is registered through ``GuardedRouter``.
public final class DeclaredRoutes: Sendable {
    private let patterns = Mutex<[(segments: [Substring], methods: Set<HTTPRequest.Method>)]>([])

    /// An empty table.
    public init() {}

    /// Replaces the table with `declarations`.
    public func set(_ declarations: [GuardedRouter<some PrincipalRequestContext>.Declaration]) {
        var byPath: [String: Set<HTTPRequest.Method>] = [:]
        for declaration in declarations { byPath[declaration.path, default: []].insert(declaration.method) }
        patterns.withLock { patterns in
            patterns = byPath.map { (Self.segments($0.key), $0.value) }
        }
    }

    /// The methods declared for a concrete `path`, empty when no declared path matches it.
    public func methods(for path: String) -> Set<HTTPRequest.Method> {
        let concrete = Self.segments(path)
        return patterns.withLock { patterns in
            patterns.filter { Self.matches($0.segments, concrete) }.reduce(into: []) { $0.formUnion($1.methods) }
        }
    }

    private static func segments(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    private static func matches(_ pattern: [Substring], _ concrete: [Substring]) -> Bool {
        guard pattern.count == concrete.count else { return false }
        return zip(pattern, concrete).allSatisfy { p, c in p.hasPrefix("{") || p.hasPrefix(":") || p == c }
    }
}

/// Answers a request whose path is declared but whose method is not with 405 and `Allow`, as a problem document.
public struct MethodNotAllowedMiddleware<Context: PrincipalRequestContext>: RouterMiddleware {
    private let routes: DeclaredRoutes

    /// A middleware consulting `routes`.
    public init(routes: DeclaredRoutes) {
        self.routes = routes
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = routes.methods(for: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method) else { throw error }
            let allow = allowed.map(\.rawValue).sorted().joined(separator: ", ")
            return AccessProblem.response(
                status: .methodNotAllowed, detail: "\(request.method) is not supported here; use \(allow)", context,
                headers: [.allow: allow])
        }
    }
}

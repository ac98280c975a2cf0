import Auth
import Detection
import Foundation
import Stores

/// A signed-in dashboard session: who, their CSRF token, until when.
public struct DashboardSession: Sendable, Hashable {
    /// The secret id the session cookie carries (64 hex digits).
    public var id: String
    /// Who signed in.
    public var principal: Principal
    /// The session's CSRF token, repeated in every form.
    public var csrfToken: String

    /// Creates a session record.
    public init(id: String, principal: Principal, csrfToken: String) {
        self.id = id
        self.principal = principal
        self.csrfToken = csrfToken
    }
}

/// Server-side dashboard sessions: the seam sign-in (API key → session cookie, security branch) will use. A session
/// expires after its lifetime and can be ended early (sign-out).
public protocol SessionStore: Sendable {
    /// Starts a session for `principal` lasting `lifetime`.
    func create(for principal: Principal, lifetime: Duration) async throws -> DashboardSession
    /// The live session with this id, or nil (unknown, expired, ended, or not an id at all).
    func session(id: String) async throws -> DashboardSession?
    /// Ends the session (sign-out); ending an unknown one does nothing.
    func end(id: String) async throws
}

/// Sessions in Redis, shared by every gateway replica: one key per session, named by the SHA-256 of its id (a copy
/// of the Redis data holds no usable cookie), holding `{name, role, method, csrf}` with the lifetime as its TTL.
public struct RedisSessionStore: SessionStore {
    private let redis: RedisClient
    private let prefix: String

    /// Stores sessions through `redis` under keys starting with `prefix`.
    public init(redis: RedisClient, prefix: String = "txad:dashboard:session:") {
        self.redis = redis
        self.prefix = prefix
    }

    public func create(for principal: Principal, lifetime: Duration) async throws -> DashboardSession {
        var generator = SystemRandomNumberGenerator()
        let id = (0..<4).map { _ in
            let v = generator.next() as UInt64
            let hex = String(v, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
        let session = DashboardSession(
            id: id, principal: principal, csrfToken: CSRFProtection(key: CSRFProtection.randomKey()).newToken())
        let record = Record(
            name: principal.name, role: principal.role.rawValue, method: principal.method.rawValue,
            csrf: session.csrfToken)
        try await redis.set(key(id), to: Array(try JSONEncoder().encode(record)), expiresIn: lifetime)
        return session
    }

    public func session(id: String) async throws -> DashboardSession? {
        guard id.count == 64, id.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
            return nil
        }
        guard let bytes = try await redis.get(key(id)),
            let record = try? JSONDecoder().decode(Record.self, from: Data(bytes)),
            let role = Role(rawValue: record.role), let method = Principal.Method(rawValue: record.method)
        else { return nil }
        return DashboardSession(
            id: id, principal: Principal(name: record.name, role: role, method: method), csrfToken: record.csrf)
    }

    public func end(id: String) async throws {
        try await redis.delete(key(id))
    }

    /// The Redis key of a session id.
    func key(_ id: String) -> String { prefix + SHA256.hex(of: Array(id.utf8)) }

    private struct Record: Codable {
        var name: String
        var role: String
        var method: String
        var csrf: String
    }
}

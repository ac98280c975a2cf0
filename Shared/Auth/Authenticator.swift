import Credentials
import Foundation
import HTTPTypes

extension HTTPField.Name {
    /// `X-API-Key`.
    public static let apiKey = HTTPField.Name("X-API-Key")!
}

/// Identifies a request's caller from its credentials — an API key (`X-API-Key: txad_live_…` or
/// `Authorization: Bearer txad_live_…`) or a JWT (`Authorization: Bearer eyJ…`). It only identifies: what the
/// caller may do is decided per route by ``GuardedRouter``.
public struct Authenticator: Sendable {
    /// What the credentials say.
    public enum Identification: Sendable, Equatable {
        /// No credentials were sent.
        case anonymous
        /// Valid credentials.
        case identified(Principal)
        /// Credentials were sent and are not valid (the detail is safe to show).
        case refused(String)
        /// Credentials could not be checked now (key store unreachable and the key not cached).
        case unavailable
    }

    private let keys: APIKeyAuthenticator?
    private let tokens: JWTAuthenticator?

    /// An authenticator accepting API keys when `keys` is given and JWTs when `tokens` is given.
    public init(keys: APIKeyAuthenticator?, tokens: JWTAuthenticator?) {
        self.keys = keys
        self.tokens = tokens
    }

    /// Identifies the caller of a request with these header fields.
    public func identify(_ headers: HTTPFields) async -> Identification {
        let keyHeaders = headers[values: .apiKey]
        let authorizations = headers[values: .authorization]
        guard keyHeaders.count + authorizations.count <= 1 else {
            return .refused("send one credential: X-API-Key or one Authorization header")
        }
        if let presented = keyHeaders.first {
            return await identifyKey(presented)
        }
        guard let authorization = authorizations.first else { return .anonymous }
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            return .refused("Authorization must be 'Bearer <API key or JWT>'")
        }
        let credential = String(parts[1]).trimmingCharacters(in: .whitespaces)
        if credential.hasPrefix("txad_") { return await identifyKey(credential) }
        guard let tokens else { return .refused("bearer tokens (JWT) are not accepted by this gateway") }
        switch await tokens.authenticate(credential) {
        case .valid(let principal): return .identified(principal)
        case .refused(let detail): return .refused(detail)
        }
    }

    private func identifyKey(_ presented: String) async -> Identification {
        guard let keys else { return .refused("API keys are not accepted by this gateway") }
        guard let key = APIKey(presented) else { return .refused("the API key is malformed") }
        switch await keys.authenticate(key) {
        case .valid(let principal): return .identified(principal)
        case .refused(let detail): return .refused(detail)
        case .unavailable: return .unavailable
        }
    }
}

import Foundation
import JWTKit

/// Verifies JWT bearer tokens with jwt-kit: HS256 with a shared secret, RS256/ES256 with the keys of a JWKS document.
///
/// Checks, in order: size (≤ 8 KiB), header `alg` in the configured set (`none` and everything else refused before
/// any key is touched), the signature (jwt-kit), `iss` equal to the configured issuer, `aud` containing the configured
/// audience, `exp` present and in the future and `nbf` (when present) in the past, both within the configured clock
/// skew, a non-empty `sub`, and a known role in the role claim (a string, or a list whose highest known role wins).
public final class JWTAuthenticator: Sendable {
    /// What tokens are accepted.
    public struct Configuration: Sendable {
        /// HS256 secret (at least 32 bytes); nil disables HS256.
        public var hmacSecret: String?
        /// A JWKS document (JSON text) with the RS256/ES256 public keys, each with a `kid`; nil disables them.
        public var jwks: String?
        /// An identity provider's JWKS URL (instead of `jwks`), fetched at start and every ``jwksRefresh``.
        public var jwksURL: String?
        /// How often ``jwksURL`` is re-read (default 5 minutes; also at once, at most every 30 s, on an unknown `kid`).
        public var jwksRefresh: Duration = .seconds(300)
        /// Required `iss`.
        public var issuer: String
        /// Required member of `aud`.
        public var audience: String
        /// The claim holding the role (default `role`).
        public var roleClaim: String
        /// Tolerated clock difference for `exp` and `nbf` (default 60 s, at most 300 s).
        public var clockSkew: Duration

        /// Creates a configuration.
        public init(
            hmacSecret: String? = nil, jwks: String? = nil, jwksURL: String? = nil, issuer: String, audience: String,
            roleClaim: String = "role", clockSkew: Duration = .seconds(60)
        ) {
            self.jwksURL = jwksURL
            self.hmacSecret = hmacSecret
            self.jwks = jwks
            self.issuer = issuer
            self.audience = audience
            self.roleClaim = roleClaim
            self.clockSkew = clockSkew
        }
    }

    /// The result of checking one token.
    public enum Outcome: Sendable, Equatable {
        /// A valid token.
        case valid(Principal)
        /// Refused; the detail (safe to show) says why.
        case refused(String)
    }

    /// Largest accepted token.
    public static let maximumTokenBytes = 8192

    private let configuration: Configuration
    private let hmac: JWTKeyCollection?
    /// The RS256/ES256 keys, when configured (their refresher runs beside the server).
    public let jwksSource: JWKSSource?

    /// Loads the keys.
    ///
    /// - Throws: ``AuthConfigurationError`` for a short secret, an unreadable JWKS, a key without `kid`, or no key
    ///   at all.
    public init(configuration: Configuration) async throws {
        self.configuration = configuration
        guard configuration.clockSkew >= .zero, configuration.clockSkew <= .seconds(300) else {
            throw AuthConfigurationError("jwt clock skew", "must be 0…300 seconds")
        }
        guard !configuration.issuer.isEmpty, !configuration.audience.isEmpty else {
            throw AuthConfigurationError("jwt issuer/audience", "both must be set when JWT is enabled")
        }
        if let secret = configuration.hmacSecret {
            guard secret.utf8.count >= 32 else {
                throw AuthConfigurationError("jwt secret", "must be at least 32 bytes (it is \(secret.utf8.count))")
            }
            hmac = await JWTKeyCollection().add(hmac: HMACKey(from: Array(secret.utf8)), digestAlgorithm: .sha256)
        } else {
            hmac = nil
        }
        if configuration.jwks != nil, configuration.jwksURL != nil {
            throw AuthConfigurationError("jwks", "give a JWKS file or a JWKS URL, not both")
        }
        if let url = configuration.jwksURL {
            jwksSource = try await JWKSSource(url: url)
        } else if let jwks = configuration.jwks {
            jwksSource = try await JWKSSource(document: jwks)
        } else {
            jwksSource = nil
        }
        guard hmac != nil || jwksSource != nil else {
            throw AuthConfigurationError("jwt", "needs a secret (HS256) or a JWKS (RS256/ES256)")
        }
    }

    /// Checks a presented token.
    public func authenticate(_ token: String) async -> Outcome {
        guard token.utf8.count <= Self.maximumTokenBytes else { return .refused("the token is too long") }
        guard let algorithm = Self.headerAlgorithm(token) else { return .refused("the token is not a JWT") }
        let keys: JWTKeyCollection?
        switch algorithm {
        case "HS256": keys = hmac
        case "RS256", "ES256":
            // A kid the provider's document lacks: it may have rotated its keys since the last fetch.
            if let source = jwksSource, let kid = Self.header(token)?["kid"] as? String, !source.knows(kid: kid) {
                _ = await source.refreshForUnknownKey()
            }
            keys = jwksSource?.collection
        default: return .refused("the token's algorithm \(algorithm) is not accepted")
        }
        guard let keys else { return .refused("the token's algorithm \(algorithm) is not configured") }
        let claims: TokenClaims
        do {
            claims = try await keys.verify(token, as: TokenClaims.self)
        } catch {
            return .refused("the token's signature does not verify")
        }
        return check(claims, now: Date().timeIntervalSince1970)
    }

    /// The registered-claim and role checks (separate so tests can pin the clock).
    func check(_ claims: TokenClaims, now: Double) -> Outcome {
        let skew = Double(configuration.clockSkew.components.seconds)
        guard claims.strings["iss"] == [configuration.issuer] else { return .refused("the token's issuer is not accepted") }
        guard claims.strings["aud"]?.contains(configuration.audience) == true else {
            return .refused("the token is not meant for this audience")
        }
        guard let expiry = claims.numbers["exp"] else { return .refused("the token has no expiry (exp)") }
        guard now < expiry + skew else { return .refused("the token expired") }
        if let notBefore = claims.numbers["nbf"], now + skew < notBefore {
            return .refused("the token is not valid yet (nbf)")
        }
        guard let subject = claims.strings["sub"]?.first, Self.isAcceptableSubject(subject) else {
            return .refused("the token has no usable subject (sub: 1–128 visible characters)")
        }
        let roles = (claims.strings[configuration.roleClaim] ?? []).compactMap(Role.init(rawValue:))
        guard let role = roles.max() else {
            return .refused("the token's \(configuration.roleClaim) claim names no role (scorer, analyst, admin)")
        }
        return .valid(Principal(name: subject, role: role, method: .jwt))
    }

    private static func isAcceptableSubject(_ subject: String) -> Bool {
        !subject.isEmpty && subject.utf8.count <= 128 && subject.utf8.allSatisfy { $0 > 0x20 && $0 != 0x7F }
    }

    /// The `alg` of the token's header, or nil when the header is not base64url JSON with a string `alg`.
    static func headerAlgorithm(_ token: String) -> String? {
        header(token)?["alg"] as? String
    }

    /// The token's header object, or nil when it is not base64url JSON.
    private static func header(_ token: String) -> [String: Any]? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = base64URLDecoded(parts[0]) else { return nil }
        return try? JSONSerialization.jsonObject(with: header) as? [String: Any]
    }

    private static func base64URLDecoded(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}

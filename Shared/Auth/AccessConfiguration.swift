import Foundation
import ServiceKit

/// How the gateway identifies and limits callers (resolved from flags and `TXAD_*` variables by the gateway's
/// options; see the README's security section).
public struct AccessConfiguration: Sendable {
    /// Whether authentication is on (`TXAD_AUTH`, default on). Off: every caller is a local admin, with a loud
    /// warning at start — for local experiments only.
    public var enabled: Bool
    /// PostgreSQL holding the API keys (`DATABASE_URL`); nil: API keys are not accepted.
    public var databaseURL: String?
    /// JWT verification; nil: bearer JWTs are not accepted.
    public var jwt: JWTAuthenticator.Configuration?
    /// API key cache timing.
    public var keyCache: APIKeyAuthenticator.Configuration
    /// Rate limits; nil: none (`TXAD_RATE_LIMITS=off`).
    public var rateLimits: RateLimits?
    /// Proxies whose `X-Forwarded-For` is believed (`TXAD_TRUSTED_PROXIES`).
    public var trustedProxies: [IPNetwork]
    /// Networks allowed to read `/metrics` (`TXAD_METRICS_ALLOW`); empty: everyone.
    public var metricsAllowed: [IPNetwork]

    /// Creates a configuration.
    public init(
        enabled: Bool = true, databaseURL: String? = nil, jwt: JWTAuthenticator.Configuration? = nil,
        keyCache: APIKeyAuthenticator.Configuration = .init(), rateLimits: RateLimits? = RateLimits(),
        trustedProxies: [IPNetwork] = [], metricsAllowed: [IPNetwork] = []
    ) {
        self.enabled = enabled
        self.databaseURL = databaseURL
        self.jwt = jwt
        self.keyCache = keyCache
        self.rateLimits = rateLimits
        self.trustedProxies = trustedProxies
        self.metricsAllowed = metricsAllowed
    }

    /// Authentication off, no rate limits: what tests of other concerns and `TXAD_AUTH=off` use.
    public static let disabled = AccessConfiguration(enabled: false, rateLimits: nil)

    /// Whether `address` may read `/metrics`.
    public func mayReadMetrics(from address: String?) -> Bool {
        guard !metricsAllowed.isEmpty else { return true }
        guard let address else { return false }
        return metricsAllowed.contains { $0.contains(address) }
    }

    /// The values printed at start (secrets masked).
    public var printable: [(String, String)] {
        var out: [(String, String)] = [("auth", enabled ? "on" : "OFF (every caller is a local admin)")]
        guard enabled else { return out }
        out.append(("api_keys", databaseURL.map { "on (\(Redaction.maskingSecrets(in: $0)))" } ?? "off (no DATABASE_URL)"))
        if let jwt {
            var algorithms: [String] = []
            if jwt.hmacSecret != nil { algorithms.append("HS256 (secret ****)") }
            if jwt.jwks != nil { algorithms.append("RS256/ES256 (JWKS)") }
            if let url = jwt.jwksURL { algorithms.append("RS256/ES256 (JWKS from \(url), every \(jwt.jwksRefresh))") }
            out.append(("jwt", algorithms.joined(separator: ", ")))
            out.append(("jwt_issuer", jwt.issuer))
            out.append(("jwt_audience", jwt.audience))
            out.append(("jwt_role_claim", jwt.roleClaim))
            out.append(("jwt_clock_skew_seconds", String(jwt.clockSkew.components.seconds)))
        } else {
            out.append(("jwt", "off"))
        }
        if let rateLimits {
            let roles = Role.allCases.map { "\($0.rawValue)=\(rateLimits.limit(for: $0))" }.joined(separator: " ")
            out.append(
                ("rate_limits", "\(roles) anonymous=\(rateLimits.anonymous) address=\(rateLimits.perAddress) (rate/s / burst), "
                    + "blocks of \(rateLimits.blockWindow) of the rate"))
        } else {
            out.append(("rate_limits", "off"))
        }
        out.append(("trusted_proxies", trustedProxies.isEmpty ? "(none)" : trustedProxies.map(\.description).joined(separator: ",")))
        out.append(("metrics_allow", metricsAllowed.isEmpty ? "(everyone)" : metricsAllowed.map(\.description).joined(separator: ",")))
        return out
    }

    /// Resolves the configuration from flag values (nil when not given), then the environment.
    ///
    /// - Throws: `ConfigurationError` naming the flag and variable.
    public static func resolve(
        settings: Settings, auth: Bool?, databaseURL: String?, jwtJWKSFile: String?, trustedProxies: String?
    ) throws -> AccessConfiguration {
        let enabled = try settings.bool(auth, flag: "auth", env: "TXAD_AUTH", default: true)
        guard enabled else { return .disabled }
        var configuration = AccessConfiguration()
        configuration.databaseURL = try settings.url(
            databaseURL, flag: "database-url", env: "DATABASE_URL", schemes: ["postgres", "postgresql"])
        let secret = settings.optionalString(nil, env: "TXAD_JWT_SECRET")
        let jwksPath = settings.optionalString(jwtJWKSFile, env: "TXAD_JWT_JWKS_FILE")
        let jwksURL = try settings.url(nil, flag: "jwt-jwks-url", env: "TXAD_JWT_JWKS_URL", schemes: ["https", "http"])
        if jwksPath != nil, jwksURL != nil {
            throw ConfigurationError(
                setting: "TXAD_JWT_JWKS_FILE / TXAD_JWT_JWKS_URL", reason: "give one source of JWKS keys, not both")
        }
        if secret != nil || jwksPath != nil || jwksURL != nil {
            var jwks: String?
            if let jwksPath {
                guard let data = FileManager.default.contents(atPath: jwksPath) else {
                    throw ConfigurationError(
                        setting: "--jwt-jwks-file / TXAD_JWT_JWKS_FILE", reason: "cannot read '\(jwksPath)'")
                }
                jwks = String(decoding: data, as: UTF8.self)
            }
            guard let issuer = settings.optionalString(nil, env: "TXAD_JWT_ISSUER"),
                let audience = settings.optionalString(nil, env: "TXAD_JWT_AUDIENCE")
            else {
                throw ConfigurationError(
                    setting: "TXAD_JWT_ISSUER / TXAD_JWT_AUDIENCE", reason: "both are required when JWTs are accepted")
            }
            let skew = try settings.int(
                nil, flag: "jwt-clock-skew-seconds", env: "TXAD_JWT_CLOCK_SKEW_SECONDS", default: 60, range: 0...300)
            configuration.jwt = .init(
                hmacSecret: secret, jwks: jwks, issuer: issuer, audience: audience,
                roleClaim: settings.string(nil, flag: "jwt-role-claim", env: "TXAD_JWT_ROLE_CLAIM", default: "role"),
                clockSkew: .seconds(skew))
            configuration.jwt?.jwksURL = jwksURL
            configuration.jwt?.jwksRefresh = .seconds(
                try settings.int(
                    nil, flag: "jwt-jwks-refresh-seconds", env: "TXAD_JWT_JWKS_REFRESH_SECONDS", default: 300,
                    range: 10...86_400))
            if let secret, secret.utf8.count < 32 {
                throw ConfigurationError(setting: "TXAD_JWT_SECRET", reason: "must be at least 32 bytes")
            }
        }
        guard configuration.databaseURL != nil || configuration.jwt != nil else {
            throw ConfigurationError(
                setting: "--auth / TXAD_AUTH",
                reason: "authentication is on but neither API keys (DATABASE_URL) nor JWTs (TXAD_JWT_SECRET or "
                    + "TXAD_JWT_JWKS_FILE or TXAD_JWT_JWKS_URL) are configured; configure one, or set TXAD_AUTH=off for local experiments")
        }
        if try settings.bool(nil, flag: "rate-limits", env: "TXAD_RATE_LIMITS", default: true) {
            var limits = RateLimits()
            for role in Role.allCases {
                let variable = "TXAD_RATE_LIMIT_\(role.rawValue.uppercased())"
                if let limit = try limit(settings, variable) { limits.perRole[role] = limit }
            }
            if let limit = try limit(settings, "TXAD_RATE_LIMIT_ANONYMOUS") { limits.anonymous = limit }
            if let limit = try limit(settings, "TXAD_RATE_LIMIT_ADDRESS") { limits.perAddress = limit }
            limits.blockWindow = .milliseconds(
                try settings.int(
                    nil, flag: "rate-limit-block-ms", env: "TXAD_RATE_LIMIT_BLOCK_MS", default: 50, range: 0...1000))
            configuration.rateLimits = limits
        } else {
            configuration.rateLimits = nil
        }
        configuration.trustedProxies = try networks(
            settings.optionalString(trustedProxies, env: "TXAD_TRUSTED_PROXIES"),
            setting: "--trusted-proxies / TXAD_TRUSTED_PROXIES")
        configuration.metricsAllowed = try networks(
            settings.optionalString(nil, env: "TXAD_METRICS_ALLOW"), setting: "TXAD_METRICS_ALLOW")
        return configuration
    }

    private static func limit(_ settings: Settings, _ variable: String) throws -> RateLimits.Limit? {
        guard let text = settings.optionalString(nil, env: variable) else { return nil }
        guard let limit = RateLimits.Limit(text) else {
            throw ConfigurationError(
                setting: variable, reason: "'\(text)' is not RATE or RATE/BURST (requests per second, burst ≥ 1)")
        }
        return limit
    }

    private static func networks(_ text: String?, setting: String) throws -> [IPNetwork] {
        guard let text else { return [] }
        return try text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map { part in
                guard let network = IPNetwork(part) else {
                    throw ConfigurationError(setting: setting, reason: "'\(part)' is not an address or CIDR network")
                }
                return network
            }
    }
}

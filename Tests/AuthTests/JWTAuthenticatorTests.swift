import Auth
import Foundation
import JWTKit
import Testing

/// Claims as an identity provider would sign them.
struct IssuedClaims: JWTPayload {
    var sub: String? = "alice@example.com"
    var iss: String? = "https://idp.example.com"
    var aud: [String]? = ["txad"]
    var exp: Double? = Date().timeIntervalSince1970 + 300
    var nbf: Double?
    var role: String? = "analyst"

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

@Suite("JWT bearer tokens")
struct JWTAuthenticatorTests {
    static let secret = "0123456789abcdef0123456789abcdef-test-secret"

    static func authenticator(jwks: String? = nil, secret: String? = secret) async throws -> JWTAuthenticator {
        try await JWTAuthenticator(
            configuration: .init(
                hmacSecret: secret, jwks: jwks, issuer: "https://idp.example.com", audience: "txad", clockSkew: .seconds(30)))
    }

    static func sign(_ claims: some JWTPayload, secret: String = secret) async throws -> String {
        try await JWTKeyCollection().add(hmac: HMACKey(from: Array(secret.utf8)), digestAlgorithm: .sha256).sign(claims)
    }

    @Test("a valid HS256 token identifies its subject with the role claim's role")
    func valid() async throws {
        let auth = try await Self.authenticator()
        let outcome = await auth.authenticate(try await Self.sign(IssuedClaims()))
        #expect(outcome == .valid(Principal(name: "alice@example.com", role: .analyst, method: .jwt)))
    }

    @Test(
        "bad claims are refused",
        arguments: [
            ("expired", IssuedClaims(exp: Date().timeIntervalSince1970 - 60)),
            ("wrong audience", IssuedClaims(aud: ["someone-else"])),
            ("wrong issuer", IssuedClaims(iss: "https://evil.example.com")),
            ("no expiry", IssuedClaims(exp: nil)),
            ("not yet valid", IssuedClaims(nbf: Date().timeIntervalSince1970 + 120)),
            ("no role", IssuedClaims(role: nil)),
            ("unknown role", IssuedClaims(role: "root")),
            ("no subject", IssuedClaims(sub: nil)),
        ])
    func refused(_ name: String, _ claims: IssuedClaims) async throws {
        let auth = try await Self.authenticator()
        guard case .refused = await auth.authenticate(try await Self.sign(claims)) else {
            Issue.record("\(name) was accepted")
            return
        }
    }

    @Test("clock skew is tolerated within its bound only")
    func skew() async throws {
        let auth = try await Self.authenticator()
        let now = Date().timeIntervalSince1970
        #expect(await auth.authenticate(try await Self.sign(IssuedClaims(exp: now - 10))) != .refused("the token expired"))
        #expect(await auth.authenticate(try await Self.sign(IssuedClaims(nbf: now + 10))).isValid)
        #expect(await auth.authenticate(try await Self.sign(IssuedClaims(exp: now - 40))) == .refused("the token expired"))
    }

    @Test("a token signed with another secret is refused")
    func wrongSignature() async throws {
        let auth = try await Self.authenticator()
        let forged = try await Self.sign(IssuedClaims(role: "admin"), secret: String(repeating: "x", count: 40))
        #expect(await auth.authenticate(forged) == .refused("the token's signature does not verify"))
        // A valid token with one payload byte changed.
        var parts = try await Self.sign(IssuedClaims()).split(separator: ".").map(String.init)
        parts[1] = String(parts[1].dropLast()) + (parts[1].hasSuffix("A") ? "B" : "A")
        #expect(await auth.authenticate(parts.joined(separator: ".")) == .refused("the token's signature does not verify"))
    }

    @Test("the none algorithm and unlisted algorithms are refused before any key is used")
    func noneAlgorithm() async throws {
        let auth = try await Self.authenticator()
        func b64(_ text: String) -> String {
            Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        let exp = Int(Date().timeIntervalSince1970) + 300
        let payload = b64(
            #"{"sub":"mallory","iss":"https://idp.example.com","aud":"txad","exp":\#(exp),"role":"admin"}"#)
        for alg in ["none", "None", "NONE", "HS512", "PS256"] {
            let token = b64(#"{"alg":"\#(alg)","typ":"JWT"}"#) + "." + payload + "."
            guard case .refused = await auth.authenticate(token) else {
                Issue.record("alg \(alg) accepted")
                continue
            }
        }
        #expect(await auth.authenticate("not-a-token") == .refused("the token is not a JWT"))
        #expect(await auth.authenticate(String(repeating: "a", count: 9000)) == .refused("the token is too long"))
    }

    @Test("ES256 tokens verify against a JWKS; an HS256 token is refused when only the JWKS is configured")
    func jwks() async throws {
        let key = ES256PrivateKey()
        guard let parameters = key.parameters else {
            Issue.record("no public parameters")
            return
        }
        let jwks = """
            {"keys":[{"kty":"EC","crv":"P-256","alg":"ES256","kid":"k1","use":"sig",\
            "x":"\(parameters.x)","y":"\(parameters.y)"}]}
            """
        let auth = try await Self.authenticator(jwks: jwks, secret: nil)
        let signer = await JWTKeyCollection().add(ecdsa: key, kid: "k1")
        let token = try await signer.sign(IssuedClaims(role: "admin"), kid: "k1")
        #expect(await auth.authenticate(token) == .valid(Principal(name: "alice@example.com", role: .admin, method: .jwt)))
        let other = await JWTKeyCollection().add(ecdsa: ES256PrivateKey(), kid: "k1")
        #expect(await auth.authenticate(try await other.sign(IssuedClaims(), kid: "k1")).isValid == false)
        #expect(
            await auth.authenticate(try await Self.sign(IssuedClaims()))
                == .refused("the token's algorithm HS256 is not configured"))
    }

    @Test("a short secret is refused at start")
    func shortSecret() async {
        await #expect(throws: AuthConfigurationError.self) { _ = try await Self.authenticator(secret: "short") }
    }
}

extension JWTAuthenticator.Outcome {
    var isValid: Bool { if case .valid = self { true } else { false } }
}

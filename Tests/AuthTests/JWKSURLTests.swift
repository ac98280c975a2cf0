import Auth
import Foundation
import HTTPSink
import JWTKit
import Synchronization
import Testing

/// JWTs verified with keys fetched from an identity provider's JWKS URL (a real local HTTP server): fetched at start,
/// followed through a key rotation without a restart, and a URL that cannot be fetched stops the start with its name.
@Suite("JWKS from a URL")
struct JWKSURLTests {
    static func document(_ keys: [(String, ES256PrivateKey)]) -> String {
        let entries = keys.map { kid, key in
            let p = key.parameters!
            return #"{"kty":"EC","crv":"P-256","alg":"ES256","kid":"\#(kid)","use":"sig","x":"\#(p.x)","y":"\#(p.y)"}"#
        }
        return #"{"keys":[\#(entries.joined(separator: ","))]}"#
    }

    static func token(_ key: ES256PrivateKey, kid: String) async throws -> String {
        try await JWTKeyCollection().add(ecdsa: key, kid: JWKIdentifier(string: kid)).sign(IssuedClaims(), kid: JWKIdentifier(string: kid))
    }

    @Test("keys come from the URL and follow a rotation (unknown kid → one re-fetch)")
    func rotation() async throws {
        let (first, second) = (ES256PrivateKey(), ES256PrivateKey())
        let served = Mutex(Self.document([("k1", first)]))
        let idp = try await HTTPSink.start { _, _ in .status(200, body: served.withLock { $0 }) }
        let auth = try await JWTAuthenticator(
            configuration: .init(
                jwksURL: idp.url("/.well-known/jwks.json"), issuer: "https://idp.example.com", audience: "txad"))
        #expect(await auth.authenticate(try await Self.token(first, kid: "k1")).isValid)
        #expect(idp.requests.count == 1)
        #expect(idp.requests.first?.path == "/.well-known/jwks.json")

        // The provider rotates: k2 replaces k1. A k2 token makes the gateway re-read the document once.
        served.withLock { $0 = Self.document([("k2", second)]) }
        #expect(await auth.authenticate(try await Self.token(second, kid: "k2")).isValid)
        #expect(idp.requests.count == 2)
        // k1 is gone now; an unknown kid within 30 s of the last re-read does not fetch again.
        #expect(await auth.authenticate(try await Self.token(first, kid: "k1")).isValid == false)
        #expect(await auth.authenticate(try await Self.token(first, kid: "k9")).isValid == false)
        #expect(idp.requests.count == 2)
        try await idp.stop()
    }

    @Test("a JWKS URL that fails or serves no JWKS stops the start, naming the URL")
    func unusableURL() async throws {
        let idp = try await HTTPSink.start { request, _ in
            request.path == "/broken" ? .status(200, body: "not json") : .status(503, body: "down")
        }
        for path in ["/down", "/broken"] {
            let url = idp.url(path)
            do {
                _ = try await JWTAuthenticator(configuration: .init(jwksURL: url, issuer: "i", audience: "a"))
                Issue.record("\(path) accepted")
            } catch let error as AuthConfigurationError {
                #expect("\(error)".contains(url), "\(error)")
            }
        }
        try await idp.stop()
        let closed = "http://127.0.0.1:1/jwks.json"
        await #expect(throws: AuthConfigurationError.self) {
            _ = try await JWTAuthenticator(configuration: .init(jwksURL: closed, issuer: "i", audience: "a"))
        }
    }
}

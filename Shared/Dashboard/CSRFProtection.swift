import Detection

/// Cross-site request forgery protection for the dashboard's forms: a random token per browser session, kept in a
/// signed, HttpOnly, `SameSite=Strict` cookie and repeated in a hidden field of every form; a POST is accepted only
/// when the field equals the cookie's token and the cookie's HMAC-SHA256 signature verifies.
///
/// The signature means a cookie planted by a sibling host (cookie tossing) is refused. Once server-side sessions
/// land (security branch) the token moves into the session and the cookie keeps only the session id.
public struct CSRFProtection: Sendable {
    /// The cookie's name.
    public static let cookieName = "txad_csrf"
    /// The hidden form field's name.
    public static let fieldName = "csrf_token"

    private let key: [UInt8]

    /// Signs with `key` (at least 32 bytes; gateway replicas behind one load balancer must share it).
    public init(key: [UInt8]) {
        precondition(key.count >= 32, "a CSRF key needs at least 32 bytes")
        self.key = key
    }

    /// Why `secret` cannot sign CSRF tokens (`TXAD_DASHBOARD_SECRET`), or nil: it needs at least 32 visible ASCII
    /// characters and 8 different ones (e.g. `openssl rand -hex 32`). Replicas configured with the same secret
    /// accept each other's forms.
    public static func problem(secret: String) -> String? {
        guard secret.utf8.count >= 32, secret.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return "must be at least 32 visible ASCII characters (e.g. the output of `openssl rand -hex 32`)"
        }
        guard Set(secret.utf8).count >= 8 else { return "is too repetitive: use a random value" }
        return nil
    }

    /// The signing key of a valid `secret` (see ``problem(secret:)``).
    public static func key(secret: String) -> [UInt8] { Array(secret.utf8) }

    /// A new random key.
    public static func randomKey() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// A new token: 32 random hex digits.
    public func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in hexByte(UInt8.random(in: .min ... .max, using: &generator)) }.joined()
    }

    /// The cookie value for `token`: `token.signature`.
    public func cookieValue(token: String) -> String {
        token + "." + signature(token)
    }

    /// The token of a cookie value whose signature verifies, else nil.
    public func token(fromCookie value: String?) -> String? {
        guard let value, let dot = value.firstIndex(of: ".") else { return nil }
        let token = String(value[..<dot])
        let given = String(value[value.index(after: dot)...])
        guard token.count == 32, token.utf8.allSatisfy(isHexDigit), constantTimeEqual(given, signature(token)) else {
            return nil
        }
        return token
    }

    /// True when `submitted` (the form field) matches the signed token of `cookie`.
    public func verify(cookie: String?, submitted: String?) -> Bool {
        guard let token = token(fromCookie: cookie), let submitted else { return false }
        return constantTimeEqual(token, submitted)
    }

    private func signature(_ token: String) -> String {
        HMAC.sha256(key: key, message: Array(token.utf8)).map(hexByte).joined()
    }

    private func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for (p, q) in zip(x, y) { difference |= p ^ q }
        return difference == 0
    }
}

private func hexByte(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
}

private func isHexDigit(_ c: UInt8) -> Bool {
    (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66)
}

/// HMAC (RFC 2104) over Detection's SHA-256.
enum HMAC {
    /// HMAC-SHA256 of `message` under `key`.
    static func sha256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var block = key
        if block.count > 64 {
            var h = SHA256()
            h.update(block)
            block = h.finalize()
        }
        block += [UInt8](repeating: 0, count: 64 - block.count)
        var inner = SHA256()
        inner.update(block.map { $0 ^ 0x36 })
        inner.update(message)
        var outer = SHA256()
        outer.update(block.map { $0 ^ 0x5c })
        outer.update(inner.finalize())
        return outer.finalize()
    }
}

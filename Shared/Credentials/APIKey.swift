import Crypto

/// An API key: `txad_live_` followed by 43 base62 characters (256 bits from the system's secure random generator).
///
/// The key itself is shown once, when it is created; only its SHA-256 digest is stored. A key carries 256 bits of
/// entropy, so a fast hash is enough: nobody can enumerate the key space, and a slow password hash (bcrypt, Argon2)
/// would add tens of milliseconds to every cache miss without adding security.
public struct APIKey: Sendable, Hashable, CustomStringConvertible {
    /// The prefix every key starts with; also what tells the gateway that a bearer token is a key, not a JWT.
    public static let prefix = "txad_live_"
    /// Characters after the prefix.
    public static let secretLength = 43
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// The whole key as the client sends it.
    public let text: String

    /// Parses a presented key: the prefix and exactly ``secretLength`` base62 characters, nothing else.
    public init?(_ text: some StringProtocol) {
        let utf8 = text.utf8
        guard utf8.count == Self.prefix.utf8.count + Self.secretLength, text.hasPrefix(Self.prefix) else { return nil }
        guard utf8.dropFirst(Self.prefix.utf8.count).allSatisfy({ Self.alphabet.contains($0) }) else { return nil }
        self.text = String(text)
    }

    /// A new random key.
    public static func generate() -> APIKey {
        var generator = SystemRandomNumberGenerator()
        var secret = [UInt8]()
        secret.reserveCapacity(secretLength)
        for _ in 0..<secretLength {
            // Uniform over 62 symbols: `random(in:)` rejects the biased tail.
            secret.append(alphabet[Int.random(in: 0..<alphabet.count, using: &generator)])
        }
        return APIKey(unchecked: prefix + String(decoding: secret, as: UTF8.self))
    }

    private init(unchecked text: String) { self.text = text }

    /// The stored form: lowercase hex SHA-256 of the whole key.
    public var digest: String { Self.digest(of: text) }

    /// The first characters after the prefix, shown in listings so people can tell keys apart (not a secret: 6 of
    /// 43 characters leave 220 bits unknown).
    public var hint: String { String(text.dropFirst(Self.prefix.count).prefix(6)) }

    /// Hex SHA-256 of `text`.
    public static func digest(of text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Never prints the secret.
    public var description: String { "APIKey(\(Self.prefix)\(hint)…)" }
}

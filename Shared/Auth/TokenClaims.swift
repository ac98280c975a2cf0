import JWTKit

/// The claims of a bearer token as jwt-kit decodes them: every top-level string (or list of strings) and number,
/// so the role can come from a claim whose name is configured at run time. ``JWTAuthenticator`` checks issuer,
/// audience, expiry and not-before itself, with its bounded clock skew.
struct TokenClaims: JWTPayload, Equatable {
    /// String claims; a single string is a one-element list.
    var strings: [String: [String]] = [:]
    /// Numeric claims (`exp`, `nbf`, `iat`, …).
    var numbers: [String: Double] = [:]

    init(strings: [String: [String]] = [:], numbers: [String: Double] = [:]) {
        self.strings = strings
        self.numbers = numbers
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for key in container.allKeys {
            if let text = try? container.decode(String.self, forKey: key) {
                strings[key.stringValue] = [text]
            } else if let list = try? container.decode([String].self, forKey: key) {
                strings[key.stringValue] = list
            } else if let number = try? container.decode(Double.self, forKey: key) {
                numbers[key.stringValue] = number
            }
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (name, values) in strings {
            if values.count == 1 {
                try container.encode(values[0], forKey: Key(stringValue: name))
            } else {
                try container.encode(values, forKey: Key(stringValue: name))
            }
        }
        for (name, number) in numbers { try container.encode(number, forKey: Key(stringValue: name)) }
    }

    /// Signature checks are jwt-kit's; the registered claims are checked by ``JWTAuthenticator``.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

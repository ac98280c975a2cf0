import Crypto
import Foundation

/// The `Txad-Signature` header of generic webhooks: `t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, with one
/// `v1` per active secret so a receiver keeps verifying while secrets rotate.
///
/// A receiver recomputes the HMAC over `"<t>." + raw body` with its secret, compares it in constant time with
/// every `v1`, and rejects a `t` further than its tolerance (e.g. 5 minutes) from its own clock, which bounds
/// replays. ``verify(header:body:secret:now:tolerance:)`` is that receiver, for tests and for Swift consumers.
public enum WebhookSignature {
    /// The header name.
    public static let headerName = "Txad-Signature"

    /// The header value for `body` signed at `timestamp` with each of `secrets`.
    public static func header(body: [UInt8], timestamp: Int64, secrets: [String]) -> String {
        (["t=\(timestamp)"] + secrets.map { "v1=\(signature(body: body, timestamp: timestamp, secret: $0))" })
            .joined(separator: ",")
    }

    /// Hex HMAC-SHA256 of `"<timestamp>.<body>"`.
    public static func signature(body: [UInt8], timestamp: Int64, secret: String) -> String {
        var message = Array("\(timestamp).".utf8)
        message.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8)))
        return hex(Array(mac))
    }

    /// Lower-case hex of `bytes` (a table lookup per nibble: this runs once per secret for every webhook sent).
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `header` carries a valid signature of `body` for `secret`, made within `tolerance` of `now`.
    public static func verify(header: String, body: [UInt8], secret: String, now: Int64, tolerance: Int64 = 300) -> Bool
    {
        var timestamp: Int64?
        var candidates: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int64(pair[1]) }
            if pair[0] == "v1" { candidates.append(pair[1]) }
        }
        guard let timestamp, abs(now - timestamp) <= tolerance else { return false }
        let expected = Array(signature(body: body, timestamp: timestamp, secret: secret).utf8)
        return candidates.contains { candidate in
            let given = Array(candidate.utf8)
            guard given.count == expected.count else { return false }
            return zip(given, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
        }
    }
}

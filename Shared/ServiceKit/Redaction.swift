/// Keeps secrets and personal data out of logs and printed configuration.
public enum Redaction {
    /// Replaces the password of a URL's user-info (`redis://:s3cret@h` → `redis://:****@h`) and any
    /// `password=` query value with `****`.
    public static func maskingSecrets(in url: String) -> String {
        var text = url
        if let schemeEnd = text.range(of: "://"), let at = text[schemeEnd.upperBound...].firstIndex(of: "@") {
            let userInfo = text[schemeEnd.upperBound..<at]
            if let colon = userInfo.firstIndex(of: ":") {
                text.replaceSubrange(text.index(after: colon)..<at, with: "****")
            }
        }
        if let range = text.range(of: "password=") {
            let end = text[range.upperBound...].firstIndex(of: "&") ?? text.endIndex
            text.replaceSubrange(range.upperBound..<end, with: "****")
        }
        return text
    }

    /// A stable pseudonym for a user id (FNV-1a 64 with a fixed salt, hex), so logs can correlate one user's
    /// events without containing the id itself.
    public static func pseudonym(forUserID id: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "txad-user:".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        for byte in id.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "u_" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}

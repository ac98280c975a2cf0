import Foundation

/// Query strings the dashboard builds for the API and for its own links.
enum DashboardQuery {
    private static let unreserved = CharacterSet(
        charactersIn:
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// `path?a=1&b=x%20y`, leaving out empty values; `path` alone when nothing is left.
    static func url(_ path: String, _ items: [(String, String?)]) -> String {
        let pairs = items.compactMap { name, value -> String? in
            guard let value, !value.isEmpty else { return nil }
            return "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "")"
        }
        return pairs.isEmpty ? path : path + "?" + pairs.joined(separator: "&")
    }

    /// A browser's `datetime-local` value (`2026-12-03T13:45`, seconds optional) as RFC 3339 UTC; any other text
    /// unchanged, for the API to accept (a full RFC 3339 time) or refuse with its own message.
    static func time(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        let bytes = Array(value.utf8)
        let local =
            (bytes.count == 16 || bytes.count == 19) && bytes[10] == UInt8(ascii: "T")
            && !value.contains("Z") && !value.contains("+")
        return local ? value + (bytes.count == 16 ? ":00Z" : "Z") : value
    }
}

import Foundation

/// The fields of a submitted HTML form: `application/x-www-form-urlencoded` bodies and query strings, and
/// `multipart/form-data` uploads (RFC 7578). Written here rather than taken from a package because the dashboard
/// needs only this much: names, values, one file, and hard limits.
struct FormData: Sendable {
    /// One multipart part (or one url-encoded field, without a file name).
    struct Part: Sendable {
        var name: String
        var filename: String?
        var bytes: [UInt8]

        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    var parts: [Part]

    /// The text value of the first field called `name`.
    subscript(_ name: String) -> String? {
        parts.first { $0.name == name }?.text
    }

    /// The text values of every field called `name`, in order (checkboxes sharing a name).
    func values(_ name: String) -> [String] {
        parts.filter { $0.name == name }.map(\.text)
    }

    /// The first part called `name`.
    func part(_ name: String) -> Part? {
        parts.first { $0.name == name }
    }

    /// Parses `a=1&b=two+words`; `+` is a space, `%XX` escapes are decoded, bad escapes kept as they are.
    static func urlEncoded(_ bytes: [UInt8]) -> FormData {
        let text = String(decoding: bytes, as: UTF8.self)
        var parts: [Part] = []
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                let spaced = s.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            let name = decode(kv[0])
            let value = kv.count > 1 ? decode(kv[1]) : ""
            parts.append(Part(name: name, filename: nil, bytes: Array(value.utf8)))
        }
        return FormData(parts: parts)
    }

    /// The boundary of a `multipart/form-data` content type, if it is one.
    static func boundary(contentType: String?) -> String? {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let kv = parameter.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, kv[0].trimmingCharacters(in: .whitespaces).lowercased() == "boundary" else { continue }
            let value = kv[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(
                in: CharacterSet(charactersIn: "\""))
            return (1...70).contains(value.utf8.count) ? value : nil
        }
        return nil
    }

    /// Parses a multipart body; nil when it is malformed (no closing delimiter, a part without headers or name).
    static func multipart(_ body: [UInt8], boundary: String) -> FormData? {
        let delimiter = Array(("--" + boundary).utf8)
        var positions: [Int] = []
        var i = 0
        while let found = find(delimiter, in: body, from: i) {
            positions.append(found)
            i = found + delimiter.count
        }
        guard positions.count >= 2 else { return nil }
        let last = positions[positions.count - 1]
        guard body.count >= last + delimiter.count + 2, body[last + delimiter.count] == 0x2D,
            body[last + delimiter.count + 1] == 0x2D
        else { return nil }
        var parts: [Part] = []
        for (start, end) in zip(positions, positions.dropFirst()) {
            var from = start + delimiter.count
            guard from + 2 <= end, body[from] == 0x0D, body[from + 1] == 0x0A else { return nil }
            from += 2
            guard let headerEnd = find(Array("\r\n\r\n".utf8), in: body, from: from), headerEnd < end else {
                return nil
            }
            let headers = String(decoding: body[from..<headerEnd], as: UTF8.self)
            var contentEnd = end
            // The CRLF before the next delimiter belongs to the delimiter.
            if contentEnd >= 2, body[contentEnd - 2] == 0x0D, body[contentEnd - 1] == 0x0A { contentEnd -= 2 }
            guard contentEnd >= headerEnd + 4 else { return nil }
            guard
                let disposition = headers.split(separator: "\r\n").first(where: {
                    $0.lowercased().hasPrefix("content-disposition:")
                })
            else { return nil }
            guard let name = parameter("name", in: disposition) else { return nil }
            parts.append(
                Part(
                    name: name, filename: parameter("filename", in: disposition),
                    bytes: Array(body[(headerEnd + 4)..<contentEnd])))
        }
        return FormData(parts: parts)
    }

    /// `name="value"` of a header line.
    private static func parameter(_ key: String, in header: Substring) -> String? {
        for item in header.split(separator: ";").dropFirst() {
            let kv = item.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, kv[0].trimmingCharacters(in: .whitespaces).lowercased() == key else { continue }
            var value = kv[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast())
            }
            return value
        }
        return nil
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else {
            return nil
        }
        let first = needle[0]
        var i = start
        let limit = haystack.count - needle.count
        while i <= limit {
            if haystack[i] == first, haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}

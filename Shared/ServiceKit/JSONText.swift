import Domain

/// Small helpers for writing JSON text by hand on hot paths (logs, responses).
public enum JSONText {
    /// JSON string literal with the escapes RFC 8259 requires.
    public static func quoted(_ s: String) -> String {
        var writer = JSONWriter(capacity: s.utf8.count + 2)
        writer.string(s)
        return writer.text
    }

    /// A JSON number for a finite double (shortest round-trip form); `null` for NaN or infinity.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}

/// Appends JSON text as UTF-8 bytes: the allocation-light way to render responses on hot paths.
///
/// ```swift
/// var json = JSONWriter()
/// json.raw("{\"id\":"); json.string(id); json.raw(",\"score\":"); json.number(0.93); json.raw("}")
/// ```
public struct JSONWriter: Sendable {
    /// The text so far.
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// The text so far as a `String`.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Appends text that is already JSON (punctuation, member names, literals).
    public mutating func raw(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// Appends bytes that are already JSON.
    public mutating func raw(bytes more: some Collection<UInt8>) {
        bytes.append(contentsOf: more)
    }

    /// Appends a JSON string literal with the escapes RFC 8259 requires.
    public mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            bytes.append(UInt8(ascii: "\""))
            var start = 0
            for (i, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i]))
                appendEscape(byte)
                start = i + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
            bytes.append(UInt8(ascii: "\""))
        }
    }

    /// Appends a number (shortest round-trip form, integers without a fraction); `null` for NaN or infinity.
    public mutating func number(_ value: Double) {
        raw(JSONText.number(value))
    }

    /// Appends an integer.
    public mutating func number(_ value: Int) {
        raw(String(value))
    }

    /// Appends `true` or `false`.
    public mutating func bool(_ value: Bool) {
        raw(value ? "true" : "false")
    }

    private mutating func appendEscape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): raw("\\\"")
        case UInt8(ascii: "\\"): raw("\\\\")
        case UInt8(ascii: "\n"): raw("\\n")
        case UInt8(ascii: "\r"): raw("\\r")
        case UInt8(ascii: "\t"): raw("\\t")
        default:
            let digits = Array("0123456789abcdef".utf8)
            bytes += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")]
            bytes += [digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]]
        }
    }
}

extension JSONWriter {
    /// `[{"code":…,"feature":…,"value":…,"text":…},…]`: reasons as predictions and alert rows carry them.
    public mutating func reasons(_ reasons: [Reason]) {
        raw("[")
        for (i, reason) in reasons.enumerated() {
            raw(i == 0 ? "{\"code\":" : ",{\"code\":")
            string(reason.code)
            raw(",\"feature\":")
            string(reason.feature)
            raw(",\"value\":")
            number(reason.value)
            raw(",\"text\":")
            string(reason.text)
            raw("}")
        }
        raw("]")
    }

    /// `[{"field":…,"reason":…},…]`: what is wrong with which field of an input.
    public mutating func fieldProblems(_ problems: [FieldProblem]) {
        raw("[")
        for (i, problem) in problems.enumerated() {
            raw(i == 0 ? "{\"field\":" : ",{\"field\":")
            string(problem.field)
            raw(",\"reason\":")
            string(problem.reason)
            raw("}")
        }
        raw("]")
    }
}

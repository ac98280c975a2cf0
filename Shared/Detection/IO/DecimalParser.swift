/// Parses decimal numbers straight from CSV bytes (`12.50`, `-0.1275`, `1e3`), with a correctly rounded fast path.
///
/// When the digits fit in 2^53 and the power of ten is at most 22, the result is one correctly rounded IEEE
/// operation on two exact values, so it equals what `Double(String)` returns; anything else (long mantissas,
/// `inf`, `nan`, hex) falls back to `Double(String)`.
enum DecimalParser {
    private static let powersOfTen: [Double] = (0...22).map { e in
        var p = 1.0
        for _ in 0..<e { p *= 10 }
        return p
    }

    /// The number in `bytes` (surrounding ASCII spaces allowed), or `nil` when it is not a number.
    static func parseDouble(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var lo = 0
        var hi = bytes.count
        while lo < hi, bytes[lo] == 0x20 { lo += 1 }
        while hi > lo, bytes[hi - 1] == 0x20 { hi -= 1 }
        guard lo < hi else { return nil }
        var i = lo
        var negative = false
        if bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var exact = true
        while i < hi, bytes[i] &- 48 < 10 {
            if mantissa < 1 << 53 / 10 { mantissa = mantissa * 10 + UInt64(bytes[i] &- 48) } else { exact = false }
            digits += 1
            i += 1
        }
        if i < hi, bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < hi, bytes[i] &- 48 < 10 {
                if mantissa < 1 << 53 / 10 {
                    mantissa = mantissa * 10 + UInt64(bytes[i] &- 48)
                    exponent -= 1
                } else {
                    exact = false
                }
                digits += 1
                i += 1
            }
        }
        if i < hi, digits > 0, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var expNegative = false
            if i < hi, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
                expNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            var e = 0
            var expDigits = 0
            while i < hi, bytes[i] &- 48 < 10 {
                if e < 100_000 { e = e * 10 + Int(bytes[i] &- 48) }
                expDigits += 1
                i += 1
            }
            guard expDigits > 0 else { return nil }
            exponent += expNegative ? -e : e
        }
        guard exact, digits > 0, i == hi, abs(exponent) <= 22 else {
            return Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[lo..<hi]), as: UTF8.self))
        }
        var value = Double(mantissa)
        value = exponent < 0 ? value / powersOfTen[-exponent] : value * powersOfTen[exponent]
        return negative ? -value : value
    }
}

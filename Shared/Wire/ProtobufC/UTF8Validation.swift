/// UTF-8 well-formedness check for strings protobuf-c unpacked, which also refuses NUL bytes.
///
/// The standard library's `String(validating:as:)` instantiates generic metadata on every call, which showed up
/// as the largest cost of decoding a 1,000-score response; this scalar check (with an 8-byte ASCII fast path) does
/// the same job, and the NUL check that protobuf-c's C strings need, in one pass. It follows Unicode's well-formed
/// byte sequences (Table 3-7): no overlong forms, no surrogates, nothing above U+10FFFF.
///
/// Why it is safe: it reads only `count` bytes starting at `bytes`, and every multi-byte step checks that its
/// continuation bytes are within `count` before reading them.
func isWellFormedUTF8WithoutNUL(_ bytes: UnsafePointer<UInt8>, count: Int) -> Bool {
    var index = 0
    while index < count {
        // Skip ASCII without NUL eight bytes at a time.
        while index + 8 <= count {
            let word = UnsafeRawPointer(bytes + index).loadUnaligned(as: UInt64.self)
            let hasZeroByte = (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080 != 0
            guard word & 0x8080_8080_8080_8080 == 0 && !hasZeroByte else { break }
            index += 8
        }
        guard index < count else { return true }
        let lead = bytes[index]
        if lead < 0x80 {
            guard lead != 0 else { return false }
            index += 1
            continue
        }
        let length: Int
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            upper = 0x9F
        case 0xF0:
            length = 4
            lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            upper = 0x8F
        default: return false
        }
        guard index + length <= count else { return false }
        let second = bytes[index + 1]
        guard second >= lower && second <= upper else { return false }
        var offset = 2
        while offset < length {
            guard bytes[index + offset] & 0xC0 == 0x80 else { return false }
            offset += 1
        }
        index += length
    }
    return true
}

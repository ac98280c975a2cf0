/// Appends fixed-width little-endian values to a byte array: the encoding of ``UserState`` and other compact
/// binary formats of the module (internal so every format shares one implementation).
struct BinaryWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    mutating func write(_ v: UInt8) { bytes.append(v) }
    mutating func write(_ v: Bool) { bytes.append(v ? 1 : 0) }
    mutating func write(_ v: UInt16) { writeLittleEndian(UInt64(v), width: 2) }
    mutating func write(_ v: UInt32) { writeLittleEndian(UInt64(v), width: 4) }
    mutating func write(_ v: Int64) { writeLittleEndian(UInt64(bitPattern: v), width: 8) }
    mutating func write(_ v: Float) { write(v.bitPattern) }
    mutating func write(_ v: Double) { writeLittleEndian(v.bitPattern, width: 8) }

    private mutating func writeLittleEndian(_ v: UInt64, width: Int) {
        for i in 0..<width { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }
}

/// Reads what ``BinaryWriter`` wrote, throwing ``DetectionError`` with `code` on truncation so a damaged record
/// is refused instead of misread.
struct BinaryReader {
    private let bytes: [UInt8]
    private(set) var offset = 0
    private let code: DetectionError.Code
    private let what: String

    /// `what` names the record in error messages ("user state").
    init(_ bytes: [UInt8], code: DetectionError.Code, what: String) {
        self.bytes = bytes
        self.code = code
        self.what = what
    }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func readUInt8() throws(DetectionError) -> UInt8 { UInt8(try readLittleEndian(width: 1)) }
    mutating func readBool() throws(DetectionError) -> Bool {
        let b = try readUInt8()
        guard b <= 1 else { throw failure("has an invalid flag byte \(b) at offset \(offset - 1)") }
        return b == 1
    }
    mutating func readUInt16() throws(DetectionError) -> UInt16 { UInt16(try readLittleEndian(width: 2)) }
    mutating func readUInt32() throws(DetectionError) -> UInt32 { UInt32(try readLittleEndian(width: 4)) }
    mutating func readInt64() throws(DetectionError) -> Int64 { Int64(bitPattern: try readLittleEndian(width: 8)) }
    mutating func readFloat() throws(DetectionError) -> Float { Float(bitPattern: try readUInt32()) }
    mutating func readDouble() throws(DetectionError) -> Double { Double(bitPattern: try readLittleEndian(width: 8)) }

    /// Throws unless every byte was consumed.
    func expectEnd() throws(DetectionError) {
        guard isAtEnd else { throw failure("has \(bytes.count - offset) unexpected trailing bytes") }
    }

    /// An error of this reader's code: "<what> <detail>".
    func failure(_ detail: String) -> DetectionError { DetectionError(code, "\(what) \(detail)") }

    private mutating func readLittleEndian(width: Int) throws(DetectionError) -> UInt64 {
        guard bytes.count - offset >= width else {
            throw failure("is truncated: needs \(width) more bytes at offset \(offset), has \(bytes.count - offset)")
        }
        let at = offset
        offset += width
        return bytes.withUnsafeBytes { raw in
            switch width {
            case 8: UInt64(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)))
            case 4: UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
            case 2: UInt64(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt16.self)))
            default: UInt64(raw[at])
            }
        }
    }
}

import CZlib
import Foundation

/// The binary container of a bundle's model files (`isolation_forest.bin`, `autoencoder.bin`).
///
/// ```
/// offset  size  field
///      0     4  magic (ASCII, e.g. "TXIF")
///      4     4  format version, UInt32 little-endian
///      8     8  payload length N, UInt64 little-endian
///     16     N  payload (little-endian values, written by BinaryWriter)
///   16+N     4  CRC-32 (zlib) of bytes 0 ..< 16+N, UInt32 little-endian
/// ```
/// Reading checks, in order: length of the header, magic, format version, declared length against the file size
/// (truncation or trailing bytes), then the checksum — each failure names the file and the problem.
enum ModelFile {
    static let headerSize = 16
    static let trailerSize = 4

    /// Wraps `payload` in the container.
    static func encode(magic: String, version: UInt32, payload: [UInt8]) -> [UInt8] {
        var writer = BinaryWriter(capacity: payload.count + headerSize + trailerSize)
        for byte in Array(magic.utf8.prefix(4)) { writer.write(byte) }
        writer.write(version)
        writer.write(Int64(payload.count))
        var bytes = writer.bytes
        bytes.append(contentsOf: payload)
        let checksum = crc32Of(bytes)
        var trailer = BinaryWriter(capacity: 4)
        trailer.write(checksum)
        bytes.append(contentsOf: trailer.bytes)
        return bytes
    }

    /// Unwraps and checks a container; returns the payload. `name` is used in error messages.
    static func decode(_ bytes: [UInt8], magic: String, supportedVersion: UInt32, name: String) throws(DetectionError)
        -> [UInt8]
    {
        guard bytes.count >= headerSize + trailerSize else {
            throw DetectionError(
                .corruptModel,
                "\(name) is truncated: \(bytes.count) bytes, shorter than the \(headerSize + trailerSize)-byte frame")
        }
        let expectedMagic = Array(magic.utf8.prefix(4))
        guard Array(bytes[0..<4]) == expectedMagic else {
            throw DetectionError(.corruptModel, "\(name) is not a \(magic) model file (wrong magic number)")
        }
        var header = BinaryReader(Array(bytes[4..<headerSize]), code: .corruptModel, what: name)
        let version = try header.readUInt32()
        let declared = try header.readInt64()
        guard version == supportedVersion else {
            throw DetectionError(
                .unsupportedVersion,
                "\(name) has format version \(version); this build reads version \(supportedVersion) — retrain the model")
        }
        let available = Int64(bytes.count - headerSize - trailerSize)
        guard declared >= 0, declared <= available else {
            throw DetectionError(
                .corruptModel, "\(name) is truncated: declares \(declared) payload bytes, only \(available) present")
        }
        guard declared == available else {
            throw DetectionError(
                .corruptModel, "\(name) has \(available - declared) unexpected bytes after its declared payload")
        }
        let end = headerSize + Int(declared)
        var trailer = BinaryReader(Array(bytes[end...]), code: .corruptModel, what: name)
        let stored = try trailer.readUInt32()
        let actual = crc32Of(Array(bytes[0..<end]))
        guard stored == actual else {
            throw DetectionError(
                .corruptModel,
                "\(name) is corrupted: checksum \(hex(actual)) does not match the stored \(hex(stored))")
        }
        return Array(bytes[headerSize..<end])
    }

    /// Reads a whole file, naming it in the error.
    static func read(_ path: String, name: String) throws(DetectionError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DetectionError(.fileAccess, "cannot read \(name) at \(path): missing or unreadable")
        }
        return [UInt8](data)
    }

    /// Writes `bytes` to `path` atomically (temporary file + rename), naming the file in the error.
    static func write(_ bytes: [UInt8], to path: String) throws(DetectionError) {
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw DetectionError(.fileAccess, "cannot write \(path)", underlying: error)
        }
    }

    static func crc32Of(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            // zlib's crc32 takes a UInt32 length; model files are far below 4 GiB, but chunk anyway.
            var crc = crc32(0, nil, 0)
            var offset = 0
            while offset < buffer.count {
                let count = min(buffer.count - offset, 1 << 30)
                crc = crc32(crc, buffer.baseAddress.map { $0 + offset }, UInt32(count))
                offset += count
            }
            return UInt32(truncatingIfNeeded: crc)
        }
    }

    private static func hex(_ value: UInt32) -> String { String(format: "%08x", value) }
}

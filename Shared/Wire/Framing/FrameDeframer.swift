import NIOCore

/// Splits a byte stream into frames: a 4-byte big-endian length N followed by N bytes of one `Envelope`.
///
/// ```
/// +----------------+---------------------------+----------------+-----
/// | length N (u32) | N bytes: txad.v1.Envelope | length M (u32) | ...
/// +----------------+---------------------------+----------------+-----
/// ```
///
/// A pure value type, so it is tested without a channel; the RPC connection handlers feed it every read. Frames are
/// returned as slices of the read buffers (no copy) when a read holds whole frames; only a frame split across reads
/// is assembled in a buffer, reserved at its announced size. A header announcing more than `maximumFrameSize`
/// throws at once — before any of that frame is buffered — so a peer cannot make the process buffer a huge frame.
public struct FrameDeframer {
    /// Size of the length prefix.
    public static let headerSize = 4

    /// Largest accepted frame body, in bytes.
    public let maximumFrameSize: Int

    /// Most memory reserved ahead of received bytes for a partly received frame.
    static let maximumReservation = 1024 * 1024

    private var buffer: ByteBuffer?

    /// Creates a deframer that refuses frames larger than `maximumFrameSize` bytes (16 MiB by default).
    public init(maximumFrameSize: Int = RPCLimits.defaultMaximumFrameSize) {
        self.maximumFrameSize = maximumFrameSize
    }

    /// Bytes received but not yet returned as frames.
    public var bufferedByteCount: Int { buffer?.readableBytes ?? 0 }

    /// Bytes of memory the buffer of a partly received frame holds (for tests and diagnostics).
    var reservedCapacity: Int { buffer?.capacity ?? 0 }

    /// Adds bytes read from the peer.
    public mutating func append(_ bytes: ByteBuffer) {
        guard bytes.readableBytes > 0 else { return }
        if buffer == nil || buffer?.readableBytes == 0 {
            buffer = bytes
            return
        }
        var incoming = bytes
        buffer?.writeBuffer(&incoming)
    }

    /// The next complete frame body, or nil when more bytes are needed.
    ///
    /// Throws `RESOURCE_EXHAUSTED` when the next frame announces more than ``maximumFrameSize`` bytes; the stream
    /// cannot be resynchronised after that, so the caller must close the connection.
    public mutating func nextFrame() throws(RPCError) -> ByteBuffer? {
        guard var current = buffer, let length = current.getInteger(at: current.readerIndex, as: UInt32.self) else {
            return nil
        }
        guard Int(length) <= maximumFrameSize else {
            throw RPCError(
                code: .resourceExhausted,
                message: "frame of \(length) bytes exceeds the maximum frame size of \(maximumFrameSize) bytes")
        }
        let available = current.readableBytes - Self.headerSize
        guard available >= Int(length) else {
            // Reserve room for the rest of this frame once rather than growing step by step, but at most 1 MiB
            // ahead of the bytes actually received: a 4-byte header alone must not make us allocate 16 MiB.
            let missing = min(Int(length) - available, Self.maximumReservation)
            if current.writableBytes < missing {
                buffer = nil  // keep `current` uniquely referenced so reserving does not copy twice
                current.discardReadBytes()
                current.reserveCapacity(minimumWritableBytes: missing)
                buffer = current
            }
            return nil
        }
        buffer = nil  // drop our reference so the slice and the remainder do not force copies
        current.moveReaderIndex(forwardBy: Self.headerSize)
        let frame = current.readSlice(length: Int(length))
        if current.readableBytes > 0 {
            buffer = current
        }
        return frame
    }

    /// The call id of the frame at the front of the buffer, if the bytes received so far start an `Envelope`
    /// with its `call_id` field (field 1, the first field protobuf encoders write). Used to address an error reply
    /// for a frame that is oversized or undecodable; nil when it cannot be told.
    public func peekCallID() -> UInt64? {
        guard let buffer, buffer.readableBytes > Self.headerSize else { return nil }
        return buffer.withUnsafeReadableBytes { bytes in
            Self.peekCallID(inEnvelope: UnsafeRawBufferPointer(rebasing: bytes[Self.headerSize...]))
        }
    }

    /// The `call_id` of an encoded `Envelope` if its first field is `call_id` (tag 0x08) with a complete varint.
    public static func peekCallID(inEnvelope bytes: UnsafeRawBufferPointer) -> UInt64? {
        guard bytes.count >= 2, bytes[0] == 0x08 else { return nil }
        var value: UInt64 = 0
        var shift: UInt64 = 0
        for index in 1..<min(bytes.count, 11) {
            let byte = bytes[index]
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }
}

/// Limits shared by the RPC client and server.
public enum RPCLimits {
    /// Default maximum frame size: 16 MiB (SPEC §4).
    public static let defaultMaximumFrameSize = 16 * 1024 * 1024
}

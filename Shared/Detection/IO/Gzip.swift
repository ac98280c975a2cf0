import CZlib

/// The module's only zlib calls: streaming gzip inflate and deflate over caller-owned buffers.
///
/// Why this is safe: each `z_stream` lives at a fixed heap address for the object's lifetime (zlib keeps a pointer
/// back to it), is initialised in `init`, freed in `deinit`, and only touched through the object, which is not
/// `Sendable`, so one thread uses it at a time. zlib reads `next_in` only for `avail_in` bytes and writes `next_out`
/// only for `avail_out` bytes, which are always set from the buffers passed in.
enum Gzip {
    /// The two magic bytes every gzip member starts with.
    static func hasMagic(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Streaming gzip decompression (concatenated members are inflated one after another, as `gzip -d` does).
    final class Inflater {
        private let stream: UnsafeMutablePointer<z_stream>

        init() throws(DetectionError) {
            stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            // 15 + 16: a gzip wrapper only (the reader dispatches here only after seeing the gzip magic).
            let status = inflateInit2_(stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
            guard status == Z_OK else {
                stream.deallocate()
                throw DetectionError(
                    .corruptCompressedData, "cannot initialise gzip decompression (zlib status \(status))")
            }
        }

        deinit {
            inflateEnd(stream)
            stream.deinitialize(count: 1)
            stream.deallocate()
        }

        /// Inflates from `input` into `output`; returns the bytes consumed and produced and whether a gzip member
        /// ended (call ``reset()`` before feeding the next member's bytes).
        func inflate(input: UnsafeBufferPointer<UInt8>, output: UnsafeMutableBufferPointer<UInt8>)
            throws(DetectionError)
            -> (consumed: Int, produced: Int, memberEnded: Bool)
        {
            guard let outBase = output.baseAddress, output.count > 0 else { return (0, 0, false) }
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.pointee.avail_in = UInt32(input.count)
            stream.pointee.next_out = outBase
            stream.pointee.avail_out = UInt32(output.count)
            let status = CZlib.inflate(stream, Z_NO_FLUSH)
            let consumed = input.count - Int(stream.pointee.avail_in)
            let produced = output.count - Int(stream.pointee.avail_out)
            stream.pointee.next_in = nil
            stream.pointee.next_out = nil
            switch status {
            case Z_OK:
                return (consumed, produced, false)
            case Z_STREAM_END:
                return (consumed, produced, true)
            case Z_BUF_ERROR:
                // No progress possible with what was given (needs more input); not an error by itself.
                return (consumed, produced, false)
            default:
                let detail = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                throw DetectionError(.corruptCompressedData, "gzip data is corrupt: \(detail)")
            }
        }

        /// Prepares for the next gzip member.
        func reset() { inflateReset(stream) }
    }

    /// Streaming gzip compression.
    final class Deflater {
        private let stream: UnsafeMutablePointer<z_stream>
        private var scratch = [UInt8](repeating: 0, count: 1 << 16)

        /// `level` 1 (fast) … 9 (small); 3 keeps writing fast at a size close to gzip's default 6.
        init(level: Int32 = 3) throws(DetectionError) {
            stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            let status = deflateInit2_(
                stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
                Int32(MemoryLayout<z_stream>.size))
            guard status == Z_OK else {
                stream.deallocate()
                throw DetectionError(
                    .corruptCompressedData, "cannot initialise gzip compression (zlib status \(status))")
            }
        }

        deinit {
            deflateEnd(stream)
            stream.deinitialize(count: 1)
            stream.deallocate()
        }

        /// Compresses `input` and appends the output to `output`; `finish` writes the gzip trailer.
        func deflate(_ input: UnsafeBufferPointer<UInt8>, finish: Bool, appendingTo output: inout [UInt8])
            throws(DetectionError)
        {
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.pointee.avail_in = UInt32(input.count)
            let flush = finish ? Z_FINISH : Z_NO_FLUSH
            var status = Z_OK
            repeat {
                let produced: Int = scratch.withUnsafeMutableBufferPointer { out in
                    stream.pointee.next_out = out.baseAddress
                    stream.pointee.avail_out = UInt32(out.count)
                    status = CZlib.deflate(stream, flush)
                    return out.count - Int(stream.pointee.avail_out)
                }
                guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                    throw DetectionError(.corruptCompressedData, "gzip compression failed (zlib status \(status))")
                }
                output.append(contentsOf: scratch[0..<produced])
            } while stream.pointee.avail_out == 0 || (finish && status != Z_STREAM_END)
            stream.pointee.next_in = nil
            stream.pointee.next_out = nil
        }
    }
}

internal import CProtobufC
internal import CTxadProto
import NIOCore

/// The fields of an envelope other than its payload, as the RPC client and server send them.
struct EnvelopeHead {
    /// The call id.
    var callID: UInt64
    /// Fully qualified method on requests; empty on responses.
    var method: String = ""
    /// Milliseconds the caller is willing to wait; 0 for none.
    var deadlineMillis: UInt32 = 0
    /// Request id for logs.
    var requestID: String = ""
    /// Set on responses.
    var status: RPCStatus? = nil
}

/// Builds and reads frames on the RPC hot path, packing the payload message straight into the frame buffer.
///
/// A frame is the 4-byte length, the envelope's head fields packed by protobuf-c, then the `payload` field (tag
/// 0x32, a varint length, the payload message packed by protobuf-c). Because `payload` is the envelope's
/// highest-numbered field, protobuf-c would write it last too: the bytes are exactly what packing a whole
/// `Envelope` would produce (the tests check this), without first packing the payload into a temporary array.
///
/// Why it is safe: every C struct lives on the stack or in the `WireArena` of the call and does not escape it;
/// the output buffer is sized from `get_packed_size` of the same structs before `pack` writes into it; decoded
/// envelopes are only read inside the arena's scope.
enum EnvelopeCodec {
    /// Tag of `Envelope.payload`: field 6, wire type 2 (length-delimited).
    static let payloadTag: UInt8 = 0x32

    /// A complete frame for `head` carrying `payload`; throws `RESOURCE_EXHAUSTED` when it would exceed
    /// `maximumFrameSize`, and `INVALID_ARGUMENT` for strings with NUL.
    static func makeFrame<Payload: WireMessage>(
        head: EnvelopeHead, payload: Payload?, maximumFrameSize: Int, allocator: ByteBufferAllocator
    ) throws(RPCError) -> ByteBuffer {
        try WireArena.with { (arena) throws(RPCError) -> ByteBuffer in
            let payloadMessage = try payload?._cMessage(in: &arena)
            let payloadSize = payloadMessage.map { ProtobufCPacking.packedSize($0) } ?? 0
            let envelope = try arena.allocate(Txad__V1__Envelope.self, count: 1)
            txad__v1__envelope__init(envelope)
            envelope.pointee.call_id = head.callID
            try arena.setString(&envelope.pointee.method, head.method, name: "Envelope.method")
            envelope.pointee.deadline_ms = head.deadlineMillis
            try arena.setString(&envelope.pointee.request_id, head.requestID, name: "Envelope.request_id")
            envelope.pointee.status = try arena.makeOptionalStruct(head.status)
            let headSize = txad__v1__envelope__get_packed_size(envelope)
            let payloadFieldSize = payloadSize > 0 ? 1 + varintSize(payloadSize) + payloadSize : 0
            let bodySize = headSize + payloadFieldSize
            guard bodySize <= maximumFrameSize else {
                throw RPCError(
                    code: .resourceExhausted,
                    message: "message of \(bodySize) bytes exceeds the maximum frame size of \(maximumFrameSize) bytes")
            }
            var buffer = allocator.buffer(capacity: FrameDeframer.headerSize + bodySize)
            buffer.writeInteger(UInt32(bodySize))
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: bodySize) { out in
                guard let base = out.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
                var written = txad__v1__envelope__pack(envelope, base)
                if let payloadMessage, payloadSize > 0 {
                    base[written] = payloadTag
                    written += 1
                    written += writeVarint(payloadSize, to: base + written)
                    written += ProtobufCPacking.pack(
                        payloadMessage, into: UnsafeMutableRawBufferPointer(start: base + written, count: payloadSize))
                }
                return written
            }
            return buffer
        }
    }

    /// Decodes the envelope in `frame` and runs `body` with a view of it; the view's payload and strings are
    /// valid only inside `body`. Throws `INVALID_ARGUMENT` when the frame is not an `Envelope`.
    static func withEnvelope<R>(
        in frame: ByteBuffer, _ body: (EnvelopeView, inout WireArena) throws(RPCError) -> R
    ) throws(RPCError) -> R {
        let result = frame.withUnsafeReadableBytes { bytes -> Result<R, RPCError> in
            WireArena.with(capacityHint: bytes.count + 512) { (arena) -> Result<R, RPCError> in
                guard let envelope = arena.unpackStruct(bytes, as: Envelope.self) else {
                    return .failure(RPCError.undecodable("Envelope", byteCount: bytes.count))
                }
                return Result { () throws(RPCError) -> R in try body(EnvelopeView(c: envelope), &arena) }
            }
        }
        return try result.get()
    }

    static func varintSize(_ value: Int) -> Int {
        var v = UInt64(value)
        var size = 1
        while v >= 0x80 {
            v >>= 7
            size += 1
        }
        return size
    }

    static func writeVarint(_ value: Int, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var v = UInt64(value)
        var index = 0
        while v >= 0x80 {
            out[index] = UInt8(truncatingIfNeeded: v) | 0x80
            v >>= 7
            index += 1
        }
        out[index] = UInt8(v)
        return index + 1
    }
}

/// A decoded envelope whose strings and payload still live in the arena of `EnvelopeCodec.withEnvelope`.
struct EnvelopeView {
    fileprivate let c: UnsafeMutablePointer<Txad__V1__Envelope>

    /// The call id.
    var callID: UInt64 { c.pointee.call_id }

    /// Milliseconds the caller is willing to wait; 0 for none.
    var deadlineMillis: UInt32 { c.pointee.deadline_ms }

    /// The method name's UTF-8 bytes, without copying them (empty when absent).
    var methodBytes: UnsafeRawBufferPointer {
        guard let method = c.pointee.method else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: method, count: strlen(method))
    }

    /// The method name.
    func method() throws(RPCError) -> String {
        try decodeString(c.pointee.method, field: "Envelope.method")
    }

    /// The request id (empty when absent).
    func requestID() throws(RPCError) -> String {
        try decodeString(c.pointee.request_id, field: "Envelope.request_id")
    }

    /// The status, nil when absent (requests).
    func status() throws(RPCError) -> RPCStatus? {
        try decodeOptional(c.pointee.status, as: RPCStatus.self)
    }

    /// The payload bytes.
    var payload: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: c.pointee.payload.data, count: c.pointee.payload.len)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

import NIOCore

/// A txad.v1 protobuf message as a Swift value: encodes to and decodes from standard protobuf bytes.
///
/// Every message of `proto/txad/v1` conforms, including the domain types that mirror one (`Transaction`,
/// `FeatureVector`, `Score`, …). Only types in this module can conform: the two underscored requirements are
/// implementation hooks into protobuf-c and take ``WireArena``, which has no public members. Callers use the
/// extension methods: ``init(serializedBytes:)-(ByteBuffer)``, ``serialized()`` and ``serialize(into:)``.
///
/// Decoding and encoding throw ``RPCError`` with code `INVALID_ARGUMENT`: for bytes that are not a valid message,
/// strings that are not UTF-8 or contain NUL (which protobuf-c would silently cut), enum numbers this build does
/// not know in fields that need a known one, and missing sub-messages that the Swift type requires.
public protocol WireMessage: Sendable {
    /// The fully qualified protobuf name, e.g. `txad.v1.ScoreRequest`.
    static var protoName: String { get }

    /// Builds this message's protobuf-c struct in `arena` and returns it as a `ProtobufCMessage *`.
    /// Implementation detail of Wire.
    func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer

    /// Decodes protobuf bytes, using `arena` for protobuf-c's scratch memory. Implementation detail of Wire.
    init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError)
}

extension WireMessage {
    /// Decodes a message from protobuf bytes.
    public init(serializedBytes bytes: UnsafeRawBufferPointer) throws(RPCError) {
        self = try WireArena.with(capacityHint: bytes.count * 2) { (arena) throws(RPCError) -> Self in
            try Self(_unpacking: bytes, arena: &arena)
        }
    }

    /// Decodes a message from protobuf bytes.
    public init(serializedBytes bytes: [UInt8]) throws(RPCError) {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(RPCError) -> Self in try Self(serializedBytes: raw) }
        }
        self = try result.get()
    }

    /// Decodes a message from the readable bytes of `buffer` (the buffer is not consumed).
    public init(serializedBytes buffer: ByteBuffer) throws(RPCError) {
        let result = buffer.withUnsafeReadableBytes { raw in
            Result { () throws(RPCError) -> Self in try Self(serializedBytes: raw) }
        }
        self = try result.get()
    }

    /// The message's protobuf encoding.
    public func serialized() throws(RPCError) -> [UInt8] {
        try WireArena.with { (arena) throws(RPCError) -> [UInt8] in
            let message = try self._cMessage(in: &arena)
            let size = ProtobufCPacking.packedSize(message)
            return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
                initialized = ProtobufCPacking.pack(message, into: UnsafeMutableRawBufferPointer(buffer))
            }
        }
    }

    /// Appends the message's protobuf encoding to `buffer` and returns the number of bytes written.
    @discardableResult
    public func serialize(into buffer: inout ByteBuffer) throws(RPCError) -> Int {
        try WireArena.with { (arena) throws(RPCError) -> Int in
            let message = try self._cMessage(in: &arena)
            let size = ProtobufCPacking.packedSize(message)
            return buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { out in
                ProtobufCPacking.pack(message, into: out)
            }
        }
    }
}

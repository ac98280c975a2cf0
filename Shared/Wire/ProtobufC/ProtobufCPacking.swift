internal import CProtobufC

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The calls into protobuf-c's generic pack functions.
///
/// Why it is safe: `message` is always a pointer returned by a `WireMessage._cMessage(in:)`, i.e. a generated
/// struct whose first member is `ProtobufCMessage base` set up by the generated `*__init` function, so it may be
/// viewed as a `ProtobufCMessage`. `pack` writes exactly `packedSize` bytes, and callers size the output from
/// ``packedSize(_:)`` of the same, unchanged message (checked below).
enum ProtobufCPacking {
    /// The exact number of bytes ``pack(_:into:)`` will write.
    static func packedSize(_ message: UnsafeMutableRawPointer) -> Int {
        protobuf_c_message_get_packed_size(message.assumingMemoryBound(to: ProtobufCMessage.self))
    }

    /// Packs `message` into the start of `out`, which must hold at least ``packedSize(_:)`` bytes; returns the
    /// number of bytes written.
    static func pack(_ message: UnsafeMutableRawPointer, into out: UnsafeMutableRawBufferPointer) -> Int {
        guard let base = out.baseAddress else { return 0 }
        return protobuf_c_message_pack(
            message.assumingMemoryBound(to: ProtobufCMessage.self), base.assumingMemoryBound(to: UInt8.self))
    }
}

/// A Swift value that converts to and from one generated protobuf-c struct. Implemented in the
/// `*+ProtobufC.swift` files, the only place outside this folder that sees C types.
protocol CMessageConvertible {
    /// The generated struct, e.g. `Txad__V1__ScoreRequest`.
    associatedtype CStruct
    /// The message's short proto name, for error messages.
    static var cName: String { get }
    /// The generated `*__init` function.
    static func cInit(_ message: UnsafeMutablePointer<CStruct>)
    /// The generated `*__unpack` function.
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>?
    /// Writes this value into an initialized struct; strings, arrays and sub-messages go into `arena`.
    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError)
    /// Reads a value out of a struct that protobuf-c unpacked with the arena allocator.
    init(c: UnsafePointer<CStruct>) throws(RPCError)
}

extension WireArena {
    /// A new, initialized and filled struct for `value`, as a `ProtobufCMessage *`.
    mutating func build<M: CMessageConvertible>(_ value: M) throws(RPCError) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer(try makeStruct(value))
    }

    /// A new, initialized and filled struct for `value`.
    mutating func makeStruct<M: CMessageConvertible>(_ value: M) throws(RPCError) -> UnsafeMutablePointer<M.CStruct> {
        let c = try allocate(M.CStruct.self, count: 1)
        M.cInit(c)
        try value.fill(c, arena: &self)
        return c
    }

    /// A sub-message field: nil stays NULL (absent on the wire).
    mutating func makeOptionalStruct<M: CMessageConvertible>(
        _ value: M?
    ) throws(RPCError) -> UnsafeMutablePointer<M.CStruct>? {
        guard let value else { return nil }
        return try makeStruct(value)
    }

    /// A repeated sub-message field: an array of pointers to structs, allocated in one block each.
    mutating func makeStructArray<M: CMessageConvertible>(
        _ values: [M]
    ) throws(RPCError) -> (count: Int, pointers: UnsafeMutablePointer<UnsafeMutablePointer<M.CStruct>?>?) {
        guard !values.isEmpty else { return (0, nil) }
        let structs = try allocate(M.CStruct.self, count: values.count)
        let pointers = try allocate(UnsafeMutablePointer<M.CStruct>?.self, count: values.count)
        for (i, value) in values.enumerated() {
            let c = structs + i
            M.cInit(c)
            try value.fill(c, arena: &self)
            (pointers + i).initialize(to: c)
        }
        return (values.count, pointers)
    }

    /// A repeated scalar field (e.g. `repeated double`): the values copied into the arena.
    mutating func makeScalarArray<T>(_ values: [T]) throws(RPCError) -> (count: Int, pointer: UnsafeMutablePointer<T>?)
    {
        guard !values.isEmpty else { return (0, nil) }
        let out = try allocate(T.self, count: values.count)
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { out.initialize(from: base, count: values.count) }
        }
        return (values.count, out)
    }

    /// Unpacks `bytes` as `M` with this arena as protobuf-c's allocator and converts the result.
    mutating func unpack<M: CMessageConvertible>(_ bytes: UnsafeRawBufferPointer, as type: M.Type = M.self)
        throws(RPCError) -> M
    {
        let c = unpackStruct(bytes, as: type)
        guard let c else { throw RPCError.undecodable(M.cName, byteCount: bytes.count) }
        return try M(c: c)
    }

    /// Unpacks `bytes` as `M`'s struct; nil when protobuf-c refuses them.
    mutating func unpackStruct<M: CMessageConvertible>(
        _ bytes: UnsafeRawBufferPointer, as type: M.Type
    ) -> UnsafeMutablePointer<M.CStruct>? {
        // protobuf-c never reads through the pointer when the length is 0, but wants a non-NULL one.
        let empty: UInt8 = 0
        return withUnsafePointer(to: empty) { emptyPointer in
            let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? emptyPointer
            return withAllocator { allocator in M.cUnpack(allocator, bytes.count, base) }
        }
    }
}

/// Reads a sub-message field: nil when absent.
func decodeOptional<M: CMessageConvertible>(_ c: UnsafeMutablePointer<M.CStruct>?, as type: M.Type) throws(RPCError)
    -> M?
{
    guard let c else { return nil }
    return try M(c: c)
}

/// Reads a sub-message field the Swift type requires; throws `INVALID_ARGUMENT` naming `field` when absent.
func decodeRequired<M: CMessageConvertible>(
    _ c: UnsafeMutablePointer<M.CStruct>?, as type: M.Type, field: StaticString
) throws(RPCError) -> M {
    guard let c else {
        throw RPCError(code: .invalidArgument, message: "field \(field) is missing")
    }
    return try M(c: c)
}

/// Reads a repeated sub-message field.
func decodeArray<M: CMessageConvertible>(
    count: Int, _ pointers: UnsafeMutablePointer<UnsafeMutablePointer<M.CStruct>?>?, as type: M.Type,
    field: StaticString
) throws(RPCError) -> [M] {
    guard count > 0, let pointers else { return [] }
    var result: [M] = []
    result.reserveCapacity(count)
    for i in 0..<count {
        result.append(try decodeRequired(pointers[i], as: type, field: field))
    }
    return result
}

/// Reads a repeated scalar field.
func decodeScalarArray<T>(count: Int, _ pointer: UnsafeMutablePointer<T>?) -> [T] {
    guard count > 0, let pointer else { return [] }
    return Array(UnsafeBufferPointer(start: pointer, count: count))
}

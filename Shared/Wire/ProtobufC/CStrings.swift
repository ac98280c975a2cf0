internal import CProtobufC
internal import CTxadProto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Conversions between Swift `String`s and protobuf-c's `char *` string fields.
///
/// Why they are safe: encoded strings are copied into the conversion's ``WireArena`` (length + 1 bytes, NUL
/// terminated), so the C struct never points into Swift-managed storage that could move or be freed. Decoded
/// strings come from structs protobuf-c unpacked with the arena allocator, so every non-default pointer is an arena
/// block whose header holds protobuf-c's requested size (wire length + 1); the only other pointer protobuf-c puts
/// in a string field is its shared empty-string default, recognised by address before the header is read.

/// Address of protobuf-c's `protobuf_c_empty_string`, the default every generated `*__init` puts in string fields.
private let protobufCEmptyStringAddress: UInt = {
    var message = Txad__V1__HealthCheckRequest()
    txad__v1__health_check_request__init(&message)
    return UInt(bitPattern: message.service)
}()

extension WireArena {
    /// Sets a `char *` field to a NUL-terminated copy of `value`. An empty string leaves protobuf-c's default.
    /// Throws `INVALID_ARGUMENT` naming `name` when `value` contains NUL, which protobuf-c would cut there.
    mutating func setString(
        _ field: inout UnsafeMutablePointer<CChar>?, _ value: String, name: StaticString
    ) throws(RPCError) {
        let count = value.utf8.count
        guard count > 0 else { return }
        guard let destination = allocate(byteCount: count + 1) else {
            throw RPCError(code: .resourceExhausted, message: "out of memory while encoding field \(name)")
        }
        let copiedWithoutNUL: Bool? = value.utf8.withContiguousStorageIfAvailable { source in
            guard let base = source.baseAddress else { return true }
            guard memchr(base, 0, count) == nil else { return false }
            destination.copyMemory(from: base, byteCount: count)
            return true
        }
        switch copiedWithoutNUL {
        case true?:
            break
        case false?:
            throw RPCError.nulInString(name)
        case nil:
            // Bridged or otherwise non-contiguous strings: copy byte by byte.
            var offset = 0
            for byte in value.utf8 {
                guard byte != 0 else { throw RPCError.nulInString(name) }
                destination.storeBytes(of: byte, toByteOffset: offset, as: UInt8.self)
                offset += 1
            }
        }
        destination.storeBytes(of: 0, toByteOffset: count, as: UInt8.self)
        field = destination.bindMemory(to: CChar.self, capacity: count + 1)
    }

    /// A `char **` for a repeated string field.
    mutating func makeStringArray(
        _ values: [String], name: StaticString
    ) throws(RPCError) -> (count: Int, pointers: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) {
        guard !values.isEmpty else { return (0, nil) }
        let pointers = try allocate(UnsafeMutablePointer<CChar>?.self, count: values.count)
        for (i, value) in values.enumerated() {
            var element: UnsafeMutablePointer<CChar>?
            if value.isEmpty {
                // Repeated strings have no default: every element needs its own (empty) C string.
                guard let empty = allocate(byteCount: 1) else {
                    throw RPCError(code: .resourceExhausted, message: "out of memory while encoding field \(name)")
                }
                empty.storeBytes(of: 0, as: UInt8.self)
                element = empty.bindMemory(to: CChar.self, capacity: 1)
            } else {
                try setString(&element, value, name: name)
            }
            (pointers + i).initialize(to: element)
        }
        return (values.count, pointers)
    }
}

/// Reads a string field of a struct that protobuf-c unpacked with a ``WireArena`` allocator.
///
/// The length comes from the arena block's header (protobuf-c allocates wire length + 1), so an embedded NUL —
/// which `strlen` would silently stop at — is seen and refused. Throws `INVALID_ARGUMENT` naming `field` for a NUL
/// or for bytes that are not valid UTF-8.
func decodeString(_ pointer: UnsafeMutablePointer<CChar>?, field: StaticString) throws(RPCError) -> String {
    guard let pointer else { return "" }
    let raw = UnsafeRawPointer(pointer)
    // protobuf-c's shared default is not an arena block: recognise it by address before reading a header.
    guard UInt(bitPattern: raw) != protobufCEmptyStringAddress else { return "" }
    let length = WireArena.allocatedByteCount(of: raw) - 1
    guard length > 0 else { return "" }
    let bytes = raw.assumingMemoryBound(to: UInt8.self)
    guard isWellFormedUTF8WithoutNUL(bytes, count: length) else {
        throw memchr(raw, 0, length) != nil ? RPCError.nulInString(field) : RPCError.invalidUTF8(field)
    }
    return String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)
}

/// Reads a repeated string field.
func decodeStringArray(
    count: Int, _ pointers: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, field: StaticString
) throws(RPCError) -> [String] {
    guard count > 0, let pointers else { return [] }
    var result: [String] = []
    result.reserveCapacity(count)
    for i in 0..<count {
        result.append(try decodeString(pointers[i], field: field))
    }
    return result
}

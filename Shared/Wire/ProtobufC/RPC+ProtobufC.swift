internal import CProtobufC
internal import CTxadProto

// Conversions between the rpc.proto value types and their protobuf-c structs.
//
// Why they are safe: the same rules as Domain+ProtobufC.swift — structs and everything they point to live in the
// conversion's `WireArena`; decoded structs were unpacked by protobuf-c with the arena allocator. The envelope's
// `bytes` payload points into the arena too (encoding copies the Swift array there; decoding copies it out).

extension RPCStatus: CMessageConvertible {
    typealias CStruct = Txad__V1__Status
    static var cName: String { "Status" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__status__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__status__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        c.pointee.code = Txad__V1__StatusCode(rawValue: UInt32(bitPattern: code.rawValue))
        try arena.setString(&c.pointee.message, message, name: "Status.message")
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(
            code: RPCStatusCode(rawValue: Int32(bitPattern: c.pointee.code.rawValue)),
            message: try decodeString(c.pointee.message, field: "Status.message"))
    }
}

extension Envelope: CMessageConvertible {
    typealias CStruct = Txad__V1__Envelope
    static var cName: String { "Envelope" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__envelope__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__envelope__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        c.pointee.call_id = callID
        try arena.setString(&c.pointee.method, method, name: "Envelope.method")
        c.pointee.deadline_ms = deadlineMillis
        try arena.setString(&c.pointee.request_id, requestID, name: "Envelope.request_id")
        c.pointee.status = try arena.makeOptionalStruct(status)
        let (count, bytes) = try arena.makeScalarArray(payload)
        c.pointee.payload = ProtobufCBinaryData(len: count, data: bytes)
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        let m = c.pointee
        self.init(
            callID: m.call_id,
            method: try decodeString(m.method, field: "Envelope.method"),
            deadlineMillis: m.deadline_ms,
            requestID: try decodeString(m.request_id, field: "Envelope.request_id"),
            status: try decodeOptional(m.status, as: RPCStatus.self),
            payload: decodeScalarArray(count: m.payload.len, m.payload.data))
    }
}

extension HealthCheckRequest: CMessageConvertible {
    typealias CStruct = Txad__V1__HealthCheckRequest
    static var cName: String { "HealthCheckRequest" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__health_check_request__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__health_check_request__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        try arena.setString(&c.pointee.service, service, name: "HealthCheckRequest.service")
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(service: try decodeString(c.pointee.service, field: "HealthCheckRequest.service"))
    }
}

extension HealthCheckResponse: CMessageConvertible {
    typealias CStruct = Txad__V1__HealthCheckResponse
    static var cName: String { "HealthCheckResponse" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__health_check_response__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__health_check_response__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        c.pointee.status = Txad__V1__HealthCheckResponse__ServingStatus(rawValue: UInt32(bitPattern: status.rawValue))
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(status: ServingStatus(rawValue: Int32(bitPattern: c.pointee.status.rawValue)))
    }
}

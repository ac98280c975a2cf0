// WireMessage conformances of the txad.v1.Reviews messages; each forwards to Reviews+ProtobufC.swift.

extension ReviewItem: WireMessage {
    /// `txad.v1.ReviewItem`.
    public static var protoName: String { "txad.v1.ReviewItem" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension ListAlertsRequest: WireMessage {
    /// `txad.v1.ListAlertsRequest`.
    public static var protoName: String { "txad.v1.ListAlertsRequest" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension ListAlertsResponse: WireMessage {
    /// `txad.v1.ListAlertsResponse`.
    public static var protoName: String { "txad.v1.ListAlertsResponse" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension GetAlertRequest: WireMessage {
    /// `txad.v1.GetAlertRequest`.
    public static var protoName: String { "txad.v1.GetAlertRequest" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension AlertDelivery: WireMessage {
    /// `txad.v1.AlertDelivery`.
    public static var protoName: String { "txad.v1.AlertDelivery" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension DecisionOverride: WireMessage {
    /// `txad.v1.DecisionOverride`.
    public static var protoName: String { "txad.v1.DecisionOverride" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension GetAlertResponse: WireMessage {
    /// `txad.v1.GetAlertResponse`.
    public static var protoName: String { "txad.v1.GetAlertResponse" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension ReviewQueueRequest: WireMessage {
    /// `txad.v1.ReviewQueueRequest`.
    public static var protoName: String { "txad.v1.ReviewQueueRequest" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension ReviewQueueResponse: WireMessage {
    /// `txad.v1.ReviewQueueResponse`.
    public static var protoName: String { "txad.v1.ReviewQueueResponse" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension ClaimRequest: WireMessage {
    /// `txad.v1.ClaimRequest`.
    public static var protoName: String { "txad.v1.ClaimRequest" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension ClaimResponse: WireMessage {
    /// `txad.v1.ClaimResponse`.
    public static var protoName: String { "txad.v1.ClaimResponse" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension ReviewDecideRequest: WireMessage {
    /// `txad.v1.ReviewDecideRequest`.
    public static var protoName: String { "txad.v1.ReviewDecideRequest" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension ReviewDecideResponse: WireMessage {
    /// `txad.v1.ReviewDecideResponse`.
    public static var protoName: String { "txad.v1.ReviewDecideResponse" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension DecideManyRequest: WireMessage {
    /// `txad.v1.DecideManyRequest`.
    public static var protoName: String { "txad.v1.DecideManyRequest" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension DecideResult: WireMessage {
    /// `txad.v1.DecideResult`.
    public static var protoName: String { "txad.v1.DecideResult" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension DecideManyResponse: WireMessage {
    /// `txad.v1.DecideManyResponse`.
    public static var protoName: String { "txad.v1.DecideManyResponse" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension ReviewStatsRequest: WireMessage {
    /// `txad.v1.ReviewStatsRequest`.
    public static var protoName: String { "txad.v1.ReviewStatsRequest" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension ChannelStateCount: WireMessage {
    /// `txad.v1.ChannelStateCount`.
    public static var protoName: String { "txad.v1.ChannelStateCount" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension ReviewStatsResponse: WireMessage {
    /// `txad.v1.ReviewStatsResponse`.
    public static var protoName: String { "txad.v1.ReviewStatsResponse" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

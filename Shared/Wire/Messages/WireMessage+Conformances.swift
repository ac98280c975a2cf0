public import Domain

// WireMessage conformances: each forwards to the protobuf-c conversion in ProtobufC/*+ProtobufC.swift.

extension RPCStatus: WireMessage {
    /// `txad.v1.Status`.
    public static var protoName: String { "txad.v1.Status" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension Envelope: WireMessage {
    /// `txad.v1.Envelope`.
    public static var protoName: String { "txad.v1.Envelope" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension HealthCheckRequest: WireMessage {
    /// `txad.v1.HealthCheckRequest`.
    public static var protoName: String { "txad.v1.HealthCheckRequest" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension HealthCheckResponse: WireMessage {
    /// `txad.v1.HealthCheckResponse`.
    public static var protoName: String { "txad.v1.HealthCheckResponse" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension Transaction: WireMessage {
    /// `txad.v1.Transaction`.
    public static var protoName: String { "txad.v1.Transaction" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension FeatureVector: WireMessage {
    /// `txad.v1.FeatureVector`.
    public static var protoName: String { "txad.v1.FeatureVector" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension Reason: WireMessage {
    /// `txad.v1.Reason`.
    public static var protoName: String { "txad.v1.Reason" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension Score: WireMessage {
    /// `txad.v1.Score`.
    public static var protoName: String { "txad.v1.Score" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension ScoredTransaction: WireMessage {
    /// `txad.v1.ScoredTransaction`.
    public static var protoName: String { "txad.v1.ScoredTransaction" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension PreprocessRequest: WireMessage {
    /// `txad.v1.PreprocessRequest`.
    public static var protoName: String { "txad.v1.PreprocessRequest" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension PreprocessResponse: WireMessage {
    /// `txad.v1.PreprocessResponse`.
    public static var protoName: String { "txad.v1.PreprocessResponse" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension ScoreRequest: WireMessage {
    /// `txad.v1.ScoreRequest`.
    public static var protoName: String { "txad.v1.ScoreRequest" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension ScoreResponse: WireMessage {
    /// `txad.v1.ScoreResponse`.
    public static var protoName: String { "txad.v1.ScoreResponse" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension ModelInfoRequest: WireMessage {
    /// `txad.v1.ModelInfoRequest`.
    public static var protoName: String { "txad.v1.ModelInfoRequest" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension ModelInfoResponse: WireMessage {
    /// `txad.v1.ModelInfoResponse`.
    public static var protoName: String { "txad.v1.ModelInfoResponse" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension ReloadRequest: WireMessage {
    /// `txad.v1.ReloadRequest`.
    public static var protoName: String { "txad.v1.ReloadRequest" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension ReloadResponse: WireMessage {
    /// `txad.v1.ReloadResponse`.
    public static var protoName: String { "txad.v1.ReloadResponse" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension RecordRequest: WireMessage {
    /// `txad.v1.RecordRequest`.
    public static var protoName: String { "txad.v1.RecordRequest" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension RecordResponse: WireMessage {
    /// `txad.v1.RecordResponse`.
    public static var protoName: String { "txad.v1.RecordResponse" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension StatsRequest: WireMessage {
    /// `txad.v1.StatsRequest`.
    public static var protoName: String { "txad.v1.StatsRequest" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension RiskCount: WireMessage {
    /// `txad.v1.RiskCount`.
    public static var protoName: String { "txad.v1.RiskCount" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension HourlyRiskCount: WireMessage {
    /// `txad.v1.HourlyRiskCount`.
    public static var protoName: String { "txad.v1.HourlyRiskCount" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension StatsResponse: WireMessage {
    /// `txad.v1.StatsResponse`.
    public static var protoName: String { "txad.v1.StatsResponse" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension ReviewDecision: WireMessage {
    /// `txad.v1.ReviewDecision`.
    public static var protoName: String { "txad.v1.ReviewDecision" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension Alert: WireMessage {
    /// `txad.v1.Alert`.
    public static var protoName: String { "txad.v1.Alert" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension ListReviewsRequest: WireMessage {
    /// `txad.v1.ListReviewsRequest`.
    public static var protoName: String { "txad.v1.ListReviewsRequest" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension ListReviewsResponse: WireMessage {
    /// `txad.v1.ListReviewsResponse`.
    public static var protoName: String { "txad.v1.ListReviewsResponse" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension DecideRequest: WireMessage {
    /// `txad.v1.DecideRequest`.
    public static var protoName: String { "txad.v1.DecideRequest" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

extension DecideResponse: WireMessage {
    /// `txad.v1.DecideResponse`.
    public static var protoName: String { "txad.v1.DecideResponse" }

    /// Implementation detail of Wire.
    public func _cMessage(in arena: inout WireArena) throws(RPCError) -> UnsafeMutableRawPointer {
        try arena.build(self)
    }

    /// Implementation detail of Wire.
    public init(_unpacking bytes: UnsafeRawBufferPointer, arena: inout WireArena) throws(RPCError) {
        self = try arena.unpack(bytes)
    }
}

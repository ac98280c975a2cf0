internal import CProtobufC
internal import CTxadProto
import Domain

// Conversions between the Domain value types and their protobuf-c structs (transaction.proto).
//
// Why they are safe: `fill` only writes into a struct that `WireArena` allocated and the generated `*__init`
// initialized, and every pointer it stores (strings, arrays, sub-messages) points into the same arena, which
// outlives the pack call. `init(c:)` only reads structs that protobuf-c unpacked with the arena allocator; counts
// and pointers of repeated fields come from protobuf-c together, and NULL sub-messages are handled as absent.

/// Channel ↔ `txad.v1.Channel`; nil ↔ `CHANNEL_UNSPECIFIED`.
enum ChannelMapping {
    static func c(_ channel: Channel?) -> Txad__V1__Channel {
        switch channel {
        case nil: TXAD__V1__CHANNEL__CHANNEL_UNSPECIFIED
        case .pos?: TXAD__V1__CHANNEL__CHANNEL_POS
        case .online?: TXAD__V1__CHANNEL__CHANNEL_ONLINE
        case .atm?: TXAD__V1__CHANNEL__CHANNEL_ATM
        }
    }

    static func swift(_ value: Txad__V1__Channel, field: StaticString) throws(RPCError) -> Channel? {
        switch Int32(bitPattern: value.rawValue) {
        case 0: nil
        case 1: .pos
        case 2: .online
        case 3: .atm
        case let other: throw RPCError.unknownEnumValue(field, other)
        }
    }
}

/// RiskLevel ↔ `txad.v1.RiskLevel`; nil ↔ `RISK_LEVEL_UNSPECIFIED`.
enum RiskLevelMapping {
    static func c(_ level: RiskLevel?) -> Txad__V1__RiskLevel {
        switch level {
        case nil: TXAD__V1__RISK_LEVEL__RISK_LEVEL_UNSPECIFIED
        case .low?: TXAD__V1__RISK_LEVEL__RISK_LEVEL_LOW
        case .medium?: TXAD__V1__RISK_LEVEL__RISK_LEVEL_MEDIUM
        case .high?: TXAD__V1__RISK_LEVEL__RISK_LEVEL_HIGH
        case .critical?: TXAD__V1__RISK_LEVEL__RISK_LEVEL_CRITICAL
        }
    }

    static func optional(_ value: Txad__V1__RiskLevel, field: StaticString) throws(RPCError) -> RiskLevel? {
        switch Int32(bitPattern: value.rawValue) {
        case 0: nil
        case 1: .low
        case 2: .medium
        case 3: .high
        case 4: .critical
        case let other: throw RPCError.unknownEnumValue(field, other)
        }
    }

    /// For fields that need a level: `RISK_LEVEL_UNSPECIFIED` is refused like an unknown number.
    static func required(_ value: Txad__V1__RiskLevel, field: StaticString) throws(RPCError) -> RiskLevel {
        guard let level = try optional(value, field: field) else {
            throw RPCError(
                code: .invalidArgument, message: "field \(field) is RISK_LEVEL_UNSPECIFIED; a level is required")
        }
        return level
    }
}

@inline(__always)
func cBool(_ value: Bool) -> protobuf_c_boolean { value ? 1 : 0 }

extension Transaction: CMessageConvertible {
    typealias CStruct = Txad__V1__Transaction
    static var cName: String { "Transaction" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__transaction__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__transaction__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        try arena.setString(&c.pointee.transaction_id, transactionID, name: "Transaction.transaction_id")
        try arena.setString(&c.pointee.user_id, userID, name: "Transaction.user_id")
        c.pointee.timestamp_ms = timestampMillis
        c.pointee.amount = amount
        try arena.setString(&c.pointee.currency, currency, name: "Transaction.currency")
        if let merchantID {
            try arena.setString(&c.pointee.merchant_id, merchantID, name: "Transaction.merchant_id")
        }
        if let merchantCategory {
            try arena.setString(&c.pointee.merchant_category, merchantCategory, name: "Transaction.merchant_category")
        }
        c.pointee.channel = ChannelMapping.c(channel)
        if let latitude {
            c.pointee.latitude_present_case = TXAD__V1__TRANSACTION__LATITUDE_PRESENT_LATITUDE
            c.pointee.latitude = latitude
        }
        if let longitude {
            c.pointee.longitude_present_case = TXAD__V1__TRANSACTION__LONGITUDE_PRESENT_LONGITUDE
            c.pointee.longitude = longitude
        }
        if let country {
            try arena.setString(&c.pointee.country, country, name: "Transaction.country")
        }
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        let m = c.pointee
        let currency = try decodeString(m.currency, field: "Transaction.currency")
        let merchantID = try decodeString(m.merchant_id, field: "Transaction.merchant_id")
        let merchantCategory = try decodeString(m.merchant_category, field: "Transaction.merchant_category")
        let country = try decodeString(m.country, field: "Transaction.country")
        self.init(
            transactionID: try decodeString(m.transaction_id, field: "Transaction.transaction_id"),
            userID: try decodeString(m.user_id, field: "Transaction.user_id"),
            timestampMillis: m.timestamp_ms,
            amount: m.amount,
            currency: currency.isEmpty ? "USD" : currency,
            merchantID: merchantID.isEmpty ? nil : merchantID,
            merchantCategory: merchantCategory.isEmpty ? nil : merchantCategory,
            channel: try ChannelMapping.swift(m.channel, field: "Transaction.channel"),
            latitude: m.latitude_present_case == TXAD__V1__TRANSACTION__LATITUDE_PRESENT_LATITUDE ? m.latitude : nil,
            longitude: m.longitude_present_case == TXAD__V1__TRANSACTION__LONGITUDE_PRESENT_LONGITUDE
                ? m.longitude : nil,
            country: country.isEmpty ? nil : country)
    }
}

extension FeatureVector: CMessageConvertible {
    typealias CStruct = Txad__V1__FeatureVector
    static var cName: String { "FeatureVector" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__feature_vector__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__feature_vector__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        try arena.setString(&c.pointee.transaction_id, transactionID, name: "FeatureVector.transaction_id")
        c.pointee.schema_version = schemaVersion
        (c.pointee.n_values, c.pointee.values) = try arena.makeScalarArray(values)
        (c.pointee.n_raw_values, c.pointee.raw_values) = try arena.makeScalarArray(rawValues)
        c.pointee.degraded = cBool(degraded)
        try arena.setString(&c.pointee.user_id, userID, name: "FeatureVector.user_id")
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        let m = c.pointee
        self.init(
            transactionID: try decodeString(m.transaction_id, field: "FeatureVector.transaction_id"),
            schemaVersion: m.schema_version,
            values: decodeScalarArray(count: m.n_values, m.values),
            rawValues: decodeScalarArray(count: m.n_raw_values, m.raw_values),
            degraded: m.degraded != 0,
            userID: try decodeString(m.user_id, field: "FeatureVector.user_id"))
    }
}

extension Reason: CMessageConvertible {
    typealias CStruct = Txad__V1__Reason
    static var cName: String { "Reason" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__reason__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__reason__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        try arena.setString(&c.pointee.code, code, name: "Reason.code")
        try arena.setString(&c.pointee.feature, feature, name: "Reason.feature")
        c.pointee.value = value
        try arena.setString(&c.pointee.text, text, name: "Reason.text")
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        let m = c.pointee
        self.init(
            code: try decodeString(m.code, field: "Reason.code"),
            feature: try decodeString(m.feature, field: "Reason.feature"),
            value: m.value,
            text: try decodeString(m.text, field: "Reason.text"))
    }
}

extension Score: CMessageConvertible {
    typealias CStruct = Txad__V1__Score
    static var cName: String { "Score" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__score__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__score__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        try arena.setString(&c.pointee.transaction_id, transactionID, name: "Score.transaction_id")
        c.pointee.isolation_forest = isolationForest
        c.pointee.autoencoder = autoencoder
        c.pointee.ensemble = ensemble
        c.pointee.is_anomaly = cBool(isAnomaly)
        c.pointee.risk_level = RiskLevelMapping.c(riskLevel)
        (c.pointee.n_reasons, c.pointee.reasons) = try arena.makeStructArray(reasons)
        try arena.setString(&c.pointee.model_version, modelVersion, name: "Score.model_version")
        if let supervised {
            c.pointee.supervised_present_case = TXAD__V1__SCORE__SUPERVISED_PRESENT_SUPERVISED
            c.pointee.supervised = supervised
        }
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        let m = c.pointee
        self.init(
            transactionID: try decodeString(m.transaction_id, field: "Score.transaction_id"),
            isolationForest: m.isolation_forest,
            autoencoder: m.autoencoder,
            ensemble: m.ensemble,
            isAnomaly: m.is_anomaly != 0,
            riskLevel: try RiskLevelMapping.required(m.risk_level, field: "Score.risk_level"),
            reasons: try decodeArray(count: m.n_reasons, m.reasons, as: Reason.self, field: "Score.reasons"),
            modelVersion: try decodeString(m.model_version, field: "Score.model_version"),
            supervised: m.supervised_present_case == TXAD__V1__SCORE__SUPERVISED_PRESENT_SUPERVISED
                ? m.supervised : nil)
    }
}

extension ScoredTransaction: CMessageConvertible {
    typealias CStruct = Txad__V1__ScoredTransaction
    static var cName: String { "ScoredTransaction" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__scored_transaction__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__scored_transaction__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        c.pointee.transaction = try arena.makeStruct(transaction)
        c.pointee.score = try arena.makeStruct(score)
        c.pointee.degraded = cBool(degraded)
        try arena.setString(&c.pointee.request_id, requestID, name: "ScoredTransaction.request_id")
        c.pointee.scored_at_ms = scoredAtMillis
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        let m = c.pointee
        self.init(
            transaction: try decodeRequired(
                m.transaction, as: Transaction.self, field: "ScoredTransaction.transaction"),
            score: try decodeRequired(m.score, as: Score.self, field: "ScoredTransaction.score"),
            degraded: m.degraded != 0,
            requestID: try decodeString(m.request_id, field: "ScoredTransaction.request_id"),
            scoredAtMillis: m.scored_at_ms)
    }
}

internal import CProtobufC
internal import CTxadProto
import Domain

// Conversions between the services.proto value types and their protobuf-c structs.
//
// Why they are safe: the same rules as Domain+ProtobufC.swift — structs and everything they point to live in the
// conversion's `WireArena`; decoded structs were unpacked by protobuf-c with the arena allocator, which keeps every
// repeated field's count and pointer consistent.

// MARK: Preprocessing

extension PreprocessRequest: CMessageConvertible {
    typealias CStruct = Txad__V1__PreprocessRequest
    static var cName: String { "PreprocessRequest" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__preprocess_request__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__preprocess_request__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        (c.pointee.n_transactions, c.pointee.transactions) = try arena.makeStructArray(transactions)
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(
            transactions: try decodeArray(
                count: c.pointee.n_transactions, c.pointee.transactions, as: Transaction.self,
                field: "PreprocessRequest.transactions"))
    }
}

extension PreprocessResponse: CMessageConvertible {
    typealias CStruct = Txad__V1__PreprocessResponse
    static var cName: String { "PreprocessResponse" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__preprocess_response__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__preprocess_response__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        (c.pointee.n_vectors, c.pointee.vectors) = try arena.makeStructArray(vectors)
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(
            vectors: try decodeArray(
                count: c.pointee.n_vectors, c.pointee.vectors, as: FeatureVector.self,
                field: "PreprocessResponse.vectors"))
    }
}

// MARK: Inference

extension ScoreRequest: CMessageConvertible {
    typealias CStruct = Txad__V1__ScoreRequest
    static var cName: String { "ScoreRequest" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__score_request__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__score_request__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        (c.pointee.n_vectors, c.pointee.vectors) = try arena.makeStructArray(vectors)
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(
            vectors: try decodeArray(
                count: c.pointee.n_vectors, c.pointee.vectors, as: FeatureVector.self, field: "ScoreRequest.vectors"))
    }
}

extension ScoreResponse: CMessageConvertible {
    typealias CStruct = Txad__V1__ScoreResponse
    static var cName: String { "ScoreResponse" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__score_response__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__score_response__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        (c.pointee.n_scores, c.pointee.scores) = try arena.makeStructArray(scores)
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(
            scores: try decodeArray(
                count: c.pointee.n_scores, c.pointee.scores, as: Score.self, field: "ScoreResponse.scores"))
    }
}

extension ModelInfoRequest: CMessageConvertible {
    typealias CStruct = Txad__V1__ModelInfoRequest
    static var cName: String { "ModelInfoRequest" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__model_info_request__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__model_info_request__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        c.pointee.drift_only = driftOnly ? 1 : 0
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(driftOnly: c.pointee.drift_only != 0)
    }
}

extension ModelInfoResponse: CMessageConvertible {
    typealias CStruct = Txad__V1__ModelInfoResponse
    static var cName: String { "ModelInfoResponse" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__model_info_response__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__model_info_response__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        try arena.setString(&c.pointee.version, version, name: "ModelInfoResponse.version")
        try arena.setString(&c.pointee.created, created, name: "ModelInfoResponse.created")
        c.pointee.feature_schema_version = featureSchemaVersion
        (c.pointee.n_feature_names, c.pointee.feature_names) = try arena.makeStringArray(
            featureNames, name: "ModelInfoResponse.feature_names")
        c.pointee.threshold = threshold
        c.pointee.weight_isolation_forest = weightIsolationForest
        c.pointee.weight_autoencoder = weightAutoencoder
        try arena.setString(&c.pointee.manifest_json, manifestJSON, name: "ModelInfoResponse.manifest_json")
        try arena.setString(&c.pointee.source, source, name: "ModelInfoResponse.source")
        try arena.setString(&c.pointee.canary_version, canaryVersion, name: "ModelInfoResponse.canary_version")
        c.pointee.canary_share = canaryShare
        try arena.setString(&c.pointee.shadow_version, shadowVersion, name: "ModelInfoResponse.shadow_version")
        (c.pointee.n_refused, c.pointee.refused) = try arena.makeStringArray(
            refused, name: "ModelInfoResponse.refused")
        c.pointee.shadow_dropped = shadowDropped
        (c.pointee.n_drift, c.pointee.drift) = try arena.makeStructArray(drift)
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        let m = c.pointee
        self.init(
            version: try decodeString(m.version, field: "ModelInfoResponse.version"),
            created: try decodeString(m.created, field: "ModelInfoResponse.created"),
            featureSchemaVersion: m.feature_schema_version,
            featureNames: try decodeStringArray(
                count: m.n_feature_names, m.feature_names, field: "ModelInfoResponse.feature_names"),
            threshold: m.threshold,
            weightIsolationForest: m.weight_isolation_forest,
            weightAutoencoder: m.weight_autoencoder,
            manifestJSON: try decodeString(m.manifest_json, field: "ModelInfoResponse.manifest_json"),
            source: try decodeString(m.source, field: "ModelInfoResponse.source"),
            canaryVersion: try decodeString(m.canary_version, field: "ModelInfoResponse.canary_version"),
            canaryShare: m.canary_share,
            shadowVersion: try decodeString(m.shadow_version, field: "ModelInfoResponse.shadow_version"),
            refused: try decodeStringArray(count: m.n_refused, m.refused, field: "ModelInfoResponse.refused"),
            shadowDropped: m.shadow_dropped,
            drift: try decodeArray(count: m.n_drift, m.drift, as: VersionDrift.self, field: "ModelInfoResponse.drift"))
    }
}

extension VersionDrift: CMessageConvertible {
    typealias CStruct = Txad__V1__VersionDrift
    static var cName: String { "VersionDrift" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__version_drift__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__version_drift__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        try arena.setString(&c.pointee.version, version, name: "VersionDrift.version")
        c.pointee.observed = observed
        c.pointee.alerts = alerts
        (c.pointee.n_isolation_forest_buckets, c.pointee.isolation_forest_buckets) = try arena.makeScalarArray(
            isolationForestBuckets)
        (c.pointee.n_autoencoder_buckets, c.pointee.autoencoder_buckets) = try arena.makeScalarArray(
            autoencoderBuckets)
        c.pointee.since_ms = sinceMillis
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        let m = c.pointee
        self.init(
            version: try decodeString(m.version, field: "VersionDrift.version"),
            observed: m.observed, alerts: m.alerts,
            isolationForestBuckets: decodeScalarArray(count: m.n_isolation_forest_buckets, m.isolation_forest_buckets),
            autoencoderBuckets: decodeScalarArray(count: m.n_autoencoder_buckets, m.autoencoder_buckets),
            sinceMillis: m.since_ms)
    }
}

extension ReloadRequest: CMessageConvertible {
    typealias CStruct = Txad__V1__ReloadRequest
    static var cName: String { "ReloadRequest" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__reload_request__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__reload_request__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        try arena.setString(&c.pointee.version, version, name: "ReloadRequest.version")
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(version: try decodeString(c.pointee.version, field: "ReloadRequest.version"))
    }
}

extension ReloadResponse: CMessageConvertible {
    typealias CStruct = Txad__V1__ReloadResponse
    static var cName: String { "ReloadResponse" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__reload_response__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__reload_response__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        try arena.setString(&c.pointee.previous_version, previousVersion, name: "ReloadResponse.previous_version")
        try arena.setString(&c.pointee.version, version, name: "ReloadResponse.version")
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(
            previousVersion: try decodeString(c.pointee.previous_version, field: "ReloadResponse.previous_version"),
            version: try decodeString(c.pointee.version, field: "ReloadResponse.version"))
    }
}

// MARK: Alerts

extension RecordRequest: CMessageConvertible {
    typealias CStruct = Txad__V1__RecordRequest
    static var cName: String { "RecordRequest" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__record_request__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__record_request__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        (c.pointee.n_items, c.pointee.items) = try arena.makeStructArray(items)
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(
            items: try decodeArray(
                count: c.pointee.n_items, c.pointee.items, as: ScoredTransaction.self, field: "RecordRequest.items"))
    }
}

extension RecordResponse: CMessageConvertible {
    typealias CStruct = Txad__V1__RecordResponse
    static var cName: String { "RecordResponse" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__record_response__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__record_response__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        c.pointee.recorded = recorded
        c.pointee.alerts = alerts
        c.pointee.spooled = cBool(spooled)
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(recorded: c.pointee.recorded, alerts: c.pointee.alerts, spooled: c.pointee.spooled != 0)
    }
}

extension StatsRequest: CMessageConvertible {
    typealias CStruct = Txad__V1__StatsRequest
    static var cName: String { "StatsRequest" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__stats_request__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__stats_request__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        c.pointee.since_ms = sinceMillis
        c.pointee.hours = hours
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(sinceMillis: c.pointee.since_ms, hours: c.pointee.hours)
    }
}

extension HourlyRiskCount: CMessageConvertible {
    typealias CStruct = Txad__V1__HourlyRiskCount
    static var cName: String { "HourlyRiskCount" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__hourly_risk_count__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__hourly_risk_count__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        c.pointee.hour_ms = hourMillis
        c.pointee.risk_level = RiskLevelMapping.c(riskLevel)
        c.pointee.count = count
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(
            hourMillis: c.pointee.hour_ms,
            riskLevel: try RiskLevelMapping.required(c.pointee.risk_level, field: "HourlyRiskCount.risk_level"),
            count: c.pointee.count)
    }
}

extension RiskCount: CMessageConvertible {
    typealias CStruct = Txad__V1__RiskCount
    static var cName: String { "RiskCount" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__risk_count__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__risk_count__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        c.pointee.risk_level = RiskLevelMapping.c(riskLevel)
        c.pointee.count = count
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(
            riskLevel: try RiskLevelMapping.required(c.pointee.risk_level, field: "RiskCount.risk_level"),
            count: c.pointee.count)
    }
}

extension StatsResponse: CMessageConvertible {
    typealias CStruct = Txad__V1__StatsResponse
    static var cName: String { "StatsResponse" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__stats_response__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__stats_response__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        c.pointee.predictions = predictions
        (c.pointee.n_predictions_by_risk, c.pointee.predictions_by_risk) = try arena.makeStructArray(predictionsByRisk)
        c.pointee.anomalies = anomalies
        c.pointee.anomaly_rate = anomalyRate
        c.pointee.alerts = alerts
        (c.pointee.n_alerts_by_risk, c.pointee.alerts_by_risk) = try arena.makeStructArray(alertsByRisk)
        c.pointee.review_backlog = reviewBacklog
        c.pointee.reviewed_fraud = reviewedFraud
        c.pointee.reviewed_legitimate = reviewedLegitimate
        c.pointee.alert_precision = alertPrecision
        c.pointee.spooled = spooled
        (c.pointee.n_alerts_by_hour, c.pointee.alerts_by_hour) = try arena.makeStructArray(alertsByHour)
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        let m = c.pointee
        self.init(
            predictions: m.predictions,
            predictionsByRisk: try decodeArray(
                count: m.n_predictions_by_risk, m.predictions_by_risk, as: RiskCount.self,
                field: "StatsResponse.predictions_by_risk"),
            anomalies: m.anomalies,
            anomalyRate: m.anomaly_rate,
            alerts: m.alerts,
            alertsByRisk: try decodeArray(
                count: m.n_alerts_by_risk, m.alerts_by_risk, as: RiskCount.self, field: "StatsResponse.alerts_by_risk"),
            reviewBacklog: m.review_backlog,
            reviewedFraud: m.reviewed_fraud,
            reviewedLegitimate: m.reviewed_legitimate,
            alertPrecision: m.alert_precision,
            spooled: m.spooled,
            alertsByHour: try decodeArray(
                count: m.n_alerts_by_hour, m.alerts_by_hour, as: HourlyRiskCount.self,
                field: "StatsResponse.alerts_by_hour"))
    }
}

extension ReviewDecision: CMessageConvertible {
    typealias CStruct = Txad__V1__ReviewDecision
    static var cName: String { "ReviewDecision" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__review_decision__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__review_decision__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        c.pointee.decision = Txad__V1__Decision(rawValue: UInt32(bitPattern: decision.rawValue))
        try arena.setString(&c.pointee.note, note, name: "ReviewDecision.note")
        try arena.setString(&c.pointee.analyst, analyst, name: "ReviewDecision.analyst")
        c.pointee.decided_at_ms = decidedAtMillis
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        let m = c.pointee
        self.init(
            decision: Decision(rawValue: Int32(bitPattern: m.decision.rawValue)),
            note: try decodeString(m.note, field: "ReviewDecision.note"),
            analyst: try decodeString(m.analyst, field: "ReviewDecision.analyst"),
            decidedAtMillis: m.decided_at_ms)
    }
}

extension Alert: CMessageConvertible {
    typealias CStruct = Txad__V1__Alert
    static var cName: String { "Alert" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__alert__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__alert__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        try arena.setString(&c.pointee.alert_id, alertID, name: "Alert.alert_id")
        c.pointee.scored = try arena.makeStruct(scored)
        c.pointee.status = Txad__V1__AlertStatus(rawValue: UInt32(bitPattern: status.rawValue))
        c.pointee.created_at_ms = createdAtMillis
        (c.pointee.n_channels, c.pointee.channels) = try arena.makeScalarArray(
            channels.map { Txad__V1__NotificationChannel(rawValue: UInt32(bitPattern: $0.rawValue)) })
        c.pointee.decision = try arena.makeOptionalStruct(decision)
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        let m = c.pointee
        self.init(
            alertID: try decodeString(m.alert_id, field: "Alert.alert_id"),
            scored: try decodeRequired(m.scored, as: ScoredTransaction.self, field: "Alert.scored"),
            status: AlertStatus(rawValue: Int32(bitPattern: m.status.rawValue)),
            createdAtMillis: m.created_at_ms,
            channels: decodeScalarArray(count: m.n_channels, m.channels).map {
                NotificationChannel(rawValue: Int32(bitPattern: $0.rawValue))
            },
            decision: try decodeOptional(m.decision, as: ReviewDecision.self))
    }
}

extension ListReviewsRequest: CMessageConvertible {
    typealias CStruct = Txad__V1__ListReviewsRequest
    static var cName: String { "ListReviewsRequest" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__list_reviews_request__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__list_reviews_request__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        c.pointee.min_risk = RiskLevelMapping.c(minRisk)
        c.pointee.min_age_seconds = minAgeSeconds
        c.pointee.status = Txad__V1__AlertStatus(rawValue: UInt32(bitPattern: status.rawValue))
        c.pointee.limit = limit
        c.pointee.offset = offset
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        let m = c.pointee
        self.init(
            minRisk: try RiskLevelMapping.optional(m.min_risk, field: "ListReviewsRequest.min_risk"),
            minAgeSeconds: m.min_age_seconds,
            status: AlertStatus(rawValue: Int32(bitPattern: m.status.rawValue)),
            limit: m.limit,
            offset: m.offset)
    }
}

extension ListReviewsResponse: CMessageConvertible {
    typealias CStruct = Txad__V1__ListReviewsResponse
    static var cName: String { "ListReviewsResponse" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__list_reviews_response__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__list_reviews_response__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        (c.pointee.n_alerts, c.pointee.alerts) = try arena.makeStructArray(alerts)
        c.pointee.total = total
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(
            alerts: try decodeArray(
                count: c.pointee.n_alerts, c.pointee.alerts, as: Alert.self, field: "ListReviewsResponse.alerts"),
            total: c.pointee.total)
    }
}

extension DecideRequest: CMessageConvertible {
    typealias CStruct = Txad__V1__DecideRequest
    static var cName: String { "DecideRequest" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__decide_request__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__decide_request__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        try arena.setString(&c.pointee.alert_id, alertID, name: "DecideRequest.alert_id")
        c.pointee.decision = try arena.makeStruct(decision)
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(
            alertID: try decodeString(c.pointee.alert_id, field: "DecideRequest.alert_id"),
            decision: try decodeRequired(c.pointee.decision, as: ReviewDecision.self, field: "DecideRequest.decision"))
    }
}

extension DecideResponse: CMessageConvertible {
    typealias CStruct = Txad__V1__DecideResponse
    static var cName: String { "DecideResponse" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__decide_response__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__decide_response__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        c.pointee.alert = try arena.makeStruct(alert)
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(alert: try decodeRequired(c.pointee.alert, as: Alert.self, field: "DecideResponse.alert"))
    }
}

internal import CProtobufC
internal import CTxadProto
import Domain

// Conversions between the review.proto value types and their protobuf-c structs.
//
// Why they are safe: the same rules as Domain+ProtobufC.swift — structs and everything they point to live in the
// conversion's `WireArena`; decoded structs were unpacked by protobuf-c with the arena allocator, which keeps every
// repeated field's count and pointer consistent.

extension ReviewItem: CMessageConvertible {
    typealias CStruct = Txad__V1__ReviewItem
    static var cName: String { "ReviewItem" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__review_item__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__review_item__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        c.pointee.alert = try arena.makeStruct(alert)
        try arena.setString(&c.pointee.claimed_by, claimedBy, name: "ReviewItem.claimed_by")
        c.pointee.claim_expires_at_ms = claimExpiresAtMillis
        c.pointee.age_seconds = ageSeconds
        c.pointee.sla_breached = cBool(slaBreached)
        c.pointee.sla_minutes = slaMinutes
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        let m = c.pointee
        self.init(
            alert: try decodeRequired(m.alert, as: Alert.self, field: "ReviewItem.alert"),
            claimedBy: try decodeString(m.claimed_by, field: "ReviewItem.claimed_by"),
            claimExpiresAtMillis: m.claim_expires_at_ms, ageSeconds: m.age_seconds, slaBreached: m.sla_breached != 0,
            slaMinutes: m.sla_minutes)
    }
}

extension ListAlertsRequest: CMessageConvertible {
    typealias CStruct = Txad__V1__ListAlertsRequest
    static var cName: String { "ListAlertsRequest" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__list_alerts_request__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__list_alerts_request__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        c.pointee.status = Txad__V1__AlertStatus(rawValue: UInt32(bitPattern: status.rawValue))
        c.pointee.risk_level = RiskLevelMapping.c(riskLevel)
        try arena.setString(&c.pointee.user_id, userID, name: "ListAlertsRequest.user_id")
        c.pointee.since_ms = sinceMillis
        c.pointee.until_ms = untilMillis
        try arena.setString(&c.pointee.cursor, cursor, name: "ListAlertsRequest.cursor")
        c.pointee.limit = limit
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        let m = c.pointee
        self.init(
            status: AlertStatus(rawValue: Int32(bitPattern: m.status.rawValue)),
            riskLevel: try RiskLevelMapping.optional(m.risk_level, field: "ListAlertsRequest.risk_level"),
            userID: try decodeString(m.user_id, field: "ListAlertsRequest.user_id"), sinceMillis: m.since_ms,
            untilMillis: m.until_ms, cursor: try decodeString(m.cursor, field: "ListAlertsRequest.cursor"),
            limit: m.limit)
    }
}

extension ListAlertsResponse: CMessageConvertible {
    typealias CStruct = Txad__V1__ListAlertsResponse
    static var cName: String { "ListAlertsResponse" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__list_alerts_response__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__list_alerts_response__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        (c.pointee.n_items, c.pointee.items) = try arena.makeStructArray(items)
        try arena.setString(&c.pointee.next_cursor, nextCursor, name: "ListAlertsResponse.next_cursor")
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(
            items: try decodeArray(
                count: c.pointee.n_items, c.pointee.items, as: ReviewItem.self, field: "ListAlertsResponse.items"),
            nextCursor: try decodeString(c.pointee.next_cursor, field: "ListAlertsResponse.next_cursor"))
    }
}

extension GetAlertRequest: CMessageConvertible {
    typealias CStruct = Txad__V1__GetAlertRequest
    static var cName: String { "GetAlertRequest" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__get_alert_request__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__get_alert_request__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        try arena.setString(&c.pointee.alert_id, alertID, name: "GetAlertRequest.alert_id")
        c.pointee.recent_limit = recentLimit
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(
            alertID: try decodeString(c.pointee.alert_id, field: "GetAlertRequest.alert_id"),
            recentLimit: c.pointee.recent_limit)
    }
}

extension AlertDelivery: CMessageConvertible {
    typealias CStruct = Txad__V1__AlertDelivery
    static var cName: String { "AlertDelivery" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__alert_delivery__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__alert_delivery__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        try arena.setString(&c.pointee.delivery_id, deliveryID, name: "AlertDelivery.delivery_id")
        try arena.setString(&c.pointee.channel, channel, name: "AlertDelivery.channel")
        try arena.setString(&c.pointee.channel_type, channelType, name: "AlertDelivery.channel_type")
        try arena.setString(&c.pointee.event_type, eventType, name: "AlertDelivery.event_type")
        try arena.setString(&c.pointee.state, state, name: "AlertDelivery.state")
        c.pointee.attempts = attempts
        c.pointee.last_status = lastStatus
        try arena.setString(&c.pointee.last_error, lastError, name: "AlertDelivery.last_error")
        c.pointee.created_at_ms = createdAtMillis
        c.pointee.delivered_at_ms = deliveredAtMillis
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        let m = c.pointee
        self.init(
            deliveryID: try decodeString(m.delivery_id, field: "AlertDelivery.delivery_id"),
            channel: try decodeString(m.channel, field: "AlertDelivery.channel"),
            channelType: try decodeString(m.channel_type, field: "AlertDelivery.channel_type"),
            eventType: try decodeString(m.event_type, field: "AlertDelivery.event_type"),
            state: try decodeString(m.state, field: "AlertDelivery.state"), attempts: m.attempts,
            lastStatus: m.last_status, lastError: try decodeString(m.last_error, field: "AlertDelivery.last_error"),
            createdAtMillis: m.created_at_ms, deliveredAtMillis: m.delivered_at_ms)
    }
}

extension DecisionOverride: CMessageConvertible {
    typealias CStruct = Txad__V1__DecisionOverride
    static var cName: String { "DecisionOverride" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__decision_override__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__decision_override__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        try arena.setString(&c.pointee.analyst, analyst, name: "DecisionOverride.analyst")
        c.pointee.at_ms = atMillis
        c.pointee.from_decision = Txad__V1__Decision(rawValue: UInt32(bitPattern: fromDecision.rawValue))
        c.pointee.to_decision = Txad__V1__Decision(rawValue: UInt32(bitPattern: toDecision.rawValue))
        try arena.setString(&c.pointee.note, note, name: "DecisionOverride.note")
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        let m = c.pointee
        self.init(
            analyst: try decodeString(m.analyst, field: "DecisionOverride.analyst"), atMillis: m.at_ms,
            fromDecision: Decision(rawValue: Int32(bitPattern: m.from_decision.rawValue)),
            toDecision: Decision(rawValue: Int32(bitPattern: m.to_decision.rawValue)),
            note: try decodeString(m.note, field: "DecisionOverride.note"))
    }
}

extension GetAlertResponse: CMessageConvertible {
    typealias CStruct = Txad__V1__GetAlertResponse
    static var cName: String { "GetAlertResponse" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__get_alert_response__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__get_alert_response__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        c.pointee.item = try arena.makeStruct(item)
        (c.pointee.n_recent_transactions, c.pointee.recent_transactions) = try arena.makeStructArray(recentTransactions)
        (c.pointee.n_deliveries, c.pointee.deliveries) = try arena.makeStructArray(deliveries)
        (c.pointee.n_overrides, c.pointee.overrides) = try arena.makeStructArray(overrides)
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        let m = c.pointee
        self.init(
            item: try decodeRequired(m.item, as: ReviewItem.self, field: "GetAlertResponse.item"),
            recentTransactions: try decodeArray(
                count: m.n_recent_transactions, m.recent_transactions, as: ScoredTransaction.self,
                field: "GetAlertResponse.recent_transactions"),
            deliveries: try decodeArray(
                count: m.n_deliveries, m.deliveries, as: AlertDelivery.self, field: "GetAlertResponse.deliveries"),
            overrides: try decodeArray(
                count: m.n_overrides, m.overrides, as: DecisionOverride.self, field: "GetAlertResponse.overrides"))
    }
}

extension ReviewQueueRequest: CMessageConvertible {
    typealias CStruct = Txad__V1__ReviewQueueRequest
    static var cName: String { "ReviewQueueRequest" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__review_queue_request__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__review_queue_request__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        c.pointee.min_risk = RiskLevelMapping.c(minRisk)
        c.pointee.limit = limit
        c.pointee.offset = offset
        c.pointee.min_age_minutes = minAgeMinutes
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(
            minRisk: try RiskLevelMapping.optional(c.pointee.min_risk, field: "ReviewQueueRequest.min_risk"),
            limit: c.pointee.limit, offset: c.pointee.offset, minAgeMinutes: c.pointee.min_age_minutes)
    }
}

extension ReviewQueueResponse: CMessageConvertible {
    typealias CStruct = Txad__V1__ReviewQueueResponse
    static var cName: String { "ReviewQueueResponse" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__review_queue_response__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__review_queue_response__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        (c.pointee.n_items, c.pointee.items) = try arena.makeStructArray(items)
        c.pointee.total = total
        c.pointee.breached = breached
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(
            items: try decodeArray(
                count: c.pointee.n_items, c.pointee.items, as: ReviewItem.self, field: "ReviewQueueResponse.items"),
            total: c.pointee.total, breached: c.pointee.breached)
    }
}

extension ClaimRequest: CMessageConvertible {
    typealias CStruct = Txad__V1__ClaimRequest
    static var cName: String { "ClaimRequest" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__claim_request__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__claim_request__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        try arena.setString(&c.pointee.alert_id, alertID, name: "ClaimRequest.alert_id")
        try arena.setString(&c.pointee.analyst, analyst, name: "ClaimRequest.analyst")
        c.pointee.min_risk = RiskLevelMapping.c(minRisk)
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(
            alertID: try decodeString(c.pointee.alert_id, field: "ClaimRequest.alert_id"),
            analyst: try decodeString(c.pointee.analyst, field: "ClaimRequest.analyst"),
            minRisk: try RiskLevelMapping.optional(c.pointee.min_risk, field: "ClaimRequest.min_risk"))
    }
}

extension ClaimResponse: CMessageConvertible {
    typealias CStruct = Txad__V1__ClaimResponse
    static var cName: String { "ClaimResponse" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__claim_response__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__claim_response__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        c.pointee.item = try arena.makeOptionalStruct(item)
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(item: try decodeOptional(c.pointee.item, as: ReviewItem.self))
    }
}

extension ReviewDecideRequest: CMessageConvertible {
    typealias CStruct = Txad__V1__ReviewDecideRequest
    static var cName: String { "ReviewDecideRequest" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__review_decide_request__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__review_decide_request__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        try arena.setString(&c.pointee.alert_id, alertID, name: "ReviewDecideRequest.alert_id")
        c.pointee.decision = Txad__V1__Decision(rawValue: UInt32(bitPattern: decision.rawValue))
        try arena.setString(&c.pointee.note, note, name: "ReviewDecideRequest.note")
        try arena.setString(&c.pointee.analyst, analyst, name: "ReviewDecideRequest.analyst")
        try arena.setString(&c.pointee.idempotency_key, idempotencyKey, name: "ReviewDecideRequest.idempotency_key")
        c.pointee.override = cBool(override)
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        let m = c.pointee
        self.init(
            alertID: try decodeString(m.alert_id, field: "ReviewDecideRequest.alert_id"),
            decision: Decision(rawValue: Int32(bitPattern: m.decision.rawValue)),
            note: try decodeString(m.note, field: "ReviewDecideRequest.note"),
            analyst: try decodeString(m.analyst, field: "ReviewDecideRequest.analyst"),
            idempotencyKey: try decodeString(m.idempotency_key, field: "ReviewDecideRequest.idempotency_key"),
            override: m.override != 0)
    }
}

extension ReviewDecideResponse: CMessageConvertible {
    typealias CStruct = Txad__V1__ReviewDecideResponse
    static var cName: String { "ReviewDecideResponse" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__review_decide_response__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__review_decide_response__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        c.pointee.item = try arena.makeStruct(item)
        c.pointee.replayed = cBool(replayed)
        c.pointee.overridden = cBool(overridden)
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(
            item: try decodeRequired(c.pointee.item, as: ReviewItem.self, field: "ReviewDecideResponse.item"),
            replayed: c.pointee.replayed != 0, overridden: c.pointee.overridden != 0)
    }
}

extension DecideManyRequest: CMessageConvertible {
    typealias CStruct = Txad__V1__DecideManyRequest
    static var cName: String { "DecideManyRequest" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__decide_many_request__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__decide_many_request__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        (c.pointee.n_items, c.pointee.items) = try arena.makeStructArray(items)
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(
            items: try decodeArray(
                count: c.pointee.n_items, c.pointee.items, as: ReviewDecideRequest.self,
                field: "DecideManyRequest.items"))
    }
}

extension DecideResult: CMessageConvertible {
    typealias CStruct = Txad__V1__DecideResult
    static var cName: String { "DecideResult" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__decide_result__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__decide_result__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        c.pointee.status = try arena.makeStruct(status)
        c.pointee.response = try arena.makeOptionalStruct(response)
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(
            status: try decodeOptional(c.pointee.status, as: RPCStatus.self) ?? .ok,
            response: try decodeOptional(c.pointee.response, as: ReviewDecideResponse.self))
    }
}

extension DecideManyResponse: CMessageConvertible {
    typealias CStruct = Txad__V1__DecideManyResponse
    static var cName: String { "DecideManyResponse" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__decide_many_response__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__decide_many_response__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        (c.pointee.n_results, c.pointee.results) = try arena.makeStructArray(results)
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(
            results: try decodeArray(
                count: c.pointee.n_results, c.pointee.results, as: DecideResult.self,
                field: "DecideManyResponse.results"))
    }
}

extension ReviewStatsRequest: CMessageConvertible {
    typealias CStruct = Txad__V1__ReviewStatsRequest
    static var cName: String { "ReviewStatsRequest" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__review_stats_request__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__review_stats_request__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {}

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init()
    }
}

extension ChannelStateCount: CMessageConvertible {
    typealias CStruct = Txad__V1__ChannelStateCount
    static var cName: String { "ChannelStateCount" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__channel_state_count__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__channel_state_count__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        try arena.setString(&c.pointee.channel, channel, name: "ChannelStateCount.channel")
        try arena.setString(&c.pointee.state, state, name: "ChannelStateCount.state")
        c.pointee.count = count
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        self.init(
            channel: try decodeString(c.pointee.channel, field: "ChannelStateCount.channel"),
            state: try decodeString(c.pointee.state, field: "ChannelStateCount.state"), count: c.pointee.count)
    }
}

extension ReviewStatsResponse: CMessageConvertible {
    typealias CStruct = Txad__V1__ReviewStatsResponse
    static var cName: String { "ReviewStatsResponse" }
    static func cInit(_ message: UnsafeMutablePointer<CStruct>) { txad__v1__review_stats_response__init(message) }
    static func cUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>? { txad__v1__review_stats_response__unpack(allocator, count, bytes) }

    func fill(_ c: UnsafeMutablePointer<CStruct>, arena: inout WireArena) throws(RPCError) {
        c.pointee.decided_fraud = decidedFraud
        c.pointee.decided_legitimate = decidedLegitimate
        c.pointee.precision = precision
        c.pointee.false_positive_rate = falsePositiveRate
        (c.pointee.n_backlog_by_risk, c.pointee.backlog_by_risk) = try arena.makeStructArray(backlogByRisk)
        c.pointee.median_seconds_to_decision = medianSecondsToDecision
        c.pointee.p90_seconds_to_decision = p90SecondsToDecision
        (c.pointee.n_sla_breached_by_risk, c.pointee.sla_breached_by_risk) = try arena.makeStructArray(
            slaBreachedByRisk)
        c.pointee.decided_after_sla = decidedAfterSLA
        (c.pointee.n_deliveries, c.pointee.deliveries) = try arena.makeStructArray(deliveries)
        c.pointee.dead_letters = deadLetters
        c.pointee.overrides = overrides
    }

    init(c: UnsafePointer<CStruct>) throws(RPCError) {
        let m = c.pointee
        self.init(
            decidedFraud: m.decided_fraud, decidedLegitimate: m.decided_legitimate, precision: m.precision,
            falsePositiveRate: m.false_positive_rate,
            backlogByRisk: try decodeArray(
                count: m.n_backlog_by_risk, m.backlog_by_risk, as: RiskCount.self,
                field: "ReviewStatsResponse.backlog_by_risk"),
            medianSecondsToDecision: m.median_seconds_to_decision, p90SecondsToDecision: m.p90_seconds_to_decision,
            slaBreachedByRisk: try decodeArray(
                count: m.n_sla_breached_by_risk, m.sla_breached_by_risk, as: RiskCount.self,
                field: "ReviewStatsResponse.sla_breached_by_risk"),
            decidedAfterSLA: m.decided_after_sla,
            deliveries: try decodeArray(
                count: m.n_deliveries, m.deliveries, as: ChannelStateCount.self,
                field: "ReviewStatsResponse.deliveries"),
            deadLetters: m.dead_letters, overrides: m.overrides)
    }
}

import Domain
import ServiceKit
import Wire

/// The JSON of the review API's responses (documented in openapi.json as `ReviewItem`, `AlertDetail`, …).
enum ReviewJSON {
    /// API spelling of an alert status.
    static func status(_ status: AlertStatus) -> String {
        switch status {
        case .pending: "pending"
        case .confirmedFraud: "confirmed_fraud"
        case .legitimate: "legitimate"
        default: status.description
        }
    }

    /// `{"alert_id":…,"status":…,…}`: one alert with its claim, age, SLA state, transaction, scores and decision;
    /// `extra` appends more members (each starting with a comma) before the closing brace.
    static func item(
        _ item: ReviewItem, into out: inout JSONWriter, extra: (inout JSONWriter) -> Void = { _ in }
    ) {
        let alert = item.alert
        out.raw("{\"alert_id\":")
        out.string(alert.alertID)
        out.raw(",\"status\":\"\(status(alert.status))\",\"risk_level\":\"\(alert.scored.score.riskLevel.rawValue)\"")
        out.raw(",\"created_at\":")
        out.string(RFC3339.format(millis: alert.createdAtMillis))
        out.raw(",\"age_seconds\":\(item.ageSeconds),\"sla_minutes\":\(item.slaMinutes),\"sla_breached\":")
        out.bool(item.slaBreached)
        out.raw(",\"claim\":")
        if item.claimedBy.isEmpty {
            out.raw("null")
        } else {
            out.raw("{\"analyst\":")
            out.string(item.claimedBy)
            out.raw(",\"expires_at\":")
            out.string(RFC3339.format(millis: item.claimExpiresAtMillis))
            out.raw("}")
        }
        out.raw(",\"decision\":")
        if let decision = alert.decision {
            out.raw("{\"decision\":\"\(decision.decision)\",\"note\":")
            out.string(decision.note)
            out.raw(",\"analyst\":")
            out.string(decision.analyst)
            out.raw(",\"decided_at\":")
            out.string(RFC3339.format(millis: decision.decidedAtMillis))
            out.raw("}")
        } else {
            out.raw("null")
        }
        out.raw(",\"prediction\":")
        scored(alert.scored, into: &out)
        extra(&out)
        out.raw("}")
    }

    /// `{"transaction":{…},"is_anomaly":…,"risk_level":…,"scores":{…},"reasons":[…],…}`: a scored
    /// transaction.
    static func scored(_ scored: ScoredTransaction, into out: inout JSONWriter) {
        let t = scored.transaction
        let s = scored.score
        out.raw("{\"transaction\":{\"transaction_id\":")
        out.string(t.transactionID)
        out.raw(",\"user_id\":")
        out.string(t.userID)
        out.raw(",\"timestamp\":")
        out.string(RFC3339.format(millis: t.timestampMillis))
        out.raw(",\"amount\":")
        out.number(t.amount)
        out.raw(",\"currency\":")
        out.string(t.currency)
        optional("merchant_id", t.merchantID, into: &out)
        optional("merchant_category", t.merchantCategory, into: &out)
        optional("channel", t.channel?.rawValue, into: &out)
        out.raw(",\"latitude\":")
        if let latitude = t.latitude { out.number(latitude) } else { out.raw("null") }
        out.raw(",\"longitude\":")
        if let longitude = t.longitude { out.number(longitude) } else { out.raw("null") }
        optional("country", t.country, into: &out)
        out.raw("},\"is_anomaly\":")
        out.bool(s.isAnomaly)
        out.raw(",\"risk_level\":\"\(s.riskLevel.rawValue)\",\"scores\":{\"isolation_forest\":")
        out.number(s.isolationForest)
        out.raw(",\"autoencoder\":")
        out.number(s.autoencoder)
        out.raw(",\"ensemble\":")
        out.number(s.ensemble)
        out.raw("},\"reasons\":")
        out.reasons(s.reasons)
        out.raw(",\"model_version\":")
        out.string(s.modelVersion)
        out.raw(",\"degraded\":")
        out.bool(scored.degraded)
        out.raw(",\"scored_at\":")
        out.string(RFC3339.format(millis: scored.scoredAtMillis))
        out.raw("}")
    }

    private static func optional(_ name: String, _ value: String?, into out: inout JSONWriter) {
        out.raw(",\"\(name)\":")
        if let value { out.string(value) } else { out.raw("null") }
    }

    /// `GET /alerts` body.
    static func page(_ response: ListAlertsResponse) -> [UInt8] {
        var out = JSONWriter(capacity: 256 + response.items.count * 900)
        out.raw("{\"alerts\":[")
        for (i, item) in response.items.enumerated() {
            if i > 0 { out.raw(",") }
            self.item(item, into: &out)
        }
        out.raw("],\"next_cursor\":")
        if response.nextCursor.isEmpty { out.raw("null") } else { out.string(response.nextCursor) }
        out.raw("}")
        return out.bytes
    }

    /// `GET /alerts/{alert_id}` body.
    static func detail(_ response: GetAlertResponse) -> [UInt8] {
        var out = JSONWriter(capacity: 2048 + response.recentTransactions.count * 700)
        item(response.item, into: &out) { out in Self.context(response, into: &out) }
        return out.bytes
    }

    private static func context(_ response: GetAlertResponse, into out: inout JSONWriter) {
        out.raw(",\"recent_transactions\":[")
        for (i, scored) in response.recentTransactions.enumerated() {
            if i > 0 { out.raw(",") }
            self.scored(scored, into: &out)
        }
        out.raw("],\"deliveries\":[")
        for (i, d) in response.deliveries.enumerated() {
            out.raw(i == 0 ? "{\"delivery_id\":" : ",{\"delivery_id\":")
            out.string(d.deliveryID)
            out.raw(",\"channel\":")
            out.string(d.channel)
            out.raw(",\"channel_type\":")
            out.string(d.channelType)
            out.raw(",\"event_type\":")
            out.string(d.eventType)
            out.raw(",\"state\":")
            out.string(d.state)
            out.raw(",\"attempts\":\(d.attempts),\"last_status\":")
            out.raw(d.lastStatus == 0 ? "null" : String(d.lastStatus))
            out.raw(",\"last_error\":")
            if d.lastError.isEmpty { out.raw("null") } else { out.string(d.lastError) }
            out.raw(",\"created_at\":")
            out.string(RFC3339.format(millis: d.createdAtMillis))
            out.raw(",\"delivered_at\":")
            if d.deliveredAtMillis == 0 {
                out.raw("null")
            } else {
                out.string(RFC3339.format(millis: d.deliveredAtMillis))
            }
            out.raw("}")
        }
        out.raw("],\"overrides\":[")
        for (i, o) in response.overrides.enumerated() {
            out.raw(i == 0 ? "{\"analyst\":" : ",{\"analyst\":")
            out.string(o.analyst)
            out.raw(",\"at\":")
            out.string(RFC3339.format(millis: o.atMillis))
            out.raw(",\"from\":\"\(o.fromDecision)\",\"to\":\"\(o.toDecision)\",\"note\":")
            out.string(o.note)
            out.raw("}")
        }
        out.raw("]")
    }

    /// `GET /reviews` body.
    static func queue(_ response: ReviewQueueResponse, limit: Int, offset: Int) -> [UInt8] {
        var out = JSONWriter(capacity: 256 + response.items.count * 900)
        out.raw("{\"items\":[")
        for (i, item) in response.items.enumerated() {
            if i > 0 { out.raw(",") }
            self.item(item, into: &out)
        }
        out.raw("],\"total\":\(response.total),\"breached\":\(response.breached),\"limit\":\(limit),")
        out.raw("\"offset\":\(offset)}")
        return out.bytes
    }

    /// The body of a decision: the alert plus `replayed` and `overridden`.
    static func decided(_ response: ReviewDecideResponse, into out: inout JSONWriter) {
        item(response.item, into: &out) { out in
            out.raw(",\"replayed\":")
            out.bool(response.replayed)
            out.raw(",\"overridden\":")
            out.bool(response.overridden)
        }
    }

    /// The `review` object of `/stats`.
    static func stats(_ s: ReviewStatsResponse) -> String {
        func counts(_ list: [RiskCount]) -> String {
            let map = Dictionary(list.map { ($0.riskLevel, $0.count) }, uniquingKeysWith: +)
            return "{" + RiskLevel.allCases.map { "\"\($0.rawValue)\":\(map[$0, default: 0])" }.joined(separator: ",")
                + "}"
        }
        var byChannel: [String: [(String, UInt64)]] = [:]
        for d in s.deliveries { byChannel[d.channel, default: []].append((d.state, d.count)) }
        let deliveries = byChannel.keys.sorted().map { channel in
            JSONText.quoted(channel) + ":{"
                + (byChannel[channel] ?? []).map { "\(JSONText.quoted($0.0)):\($0.1)" }.joined(separator: ",") + "}"
        }.joined(separator: ",")
        var body = "{\"decided\":{\"fraud\":\(s.decidedFraud),\"legitimate\":\(s.decidedLegitimate)},"
        body += "\"precision\":\(JSONText.number(s.precision)),"
        body += "\"false_positive_rate\":\(JSONText.number(s.falsePositiveRate)),"
        body += "\"backlog_by_risk\":\(counts(s.backlogByRisk)),"
        body += "\"time_to_decision_seconds\":{\"median\":\(JSONText.number(s.medianSecondsToDecision)),"
        body += "\"p90\":\(JSONText.number(s.p90SecondsToDecision))},"
        body += "\"sla_breaches\":{\"pending_by_risk\":\(counts(s.slaBreachedByRisk)),"
        body += "\"decided_late\":\(s.decidedAfterSLA)},"
        body += "\"deliveries\":{\(deliveries)},\"dead_letters\":\(s.deadLetters),\"overrides\":\(s.overrides)}"
        return body
    }
}

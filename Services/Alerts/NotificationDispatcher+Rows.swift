import Domain
import Foundation
import Notifications
import ServiceKit
import Stores

extension NotificationDispatcher {
    // MARK: - Claim

    /// One claimed row.
    struct Claim: Sendable {
        var deliveryID: String
        var channel: String
        var eventType: String
        var attempts: Int
        var alertIDs: [Int64]
        var groupWindowSeconds: Int
        var createdUnix: Int64
        var incidentAlertID: Int64
    }

    /// Claims, in one statement, up to `wanted[channel]` due rows of each channel (oldest due first), leasing them
    /// to this dispatcher. A resolve is held back while a trigger of its incident is still pending or delivering.
    func claim(_ wanted: [String: Int], in database: PostgresClient) async throws -> [Claim] {
        let channels = wanted.keys.sorted()
        let rows = try await database.query(
            """
            WITH due AS (
                SELECT x.delivery_id
                FROM unnest($1::text[], $2::integer[]) AS w(channel, n)
                CROSS JOIN LATERAL (
                    SELECT d.delivery_id FROM notification_deliveries d
                    WHERE d.channel = w.channel AND d.state IN ('pending', 'delivering')
                      AND d.next_attempt_at <= now() AND (d.lease_until IS NULL OR d.lease_until < now())
                      AND NOT (d.event_type = 'alert.resolved' AND EXISTS (
                          SELECT 1 FROM notification_deliveries t
                          WHERE t.channel = d.channel AND coalesce(t.incident_alert_id, t.alert_id) = d.alert_id
                            AND t.event_type <> 'alert.resolved' AND t.state IN ('pending', 'delivering')))
                    ORDER BY d.next_attempt_at
                    LIMIT w.n
                    FOR UPDATE SKIP LOCKED) x)
            UPDATE notification_deliveries n
            SET state = 'delivering', lease_owner = $3, lease_until = now() + make_interval(secs => $4::float8),
                attempts = n.attempts + 1, last_attempt_at = now()
            FROM due WHERE n.delivery_id = due.delivery_id
            RETURNING n.delivery_id, n.channel, n.event_type, n.attempts, n.alert_id,
                      array_to_string(coalesce(n.alert_ids, ARRAY[n.alert_id]), ',') AS alert_ids,
                      n.group_window_seconds, extract(epoch FROM n.created_at)::bigint AS created_unix,
                      coalesce(n.incident_alert_id, n.alert_id) AS incident_alert_id
            """,
            [
                PostgresValue(array: channels.map { PostgresValue($0) }),
                PostgresValue(array: channels.map { PostgresValue(wanted[$0] ?? 0) }),
                PostgresValue(owner), PostgresValue(configuration.lease.inSeconds),
            ])
        return try rows.map { row in
            let ids = (try row.string("alert_ids") ?? "").split(separator: ",").compactMap { Int64($0) }
            return Claim(
                deliveryID: try row.string("delivery_id") ?? "", channel: try row.string("channel") ?? "",
                eventType: try row.string("event_type") ?? "", attempts: try row.int("attempts") ?? 1,
                alertIDs: ids.isEmpty ? [try row.int64("alert_id") ?? 0] : ids,
                groupWindowSeconds: try row.int("group_window_seconds") ?? 0,
                createdUnix: try row.int64("created_unix") ?? 0,
                incidentAlertID: try row.int64("incident_alert_id") ?? 0)
        }
    }

    /// Rows of channels the routing file no longer names can never be sent: every due one (not leased) becomes
    /// `dead` with that reason, so it shows among the dead letters (`txad alerts redeliver` re-queues it once the
    /// channel is back). Returns how many.
    @discardableResult
    func deadLetterUnroutable(in database: PostgresClient) async throws -> Int {
        try await database.execute(
            """
            UPDATE notification_deliveries
            SET state = 'dead', lease_until = NULL, lease_owner = NULL, last_status = NULL,
                last_error = 'channel ''' || channel || ''' is not in the routing file'
            WHERE state IN ('pending', 'delivering') AND next_attempt_at <= now()
              AND (lease_until IS NULL OR lease_until < now()) AND NOT (channel = ANY($1::text[]))
            """, [PostgresValue(array: routing.channels.keys.sorted().map { PostgresValue($0) })])
    }

    /// Every 10 s (and at start): ``deadLetterUnroutable(in:)``.
    func deadLetterUnroutable(_ context: Context) async {
        var last: ContinuousClock.Instant?
        while !(Task.isCancelled || Task.isShuttingDownGracefully) {
            let seen = context.wakeup.generation
            if isReady(), last.map({ $0.duration(to: .now) >= .seconds(10) }) ?? true {
                do {
                    let count = try await deadLetterUnroutable(in: context.database)
                    if count > 0 {
                        logger.error(
                            "notifications of channels missing from the routing file dead-lettered",
                            metadata: ["rows": "\(count)"])
                    }
                    last = .now
                } catch {
                    logger.warning("dead-lettering unroutable notifications failed", metadata: ["error": "\(error)"])
                }
            }
            await context.wakeup.wait(after: seen, upTo: .seconds(10))
        }
    }

    /// The alerts the claimed rows describe, by id.
    func loadNotices(_ ids: Set<Int64>, in database: PostgresClient) async throws -> [Int64: AlertNotice] {
        let rows = try await database.query(
            """
            SELECT a.alert_id, a.transaction_id, a.risk_level, a.ensemble, a.reasons,
                   (extract(epoch FROM a.created_at) * 1000)::bigint AS created_ms,
                   p.user_id, p.amount, p.currency, p.merchant_category
            FROM alerts a JOIN \(PredictionPartitions.alerted) p USING (transaction_id)
            WHERE a.alert_id = ANY($1::bigint[])
            """, [PostgresValue(array: ids.sorted().map { PostgresValue($0) })])
        var notices: [Int64: AlertNotice] = [:]
        let decoder = JSONDecoder()
        for row in rows {
            guard let id = try row.int64("alert_id") else { continue }
            let reasons =
                (try? decoder.decode([Reason].self, from: Data((try row.string("reasons") ?? "[]").utf8))) ?? []
            notices[id] = AlertNotice(
                alertID: String(id), transactionID: try row.string("transaction_id") ?? "",
                userPseudonym: Redaction.pseudonym(forUserID: try row.string("user_id") ?? ""),
                riskLevel: RiskLevel(rawValue: try row.string("risk_level") ?? "") ?? .medium,
                score: try row.double("ensemble") ?? 0, amount: try row.double("amount") ?? 0,
                currency: try row.string("currency") ?? "", merchantCategory: try row.string("merchant_category"),
                reasons: reasons, createdAtMillis: try row.int64("created_ms") ?? 0)
        }
        return notices
    }

    // MARK: - Send

    /// What one attempt came to.
    struct Outcome: Sendable {
        var deliveryID: String
        var channel: String
        var decision: DeliveryDecision
    }

    /// Renders and sends one claimed row; never throws (a rendering failure is a dead letter).
    func deliver(
        _ claim: Claim, notices: [Int64: AlertNotice], renderer: NotificationRenderer, sender: NotificationSender
    ) async -> Outcome {
        guard let channel = routing.channels[claim.channel] else {
            return Outcome(
                deliveryID: claim.deliveryID, channel: claim.channel,
                decision: .dead(status: nil, error: "channel '\(claim.channel)' is not in the routing file"))
        }
        let kind: NotificationMessage.Kind =
            switch claim.eventType {
            case "alert.followup": .followUp
            case "alert.resolved": .resolve
            default: .alert
            }
        let message = NotificationMessage(
            eventID: claim.deliveryID, kind: kind, alerts: claim.alertIDs.compactMap { notices[$0] },
            createdUnix: claim.createdUnix, groupWindowSeconds: claim.groupWindowSeconds,
            incidentAlertID: String(claim.incidentAlertID))
        let request: OutgoingRequest
        do {
            request = try renderer.render(message, for: channel, now: Int64(Date().timeIntervalSince1970))
        } catch {
            return Outcome(
                deliveryID: claim.deliveryID, channel: claim.channel, decision: .dead(status: nil, error: "\(error)"))
        }
        let result = await sender.send(request, timeout: channel.timeout)
        let decision = configuration.policy.decide(result, attempt: claim.attempts, maxAttempts: channel.maxAttempts)
        return Outcome(deliveryID: claim.deliveryID, channel: claim.channel, decision: decision)
    }

    // MARK: - Record

    /// Writes `outcomes` in one statement (one array per column). An outcome is written only while its row is
    /// still `delivering` and leased to this dispatcher.
    func record(_ outcomes: [Outcome], in database: PostgresClient) async throws {
        var ids: [PostgresValue?] = []
        var states: [PostgresValue?] = []
        var delays: [PostgresValue?] = []
        var statuses: [PostgresValue?] = []
        var errors: [PostgresValue?] = []
        for outcome in outcomes {
            let state: String
            var delay = 0.0
            var status: Int?
            var error: String?
            switch outcome.decision {
            case .delivered(let code):
                state = "delivered"
                status = code
            case .retry(let after, let code, let message):
                state = "pending"
                delay = after.inSeconds
                status = code
                error = message
            case .dead(let code, let message):
                state = "dead"
                status = code
                error = message
            }
            if state == "dead" {
                logger.error(
                    "notification dead-lettered",
                    metadata: [
                        "delivery": "\(outcome.deliveryID)", "channel": "\(outcome.channel)", "error": "\(error ?? "")",
                    ])
            }
            ids.append(PostgresValue(outcome.deliveryID))
            states.append(PostgresValue(state))
            delays.append(PostgresValue(delay))
            statuses.append(status.map { PostgresValue($0) })
            errors.append(error.map { PostgresValue(String($0.prefix(1000))) })
        }
        try await database.execute(
            """
            UPDATE notification_deliveries n
            SET state = r.state,
                next_attempt_at = CASE WHEN r.state = 'pending' THEN now() + make_interval(secs => r.delay)
                                       ELSE n.next_attempt_at END,
                lease_until = NULL, lease_owner = NULL, last_status = r.status, last_error = r.error,
                delivered_at = CASE WHEN r.state = 'delivered' THEN now() ELSE n.delivered_at END
            FROM unnest($1::uuid[], $2::text[], $3::float8[], $4::integer[], $5::text[])
                AS r(delivery_id, state, delay, status, error)
            WHERE n.delivery_id = r.delivery_id AND n.lease_owner = $6 AND n.state = 'delivering'
            """,
            [
                PostgresValue(array: ids), PostgresValue(array: states), PostgresValue(array: delays),
                PostgresValue(array: statuses), PostgresValue(array: errors), PostgresValue(owner),
            ])
        // Counted once written, so the counters never run ahead of the outbox.
        for outcome in outcomes {
            OutboxMetrics.countAttempt(channel: outcome.channel, outcome: outcome.decision.outcomeLabel)
        }
    }
}

extension DeliveryDecision {
    /// The `outcome` label of `txad_notification_deliveries_total`.
    var outcomeLabel: String {
        switch self {
        case .delivered: "delivered"
        case .retry: "retry"
        case .dead: "dead"
        }
    }
}

import AsyncHTTPClient
import Domain
import Foundation
import Logging
import Metrics
import Notifications
import ServiceKit
import ServiceLifecycle
import Stores

/// Delivers the outbox: claims due rows with expiring leases, renders and sends them, records the outcome.
///
/// Safe with several replicas: rows are claimed with `FOR UPDATE SKIP LOCKED` and leased until `lease_until`; a
/// replica killed mid-delivery leaves its rows `delivering` with a lease that expires, and another replica (or the
/// same one restarted) takes them again. Delivery is therefore at-least-once: receivers de-duplicate by event id
/// (webhook `Idempotency-Key`) or `dedup_key` (PagerDuty). An outcome is written only while the row is still
/// leased to this dispatcher, so a late answer never overwrites a newer attempt's.
///
/// ``Configuration/workers`` loops each claim up to ``Configuration/batchSize`` rows and send them concurrently, so
/// one slow receiver holds up one batch, not the outbox. All requests go through one shared `HTTPClient`, shut
/// down when the service stops. Idle workers wait for the outbox's `NOTIFY` (sent on commit by every insert into
/// it and every re-queue, received through a `PostgresListener`) or at most ``Configuration/idleInterval``, which
/// picks up retries and follow-ups that fall due later.
struct NotificationDispatcher: Service {
    /// Tuning; the defaults suit one alerts replica on a small machine.
    struct Configuration: Sendable {
        /// Concurrent claim-and-send loops. Default 4.
        var workers: Int = 4
        /// Rows per claim. Default 128.
        var batchSize: Int = 128
        /// Longest wait when nothing is due and no `NOTIFY` arrived: how late a retry or follow-up may be sent
        /// after it fell due. Default 1 s.
        var idleInterval: Duration = .seconds(1)
        /// Wake on the outbox's `NOTIFY` (a dedicated `LISTEN` connection). Default true; without it workers
        /// poll every ``idleInterval``.
        var listens = true
        /// How long a claim lasts before another dispatcher may take the row. Must exceed the longest channel
        /// timeout. Default 60 s.
        var lease: Duration = .seconds(60)
        /// Retry rules (backoff base and cap).
        var policy = DeliveryPolicy()
    }

    let database: PostgresClient
    let routing: RoutingConfiguration
    let configuration: Configuration
    let owner: String
    let isReady: @Sendable () -> Bool
    let logger: Logger

    init(
        database: PostgresClient, routing: RoutingConfiguration, configuration: Configuration = .init(),
        owner: String =
            "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)/\(UUID().uuidString.prefix(8))",
        isReady: @escaping @Sendable () -> Bool = { true }, logger: Logger
    ) {
        self.database = database
        self.routing = routing
        self.configuration = configuration
        self.owner = owner
        self.isReady = isReady
        self.logger = logger
    }

    func run() async throws {
        let listener =
            configuration.listens
            ? try PostgresListener(
                configuration: database.configuration, channel: NotificationOutbox.wakeChannel, logger: logger) : nil
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        clientConfiguration.redirectConfiguration = .disallow
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        let sender = NotificationSender(client: client)
        let wakeup = OutboxWakeup()
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<max(1, configuration.workers) {
                    group.addTask { await self.workLoop(sender: sender, wakeup: wakeup) }
                }
                if let listener {
                    group.addTask {
                        // Every event (a NOTIFY, or LISTEN re-established after a gap) is a reason to claim again.
                        await cancelWhenGracefulShutdown {
                            for await _ in listener.events() { wakeup.signal() }
                        }
                    }
                }
                await group.waitForAll()
            }
        } onGracefulShutdown: {
            wakeup.signal()
        }
        try await client.shutdown()
    }

    private var stopping: Bool { Task.isCancelled || Task.isShuttingDownGracefully }

    private func workLoop(sender: NotificationSender, wakeup: OutboxWakeup) async {
        while !stopping {
            let seen = wakeup.generation
            var claimed = 0
            if isReady() {
                do {
                    claimed = try await deliverBatch(sender: sender)
                } catch {
                    logger.warning("notification dispatch round failed; retrying", metadata: ["error": "\(error)"])
                }
            }
            if claimed < configuration.batchSize { await wakeup.wait(after: seen, upTo: configuration.idleInterval) }
        }
    }

    /// One round: claim, send, record. Returns the number of rows claimed.
    @discardableResult
    func deliverBatch(sender: NotificationSender) async throws -> Int {
        let claims = try await claim()
        guard !claims.isEmpty else { return 0 }
        let notices = try await loadNotices(Set(claims.flatMap(\.alertIDs)))
        let renderer = NotificationRenderer(linkBaseURL: routing.linkBaseURL)
        let outcomes = await withTaskGroup(of: Outcome.self, returning: [Outcome].self) { group in
            for claim in claims {
                group.addTask { await self.deliver(claim, notices: notices, renderer: renderer, sender: sender) }
            }
            var all: [Outcome] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        try await record(outcomes)
        return claims.count
    }

    // MARK: - Claim

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

    private func claim() async throws -> [Claim] {
        let rows = try await database.query(
            """
            WITH due AS (
                SELECT d.delivery_id FROM notification_deliveries d
                WHERE d.state IN ('pending', 'delivering') AND d.next_attempt_at <= now()
                  AND (d.lease_until IS NULL OR d.lease_until < now())
                  AND NOT (d.event_type = 'alert.resolved' AND EXISTS (
                      SELECT 1 FROM notification_deliveries t
                      WHERE t.channel = d.channel AND coalesce(t.incident_alert_id, t.alert_id) = d.alert_id
                        AND t.event_type <> 'alert.resolved' AND t.state IN ('pending', 'delivering')))
                ORDER BY d.next_attempt_at
                LIMIT $1
                FOR UPDATE SKIP LOCKED)
            UPDATE notification_deliveries n
            SET state = 'delivering', lease_owner = $2, lease_until = now() + make_interval(secs => $3::float8),
                attempts = n.attempts + 1, last_attempt_at = now()
            FROM due WHERE n.delivery_id = due.delivery_id
            RETURNING n.delivery_id, n.channel, n.event_type, n.attempts, n.alert_id,
                      array_to_string(coalesce(n.alert_ids, ARRAY[n.alert_id]), ',') AS alert_ids,
                      n.group_window_seconds, extract(epoch FROM n.created_at)::bigint AS created_unix,
                      coalesce(n.incident_alert_id, n.alert_id) AS incident_alert_id
            """,
            [
                PostgresValue(configuration.batchSize), PostgresValue(owner),
                PostgresValue(configuration.lease.inSeconds),
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

    private func loadNotices(_ ids: Set<Int64>) async throws -> [Int64: AlertNotice] {
        let rows = try await database.query(
            """
            SELECT a.alert_id, a.transaction_id, a.risk_level, a.ensemble, a.reasons,
                   (extract(epoch FROM a.created_at) * 1000)::bigint AS created_ms,
                   p.user_id, p.amount, p.currency, p.merchant_category
            FROM alerts a JOIN \(PredictionPartitions.alerted) p USING (transaction_id)
            WHERE a.alert_id = ANY($1::bigint[])
            """, [PostgresValue(array: ids.sorted().map { PostgresValue($0) })])
        var notices: [Int64: AlertNotice] = [:]
        for row in rows {
            guard let id = try row.int64("alert_id") else { continue }
            let reasons =
                (try? JSONDecoder().decode([Reason].self, from: Data((try row.string("reasons") ?? "[]").utf8))) ?? []
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

    struct Outcome: Sendable {
        var deliveryID: String
        var channel: String
        var decision: DeliveryDecision
    }

    private func deliver(
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

    private func record(_ outcomes: [Outcome]) async throws {
        let sets: [[PostgresValue?]] = outcomes.map { outcome in
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
            OutboxMetrics.countAttempt(channel: outcome.channel, outcome: state == "pending" ? "retry" : state)
            if state == "dead" {
                logger.error(
                    "notification dead-lettered",
                    metadata: [
                        "delivery": "\(outcome.deliveryID)", "channel": "\(outcome.channel)", "error": "\(error ?? "")",
                    ])
            }
            return [
                PostgresValue(outcome.deliveryID), PostgresValue(state), PostgresValue(delay),
                status.map { PostgresValue($0) },
                error.map { PostgresValue(String($0.prefix(1000))) }, PostgresValue(owner),
            ]
        }
        try await database.executeBatch(
            """
            UPDATE notification_deliveries
            SET state = $2,
                next_attempt_at = CASE WHEN $2 = 'pending' THEN now() + make_interval(secs => $3::float8)
                                       ELSE next_attempt_at END,
                lease_until = NULL, lease_owner = NULL, last_status = $4::integer, last_error = $5,
                delivered_at = CASE WHEN $2 = 'delivered' THEN now() ELSE delivered_at END
            WHERE delivery_id = $1::uuid AND lease_owner = $6 AND state = 'delivering'
            """, sets)
    }
}

import Domain
import Foundation
import Stores
import Wire

/// `txad.v1.Reviews`: the analysts' review API over the alerts database — browsing alerts, the pending queue with
/// its SLA, claims, decisions (``ReviewDecisions``) and review statistics (``ReviewStatistics``).
///
/// Served by the alerts process beside ``AlertsService`` (register both with the ``RPCServer``). Every method maps
/// PostgreSQL being unreachable to `UNAVAILABLE`; the gateway turns the codes into HTTP statuses.
public struct ReviewService: Reviews.ServiceProtocol {
    let database: PostgresClient
    /// The SLA per risk level and the claim duration.
    public let policy: ReviewPolicy

    /// Largest page of `ListAlerts` and `Queue`.
    public static let maximumPageSize = 200
    /// Page size when the request names none.
    public static let defaultPageSize = 50

    /// Creates the service over the alerts database.
    public init(database: PostgresClient, policy: ReviewPolicy = ReviewPolicy()) {
        self.database = database
        self.policy = policy
    }

    var decisions: ReviewDecisions { ReviewDecisions(database: database, policy: policy) }

    // MARK: browsing

    public func listAlerts(_ request: ListAlertsRequest, context: RPCContext) async throws -> ListAlertsResponse {
        try await Self.mappingStoreErrors {
            let limit = try Self.pageSize(request.limit)
            let cursor = try request.cursor.isEmpty ? nil : AlertCursor(encoded: request.cursor)
            let status: String? =
                switch request.status {
                case .unspecified: nil
                case .pending, .confirmedFraud, .legitimate: request.status.description
                case .unrecognized(let n): throw RPCError(code: .invalidArgument, message: "status \(n) is unknown")
                }
            // The page's ids from `alerts` alone first, then the join for those rows only: the plan stays bounded by
            // the page even with stale statistics (right after a bulk load the planner joined every matching alert
            // before sorting — 65 ms at 10 k alerts instead of a few).
            let rows = try await database.query(
                """
                SELECT \(ReviewQueue.columns),
                    (extract(epoch FROM a.created_at) * 1000000)::bigint AS created_us
                FROM (
                    SELECT a.alert_id FROM alerts a
                    WHERE ($1::text IS NULL OR a.status = $1)
                      AND ($2::text IS NULL OR a.risk_level = $2)
                      AND ($3::text IS NULL OR a.transaction_id IN (
                          SELECT transaction_id FROM \(PredictionPartitions.alerted) WHERE user_id = $3))
                      AND ($4::timestamptz IS NULL OR a.created_at >= $4)
                      AND ($5::timestamptz IS NULL OR a.created_at < $5)
                      AND ($6::bigint IS NULL
                           OR (a.created_at, a.alert_id)
                              < (timestamptz 'epoch' + $6::bigint * interval '1 microsecond', $7::bigint))
                    ORDER BY a.created_at DESC, a.alert_id DESC
                    LIMIT $8
                ) AS page
                JOIN alerts a USING (alert_id) JOIN \(PredictionPartitions.alerted) p USING (transaction_id)
                ORDER BY a.created_at DESC, a.alert_id DESC
                """,
                [
                    status.map { PostgresValue($0) }, request.riskLevel.map { PostgresValue($0.rawValue) },
                    request.userID.isEmpty ? nil : PostgresValue(request.userID),
                    Self.timestamp(request.sinceMillis), Self.timestamp(request.untilMillis),
                    cursor.map { PostgresValue($0.createdMicros) }, cursor.map { PostgresValue($0.alertID) },
                    PostgresValue(limit + 1),
                ])
            var items = try rows.map { try ReviewQueue.item(from: $0, policy: policy) }
            var next = ""
            if items.count > limit, let last = rows.dropLast().last {
                items.removeLast()
                next =
                    AlertCursor(
                        createdMicros: try last.int64("created_us") ?? 0,
                        alertID: Int64(try last.string("alert_id") ?? "") ?? 0
                    ).encoded
            }
            return ListAlertsResponse(items: items, nextCursor: next)
        }
    }

    public func getAlert(_ request: GetAlertRequest, context: RPCContext) async throws -> GetAlertResponse {
        try await Self.mappingStoreErrors {
            let id = try Self.alertID(request.alertID)
            let recentLimit = request.recentLimit == 0 ? 20 : Int(request.recentLimit)
            guard recentLimit <= 100 else {
                throw RPCError(code: .invalidArgument, message: "recent_limit must be at most 100, got \(recentLimit)")
            }
            let item = try await ReviewQueue.item(id: id, in: database, policy: policy)
            let recent = try await database.query(
                """
                SELECT \(ReviewQueue.columns) FROM predictions p LEFT JOIN alerts a USING (transaction_id)
                WHERE p.user_id = $1 ORDER BY p.occurred_at DESC, p.transaction_id LIMIT $2
                """, [PostgresValue(item.alert.scored.transaction.userID), PostgresValue(recentLimit)])
            let deliveries = try await database.query(
                """
                SELECT delivery_id::text AS delivery_id, channel, channel_type, event_type, state, attempts,
                    last_status, last_error, (extract(epoch FROM created_at) * 1000)::bigint AS created_ms,
                    (extract(epoch FROM delivered_at) * 1000)::bigint AS delivered_ms
                FROM notification_deliveries WHERE alert_id = $1 ORDER BY created_at, delivery_id
                """, [PostgresValue(id)])
            let overrides = try await database.query(
                """
                SELECT analyst, (extract(epoch FROM overridden_at) * 1000)::bigint AS at_ms, from_status, to_status,
                    note
                FROM decision_overrides WHERE alert_id = $1 ORDER BY overridden_at, override_id
                """, [PostgresValue(id)])
            return GetAlertResponse(
                item: item, recentTransactions: try recent.map { try ReviewQueue.alert(from: $0).scored },
                deliveries: try deliveries.map { row in
                    AlertDelivery(
                        deliveryID: try row.string("delivery_id") ?? "", channel: try row.string("channel") ?? "",
                        channelType: try row.string("channel_type") ?? "",
                        eventType: try row.string("event_type") ?? "",
                        state: try row.string("state") ?? "",
                        attempts: UInt32(clamping: try row.int64("attempts") ?? 0),
                        lastStatus: Int32(clamping: try row.int64("last_status") ?? 0),
                        lastError: try row.string("last_error") ?? "",
                        createdAtMillis: try row.int64("created_ms") ?? 0,
                        deliveredAtMillis: try row.int64("delivered_ms") ?? 0)
                },
                overrides: try overrides.map { row in
                    DecisionOverride(
                        analyst: try row.string("analyst") ?? "", atMillis: try row.int64("at_ms") ?? 0,
                        fromDecision: ReviewQueue.decision(status: try row.string("from_status")),
                        toDecision: ReviewQueue.decision(status: try row.string("to_status")),
                        note: try row.string("note") ?? "")
                })
        }
    }

    // MARK: queue and claims

    public func queue(_ request: ReviewQueueRequest, context: RPCContext) async throws -> ReviewQueueResponse {
        try await Self.mappingStoreErrors {
            let limit = try Self.pageSize(request.limit)
            let risks = Self.risks(atLeast: request.minRisk)
            let minAge = PostgresValue(Int(request.minAgeMinutes))
            // Ids first, then the join (as in ``listAlerts(_:context:)``).
            let rows = try await database.query(
                """
                SELECT \(ReviewQueue.columns)
                FROM (
                    SELECT a.alert_id FROM alerts a
                    WHERE a.status = 'pending' AND a.risk_level = ANY($1::text[])
                      AND a.created_at <= now() - make_interval(mins => $4::int)
                    ORDER BY \(ReviewQueue.riskRank), a.created_at, a.alert_id LIMIT $2 OFFSET $3
                ) AS page
                JOIN alerts a USING (alert_id) JOIN \(PredictionPartitions.alerted) p USING (transaction_id)
                ORDER BY \(ReviewQueue.riskRank), a.created_at, a.alert_id
                """, [risks, PostgresValue(limit), PostgresValue(Int(request.offset)), minAge])
            // Totals from the counter tables (``AlertCounts``): bounded by an hour of alerts, not the backlog.
            let pending = "'{pending}'::text[]"
            let counts = try await database.query(
                """
                SELECT COALESCE(sum(n), 0)::bigint AS n, COALESCE(sum(breached), 0)::bigint AS breached
                FROM (
                    SELECT \(AlertCounts.countBefore(risk: "r", statuses: pending, cutoff: "age_cut", inclusive: true))
                            AS n,
                        CASE WHEN sla_cut <= age_cut
                            THEN \(AlertCounts.countBefore(risk: "r", statuses: pending, cutoff: "sla_cut"))
                            ELSE \(AlertCounts.countBefore(
                                risk: "r", statuses: pending, cutoff: "age_cut", inclusive: true))
                        END AS breached
                    FROM unnest($1::text[]) AS r,
                        LATERAL (
                            SELECT now() - make_interval(mins => $6::int) AS age_cut,
                                now() - make_interval(mins => (CASE r WHEN 'critical' THEN $2::int
                                    WHEN 'high' THEN $3::int WHEN 'medium' THEN $4::int ELSE $5::int END)) AS sla_cut
                        ) AS cuts
                ) AS per_risk
                """, [risks] + ReviewQueue.slaParameters(policy) + [minAge])
            return ReviewQueueResponse(
                items: try rows.map { try ReviewQueue.item(from: $0, policy: policy) },
                total: UInt64(try counts.first?.int64("n") ?? 0),
                breached: UInt64(try counts.first?.int64("breached") ?? 0))
        }
    }

    public func claim(_ request: ClaimRequest, context: RPCContext) async throws -> ClaimResponse {
        try await Self.mappingStoreErrors {
            let id = try Self.alertID(request.alertID)
            let analyst = try Self.analyst(request.analyst)
            let claimed = try await database.query(
                """
                UPDATE alerts SET claimed_by = $2, claim_expires_at = now() + make_interval(mins => $3::int)
                WHERE alert_id = $1 AND status = 'pending'
                  AND (claimed_by IS NULL OR claim_expires_at <= now() OR claimed_by = $2)
                RETURNING alert_id
                """, [PostgresValue(id), PostgresValue(analyst), PostgresValue(policy.claimMinutes)])
            if claimed.isEmpty {
                let item = try await ReviewQueue.item(id: id, in: database, policy: policy)
                if item.alert.status != .pending {
                    throw RPCError(
                        code: .aborted,
                        message: "alert \(id) is already decided (\(item.alert.status)); nothing to claim")
                }
                throw RPCError(
                    code: .aborted,
                    message: "alert \(id) is claimed by \(item.claimedBy) until "
                        + RFC3339.format(millis: item.claimExpiresAtMillis))
            }
            return ClaimResponse(item: try await ReviewQueue.item(id: id, in: database, policy: policy))
        }
    }

    public func claimNext(_ request: ClaimRequest, context: RPCContext) async throws -> ClaimResponse {
        try await Self.mappingStoreErrors {
            let analyst = try Self.analyst(request.analyst)
            // SKIP LOCKED: analysts asking at the same time each lock (and so get) a different row.
            let claimed = try await database.query(
                """
                UPDATE alerts SET claimed_by = $1, claim_expires_at = now() + make_interval(mins => $2::int)
                WHERE alert_id = (
                    SELECT a.alert_id FROM alerts a
                    WHERE a.status = 'pending' AND a.risk_level = ANY($3::text[])
                      AND (a.claimed_by IS NULL OR a.claim_expires_at <= now())
                    ORDER BY \(ReviewQueue.riskRank), a.created_at, a.alert_id
                    LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING alert_id
                """,
                [PostgresValue(analyst), PostgresValue(policy.claimMinutes), Self.risks(atLeast: request.minRisk)])
            guard let id = try claimed.first?.int64("alert_id") else { return ClaimResponse(item: nil) }
            return ClaimResponse(item: try await ReviewQueue.item(id: id, in: database, policy: policy))
        }
    }

    // MARK: decisions and statistics

    public func decide(_ request: ReviewDecideRequest, context: RPCContext) async throws -> ReviewDecideResponse {
        try await Self.mappingStoreErrors { try await decisions.decide(request) }
    }

    public func decideMany(_ request: DecideManyRequest, context: RPCContext) async throws -> DecideManyResponse {
        guard request.items.count <= ReviewDecisions.maximumBulk else {
            throw RPCError(
                code: .invalidArgument,
                message: "at most \(ReviewDecisions.maximumBulk) decisions per call, got \(request.items.count)")
        }
        var results: [DecideResult] = []
        results.reserveCapacity(request.items.count)
        for item in request.items {
            do {
                let response = try await Self.mappingStoreErrors { try await decisions.decide(item) }
                results.append(DecideResult(response: response))
            } catch let error as RPCError {
                if error.code == .unavailable { throw error }
                results.append(DecideResult(status: RPCStatus(code: error.code, message: error.message)))
            }
        }
        return DecideManyResponse(results: results)
    }

    public func stats(_ request: ReviewStatsRequest, context: RPCContext) async throws -> ReviewStatsResponse {
        try await Self.mappingStoreErrors { try await ReviewStatistics(database: database, policy: policy).compute() }
    }

    // MARK: helpers

    /// Runs `body`, turning PostgreSQL being down into `UNAVAILABLE` and other store errors into `INTERNAL`.
    static func mappingStoreErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as StoreError where error.code == .unavailable || error.code == .shutDown {
            throw RPCError(code: .unavailable, message: "PostgreSQL is unavailable: \(error.message)")
        } catch let error as StoreError {
            throw RPCError(code: .internalError, message: "database error: \(error.message)")
        }
    }

    static func alertID(_ text: String) throws -> Int64 {
        guard let id = Int64(text), id > 0 else {
            throw RPCError(code: .invalidArgument, message: "alert_id must be a positive number, got '\(text)'")
        }
        return id
    }

    static func analyst(_ name: String) throws -> String {
        guard !name.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "analyst is required: reviews record who acted")
        }
        return name
    }

    static func pageSize(_ limit: UInt32) throws -> Int {
        guard limit <= maximumPageSize else {
            throw RPCError(code: .invalidArgument, message: "limit must be at most \(maximumPageSize), got \(limit)")
        }
        return limit == 0 ? defaultPageSize : Int(limit)
    }

    static func risks(atLeast minimum: RiskLevel?) -> PostgresValue {
        PostgresValue(
            array: RiskLevel.allCases.filter { $0 >= (minimum ?? .low) }.map { PostgresValue($0.rawValue) })
    }

    static func timestamp(_ millis: Int64) -> PostgresValue? {
        millis == 0 ? nil : PostgresValue(RFC3339.format(millis: millis))
    }
}

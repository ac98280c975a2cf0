import Domain
import Foundation
import Notifications
import ServiceKit
import Stores

/// The transactional outbox of notifications in `notification_deliveries` (SPEC §5).
///
/// Rows are written in the transaction that records their alerts (``enqueue(_:routing:in:)``) or decides them
/// (``enqueueResolutions(alertID:in:)``), so an alert is never recorded without its notifications nor notified
/// without being recorded; ``NotificationDispatcher`` delivers them.
///
/// States: `pending` (waiting for `next_attempt_at`) → `delivering` (leased by a dispatcher until `lease_until`) →
/// `delivered`, or back to `pending` after a retryable failure, or `dead` (a final 4xx, or `max_attempts`
/// retryable failures; the last status and error are kept). Event types: `alert.created` (the first alert of a
/// user on a channel within the group window, sent at once), `alert.followup` (the user's further alerts, gathered
/// in `alert_ids` and sent when the window closes or the hourly cap allows), `alert.resolved` (PagerDuty resolve).
enum NotificationOutbox {
    /// Per-user grouping and the hourly cap, decided under a transaction-scoped advisory lock per channel and user
    /// (concurrent transactions for one user serialize; others do not wait). Part of migration 11: never edit it,
    /// replace it in a later migration (``migration12`` did: the cap counts sent notifications, incident keys).
    ///
    /// - Joins the user's follow-up on this channel if one is waiting (never attempted, not re-queued);
    /// - else, if an `alert.created` row of this user and channel is younger than the window, starts a follow-up
    ///   due when that window ends;
    /// - the hourly cap: with `max_per_hour` rows already created in the last hour, the notification becomes a
    ///   follow-up due when the oldest of them is an hour old (nothing is dropped: it is delayed and grouped);
    /// - otherwise an `alert.created` row due now.
    static let enqueueFunction = #"""
        CREATE FUNCTION txad_enqueue_notification(
            p_alert bigint, p_channel text, p_type text, p_user text, p_window integer, p_max integer
        ) RETURNS void LANGUAGE plpgsql AS $$
        DECLARE
            v_first  timestamptz;
            v_due    timestamptz;
            v_count  integer;
            v_oldest timestamptz;
        BEGIN
            PERFORM pg_advisory_xact_lock(hashtextextended('txad-notify/' || p_channel || '/' || p_user, 0));
            UPDATE notification_deliveries SET alert_ids = array_append(alert_ids, p_alert)
             WHERE channel = p_channel AND user_key = p_user AND event_type = 'alert.followup'
               AND state = 'pending' AND attempts = 0 AND last_attempt_at IS NULL;
            IF FOUND THEN
                RETURN;
            END IF;
            IF p_window > 0 THEN
                SELECT min(created_at) INTO v_first FROM notification_deliveries
                 WHERE channel = p_channel AND user_key = p_user AND event_type = 'alert.created'
                   AND created_at > now() - make_interval(secs => p_window);
                IF v_first IS NOT NULL THEN
                    v_due := v_first + make_interval(secs => p_window);
                END IF;
            END IF;
            SELECT count(*), min(created_at) INTO v_count, v_oldest FROM notification_deliveries
             WHERE channel = p_channel AND user_key = p_user AND event_type <> 'alert.resolved'
               AND created_at > now() - interval '1 hour';
            IF v_count >= p_max THEN
                v_due := greatest(coalesce(v_due, now()), v_oldest + interval '1 hour');
            END IF;
            INSERT INTO notification_deliveries (
                delivery_id, alert_id, channel, channel_type, event_type, next_attempt_at, user_key, alert_ids,
                group_window_seconds)
            VALUES (
                gen_random_uuid(), p_alert, p_channel, p_type,
                CASE WHEN v_due IS NULL THEN 'alert.created' ELSE 'alert.followup' END,
                coalesce(v_due, now()), p_user, ARRAY[p_alert], p_window);
        END
        $$;
        """#

    /// An alert the transaction has just inserted (not one that was already there), with what routing needs.
    struct NewAlert: Sendable {
        var alertID: Int64
        var item: ScoredTransaction
    }

    /// Enqueues the notifications `routing` asks for, for alerts inserted by `transaction`.
    ///
    /// Called only for newly inserted alerts (the insert's `RETURNING`), so a replayed spool or a retried call
    /// never enqueues twice. Rows are locked in (user, channel) order so two transactions cannot deadlock.
    static func enqueue(_ alerts: [NewAlert], routing: RoutingConfiguration, in transaction: PostgresTransaction)
        async throws
    {
        struct Row {
            var alertID: Int64
            var channel: RoutingConfiguration.RoutedChannel
            var user: String
        }
        var rows: [Row] = []
        for alert in alerts {
            let score = alert.item.score
            let routed = routing.channels(
                riskLevel: score.riskLevel, reasonCodes: score.reasons.map(\.code),
                amount: alert.item.transaction.amount)
            let user = Redaction.pseudonym(forUserID: alert.item.transaction.userID)
            rows += routed.map { Row(alertID: alert.alertID, channel: $0, user: user) }
        }
        guard !rows.isEmpty else { return }
        rows.sort { ($0.user, $0.channel.name, $0.alertID) < ($1.user, $1.channel.name, $1.alertID) }
        try await transaction.execute(
            """
            SELECT txad_enqueue_notification(a, c, t, u, w, m)
            FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::integer[], $6::integer[])
                AS x(a, c, t, u, w, m)
            """,
            [
                PostgresValue(array: rows.map { PostgresValue($0.alertID) }),
                PostgresValue(array: rows.map { PostgresValue($0.channel.name) }),
                PostgresValue(array: rows.map { PostgresValue($0.channel.type.rawValue) }),
                PostgresValue(array: rows.map { PostgresValue($0.user) }),
                PostgresValue(array: rows.map { PostgresValue($0.channel.groupWindowSeconds) }),
                PostgresValue(array: rows.map { PostgresValue($0.channel.maxPerHour) }),
            ])
    }

    /// When an alert is decided `legitimate`: a PagerDuty `resolve` for every incident that carries it (one per
    /// PagerDuty channel) once every alert of that incident is decided legitimate — the alert that opened it and
    /// those its follow-ups added. The resolve has the incident's `dedup_key`; none is enqueued twice while one is
    /// still waiting. The dispatcher sends a resolve only after the incident's triggers left
    /// `pending`/`delivering`, so PagerDuty never sees them out of order.
    ///
    /// Call it inside the transaction that records the decision (after the alert's status was updated).
    @discardableResult
    static func enqueueResolutions(alertID: Int64, in transaction: PostgresTransaction) async throws -> Int {
        let users = try await transaction.query(
            "SELECT p.user_id FROM alerts a JOIN predictions p USING (transaction_id) WHERE a.alert_id = $1",
            [PostgresValue(alertID)])
        let user = try users.first.flatMap { try $0.string("user_id") }.map(Redaction.pseudonym(forUserID:)) ?? ""
        return try await transaction.execute(
            """
            INSERT INTO notification_deliveries (
                delivery_id, alert_id, channel, channel_type, event_type, user_key, alert_ids, incident_alert_id)
            SELECT gen_random_uuid(), i.incident, i.channel, 'pagerduty', 'alert.resolved', i.user_key,
                   ARRAY[i.incident], i.incident
            FROM (SELECT DISTINCT d.channel, d.user_key, coalesce(d.incident_alert_id, d.alert_id) AS incident
                  FROM notification_deliveries d
                  WHERE (d.alert_id = $1 OR d.user_key = $2) AND $1 = ANY(coalesce(d.alert_ids, ARRAY[d.alert_id]))
                    AND d.channel_type = 'pagerduty' AND d.event_type <> 'alert.resolved' AND d.state <> 'dead') i
            WHERE NOT EXISTS (
                  SELECT 1 FROM notification_deliveries m
                  JOIN alerts a ON a.alert_id = ANY(coalesce(m.alert_ids, ARRAY[m.alert_id]))
                  WHERE m.channel = i.channel AND coalesce(m.incident_alert_id, m.alert_id) = i.incident
                    AND m.event_type <> 'alert.resolved' AND m.state <> 'dead' AND a.status <> 'legitimate')
              AND NOT EXISTS (
                  SELECT 1 FROM notification_deliveries r
                  WHERE r.channel = i.channel AND coalesce(r.incident_alert_id, r.alert_id) = i.incident
                    AND r.event_type = 'alert.resolved' AND r.state IN ('pending', 'delivering'))
            """, [PostgresValue(alertID), PostgresValue(user)])
    }
}

extension NotificationOutbox {
    /// The `NOTIFY` channel the outbox wakes dispatchers on (a committed insert, or a re-queued row).
    static let wakeChannel = "txad_notification_outbox"

    /// Migration 12: the hourly cap counts sent (or scheduled) notifications instead of created rows; PagerDuty
    /// incidents get a key (`incident_alert_id`: the alert whose notification opened the user's incident, so a
    /// follow-up joins it); committed inserts and re-queued rows wake dispatchers with `NOTIFY`.
    ///
    /// `txad_enqueue_notification` keeps its signature and grouping rules (see ``enqueueFunction``) and changes two
    /// things:
    /// - the hourly cap counts rows that are not dead and whose send time — `delivered_at` once sent, else
    ///   `next_attempt_at` — falls in the last hour or later (a follow-up created long ago but sent a minute ago
    ///   counts; one still scheduled counts too); a capped notification is due an hour after the oldest of them;
    /// - an `alert.created` row opens an incident keyed by its own alert; a follow-up carries the key of the user's
    ///   latest `alert.created` row on the channel (PagerDuty `dedup_key`, so it is added to the open incident
    ///   instead of paging again).
    static let migration12 = #"""
        ALTER TABLE notification_deliveries ADD COLUMN incident_alert_id bigint;
        UPDATE notification_deliveries SET incident_alert_id = alert_id;
        CREATE INDEX notification_deliveries_incident
            ON notification_deliveries (channel, (coalesce(incident_alert_id, alert_id)));
        CREATE INDEX notification_deliveries_user_key ON notification_deliveries (user_key);
        CREATE OR REPLACE FUNCTION txad_enqueue_notification(
            p_alert bigint, p_channel text, p_type text, p_user text, p_window integer, p_max integer
        ) RETURNS void LANGUAGE plpgsql AS $$
        DECLARE
            v_first    timestamptz;
            v_due      timestamptz;
            v_count    integer;
            v_oldest   timestamptz;
            v_incident bigint;
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
            SELECT count(*), min(coalesce(delivered_at, next_attempt_at)) INTO v_count, v_oldest
              FROM notification_deliveries
             WHERE channel = p_channel AND user_key = p_user AND event_type <> 'alert.resolved' AND state <> 'dead'
               AND coalesce(delivered_at, next_attempt_at) > now() - interval '1 hour';
            IF v_count >= p_max THEN
                v_due := greatest(coalesce(v_due, now()), v_oldest + interval '1 hour');
            END IF;
            IF v_due IS NOT NULL THEN
                SELECT alert_id INTO v_incident FROM notification_deliveries
                 WHERE channel = p_channel AND user_key = p_user AND event_type = 'alert.created'
                 ORDER BY created_at DESC LIMIT 1;
            END IF;
            INSERT INTO notification_deliveries (
                delivery_id, alert_id, channel, channel_type, event_type, next_attempt_at, user_key, alert_ids,
                group_window_seconds, incident_alert_id)
            VALUES (
                gen_random_uuid(), p_alert, p_channel, p_type,
                CASE WHEN v_due IS NULL THEN 'alert.created' ELSE 'alert.followup' END,
                coalesce(v_due, now()), p_user, ARRAY[p_alert], p_window, coalesce(v_incident, p_alert));
        END
        $$;
        CREATE FUNCTION txad_notification_outbox_wake() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('\#(wakeChannel)', '');
            RETURN NULL;
        END
        $$;
        CREATE TRIGGER notification_deliveries_inserted AFTER INSERT ON notification_deliveries
            FOR EACH STATEMENT EXECUTE FUNCTION txad_notification_outbox_wake();
        CREATE TRIGGER notification_deliveries_requeued AFTER UPDATE OF state ON notification_deliveries
            FOR EACH ROW WHEN (OLD.state IN ('dead', 'delivered') AND NEW.state = 'pending')
            EXECUTE FUNCTION txad_notification_outbox_wake();
        """#
}

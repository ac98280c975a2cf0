import Credentials
import Registry
import Stores

/// The alerts database schema, as versioned migrations applied by the alerts service at start (under an advisory
/// lock, so several replicas starting together apply each once). The model registry's migrations (30–39) live in
/// the Registry module and are appended here: one migrator owns the database's one migration history. The list is
/// kept in version order.
enum AlertSchema {
    static let migrations: [Migration] =
        alertMigrations + RegistrySchema.migrations
        // 40–49: authentication (API keys), defined next to the store that reads them.
        + APIKeyStore.migrations + dataGrowthMigrations + counterMigrations

    /// 50–59: data growth. `predictions` partitioned by risk and day, with retention (``PredictionPartitions``).
    private static let dataGrowthMigrations: [Migration] = [PredictionPartitions.migration]

    /// 60–69: operations. Counter tables over `alerts` for `/stats` and the review queue (``AlertCounts``).
    private static let counterMigrations: [Migration] = [AlertCounts.migration]

    private static let alertMigrations: [Migration] = [
        Migration(
            version: 1, name: "create_predictions_and_alerts",
            sql: """
                CREATE TABLE predictions (
                    transaction_id    text PRIMARY KEY,
                    user_id           text NOT NULL,
                    occurred_at       timestamptz NOT NULL,
                    amount            double precision NOT NULL,
                    currency          text NOT NULL,
                    merchant_id       text,
                    merchant_category text,
                    channel           text,
                    latitude          double precision,
                    longitude         double precision,
                    country           text,
                    isolation_forest  double precision NOT NULL,
                    autoencoder       double precision NOT NULL,
                    ensemble          double precision NOT NULL,
                    is_anomaly        boolean NOT NULL,
                    risk_level        text NOT NULL CHECK (risk_level IN ('low', 'medium', 'high', 'critical')),
                    model_version     text NOT NULL,
                    degraded          boolean NOT NULL,
                    request_id        text NOT NULL,
                    scored_at         timestamptz NOT NULL,
                    recorded_at       timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX predictions_scored_at ON predictions (scored_at);
                CREATE TABLE alerts (
                    alert_id       bigserial PRIMARY KEY,
                    transaction_id text NOT NULL UNIQUE REFERENCES predictions (transaction_id),
                    risk_level     text NOT NULL CHECK (risk_level IN ('medium', 'high', 'critical')),
                    ensemble       double precision NOT NULL,
                    reasons        jsonb NOT NULL,
                    model_version  text NOT NULL,
                    status         text NOT NULL DEFAULT 'pending'
                                   CHECK (status IN ('pending', 'confirmed_fraud', 'legitimate')),
                    created_at     timestamptz NOT NULL DEFAULT now(),
                    decision_note  text,
                    decided_by     text,
                    decided_at     timestamptz
                );
                CREATE INDEX alerts_status_created ON alerts (status, created_at);
                """),
        // Version ranges per capability, so work developed side by side merges without renumbering:
        // 10–19 notifications and outbox, 20–29 review API, 30–39 model registry, 40–49 authentication,
        // 50–59 data growth (partitioning, retention), 60–69 operations (alert counters).
        Migration(
            version: 10, name: "create_notification_deliveries",
            sql: """
                CREATE TABLE notification_deliveries (
                    delivery_id     uuid PRIMARY KEY,
                    alert_id        bigint NOT NULL REFERENCES alerts (alert_id),
                    channel         text NOT NULL,
                    channel_type    text NOT NULL,
                    event_type      text NOT NULL,
                    state           text NOT NULL DEFAULT 'pending'
                                    CHECK (state IN ('pending', 'delivering', 'delivered', 'dead')),
                    attempts        integer NOT NULL DEFAULT 0,
                    next_attempt_at timestamptz NOT NULL DEFAULT now(),
                    lease_until     timestamptz,
                    last_status     integer,
                    last_error      text,
                    created_at      timestamptz NOT NULL DEFAULT now(),
                    delivered_at    timestamptz
                );
                CREATE INDEX notification_deliveries_due ON notification_deliveries (next_attempt_at)
                    WHERE state IN ('pending', 'delivering');
                CREATE INDEX notification_deliveries_alert ON notification_deliveries (alert_id);
                """),
        Migration(
            version: 11, name: "notification_outbox_grouping_and_leases",
            sql: """
                ALTER TABLE notification_deliveries
                    ADD COLUMN user_key             text,
                    ADD COLUMN alert_ids            bigint[],
                    ADD COLUMN group_window_seconds integer NOT NULL DEFAULT 0,
                    ADD COLUMN lease_owner          text,
                    ADD COLUMN last_attempt_at      timestamptz;
                CREATE INDEX notification_deliveries_user
                    ON notification_deliveries (channel, user_key, created_at);
                CREATE INDEX notification_deliveries_state ON notification_deliveries (state, created_at);
                \(NotificationOutbox.enqueueFunction)
                """),
        Migration(
            version: 12, name: "notification_cap_counts_sent_incident_keys_and_wake",
            sql: NotificationOutbox.migration12),
        Migration(
            version: 13, name: "notification_deliveries_due_per_channel",
            sql: """
                CREATE INDEX notification_deliveries_channel_due ON notification_deliveries (channel, next_attempt_at)
                    WHERE state IN ('pending', 'delivering');
                """),
        // 20–29: the review API.
        Migration(
            version: 20, name: "review_claims_idempotency_and_override_audit",
            sql: """
                ALTER TABLE alerts ADD COLUMN claimed_by text, ADD COLUMN claim_expires_at timestamptz;
                CREATE INDEX alerts_pending_queue ON alerts (created_at, alert_id) WHERE status = 'pending';
                CREATE INDEX alerts_created_desc ON alerts (created_at DESC, alert_id DESC);
                CREATE INDEX predictions_user_occurred ON predictions (user_id, occurred_at DESC);
                CREATE TABLE review_decision_requests (
                    analyst         text NOT NULL,
                    idempotency_key text NOT NULL,
                    alert_id        bigint NOT NULL,
                    decision        text NOT NULL,
                    note            text NOT NULL,
                    override        boolean NOT NULL,
                    response        bytea,
                    created_at      timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (analyst, idempotency_key)
                );
                CREATE TABLE decision_overrides (
                    override_id         bigserial PRIMARY KEY,
                    alert_id            bigint NOT NULL REFERENCES alerts (alert_id),
                    analyst             text NOT NULL,
                    overridden_at       timestamptz NOT NULL DEFAULT now(),
                    from_status         text NOT NULL,
                    to_status           text NOT NULL,
                    note                text NOT NULL,
                    previous_note       text,
                    previous_analyst    text,
                    previous_decided_at timestamptz
                );
                CREATE INDEX decision_overrides_alert ON decision_overrides (alert_id);
                """),
    ]
}

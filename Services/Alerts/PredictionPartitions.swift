import Stores

/// The layout of `predictions` that keeps it bounded (migration 50) and the SQL that maintains it.
///
/// `predictions` is partitioned by LIST on `risk_level`:
/// - `predictions_alerted` (medium, high, critical) holds exactly the predictions that became alerts. It is never
///   dropped: alerts and decisions are kept, `alerts.transaction_id` references it (unique there), and the review
///   queries join it directly (``alerted``), so they never touch the daily partitions.
/// - `predictions_low` is partitioned by RANGE on `occurred_at`, one partition per UTC day
///   (`predictions_low_YYYYMMDD`) plus a DEFAULT partition for days without one. The alerts service creates days
///   ahead and drops days older than the retention (``PredictionRetention``); dropping a day is a catalogue change,
///   not a `DELETE` of millions of rows.
///
/// Idempotency is by `(transaction_id, risk_level, occurred_at)` (the key must contain the partition keys): a replay
/// or retry carries the same values and is skipped. `/stats` counts come from `prediction_counts` (hourly, per
/// risk level, filled by a statement trigger from the rows each insert really added), so they cost the same at 10
/// M rows as at 10, and they outlive retention.
enum PredictionPartitions {
    /// The partition holding the predictions that are alerts; join it, not `predictions`, from `alerts`.
    static let alerted = "predictions_alerted"

    /// Days of partitions created ahead of today (UTC).
    static let daysAhead = 7

    static let migration = Migration(
        version: 50, name: "partition_predictions_by_risk_and_day",
        sql: """
            DROP INDEX IF EXISTS predictions_scored_at;
            DROP INDEX IF EXISTS predictions_user_occurred;
            ALTER TABLE predictions RENAME TO predictions_unpartitioned;
            ALTER INDEX predictions_pkey RENAME TO predictions_unpartitioned_pkey;
            ALTER TABLE alerts DROP CONSTRAINT IF EXISTS alerts_transaction_id_fkey;
            -- Same columns, defaults and checks, in the same order (so `SELECT *` copies), partitioned.
            CREATE TABLE predictions (
                LIKE predictions_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
                PRIMARY KEY (transaction_id, risk_level, occurred_at)
            ) PARTITION BY LIST (risk_level);
            CREATE INDEX predictions_scored_at ON predictions (scored_at);
            CREATE INDEX predictions_user_occurred ON predictions (user_id, occurred_at DESC);
            CREATE TABLE predictions_alerted PARTITION OF predictions FOR VALUES IN ('medium', 'high', 'critical');
            CREATE UNIQUE INDEX predictions_alerted_transaction ON predictions_alerted (transaction_id);
            CREATE TABLE predictions_low PARTITION OF predictions FOR VALUES IN ('low') PARTITION BY RANGE (occurred_at);
            CREATE TABLE predictions_low_default PARTITION OF predictions_low DEFAULT;

            CREATE TABLE prediction_counts (
                hour       timestamptz NOT NULL,
                risk_level text NOT NULL,
                shard      integer NOT NULL,
                n          bigint NOT NULL,
                anomalies  bigint NOT NULL,
                PRIMARY KEY (hour, risk_level, shard)
            );
            -- One row per (hour, risk, backend): concurrent writers never wait on each other's counter row.
            -- The shards of past hours are folded into shard 0 by txad_maintain_predictions.
            CREATE FUNCTION txad_count_predictions() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO prediction_counts (hour, risk_level, shard, n, anomalies)
                SELECT date_trunc('hour', scored_at, 'UTC'), risk_level, pg_backend_pid(), count(*),
                    count(*) FILTER (WHERE is_anomaly)
                FROM added GROUP BY 1, 2
                ON CONFLICT (hour, risk_level, shard) DO UPDATE
                    SET n = prediction_counts.n + excluded.n, anomalies = prediction_counts.anomalies + excluded.anomalies;
                RETURN NULL;
            END $$;
            CREATE TRIGGER predictions_count AFTER INSERT ON predictions REFERENCING NEW TABLE AS added
                FOR EACH STATEMENT EXECUTE FUNCTION txad_count_predictions();

            -- Creates the daily partitions of [first_day, first_day + days) that are missing, moving rows of those
            -- days out of the DEFAULT partition first (attaching would fail otherwise). Returns how many it created.
            CREATE FUNCTION txad_create_prediction_partitions(first_day date, days integer) RETURNS integer
            LANGUAGE plpgsql AS $$
            DECLARE
                day date;
                part text;
                low timestamptz;
                high timestamptz;
                created integer := 0;
            BEGIN
                FOR i IN 0 .. days - 1 LOOP
                    day := first_day + i;
                    part := 'predictions_low_' || to_char(day, 'YYYYMMDD');
                    CONTINUE WHEN to_regclass(part) IS NOT NULL;
                    low := day::timestamp AT TIME ZONE 'UTC';
                    high := (day + 1)::timestamp AT TIME ZONE 'UTC';
                    EXECUTE format('CREATE TABLE %I (LIKE predictions_low INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
                    EXECUTE format(
                        'WITH moved AS (DELETE FROM predictions_low_default WHERE occurred_at >= %L AND occurred_at < %L '
                        'RETURNING *) INSERT INTO %I SELECT * FROM moved', low, high, part);
                    EXECUTE format('ALTER TABLE predictions_low ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                        part, low, high);
                    created := created + 1;
                END LOOP;
                RETURN created;
            END $$;

            -- Drops the daily partitions wholly before cutoff (UTC midnight), deletes the DEFAULT partition's rows
            -- before it, and folds past hours' counter shards. Returns how many partitions it dropped.
            CREATE FUNCTION txad_drop_prediction_partitions(cutoff date) RETURNS integer
            LANGUAGE plpgsql AS $$
            DECLARE
                part record;
                dropped integer := 0;
            BEGIN
                FOR part IN
                    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                    WHERE i.inhparent = 'predictions_low'::regclass AND c.relname ~ '^predictions_low_[0-9]{8}$'
                      AND to_date(right(c.relname, 8), 'YYYYMMDD') < cutoff
                    ORDER BY c.relname
                LOOP
                    EXECUTE format('DROP TABLE %I', part.relname);
                    dropped := dropped + 1;
                END LOOP;
                DELETE FROM predictions_low_default WHERE occurred_at < cutoff::timestamp AT TIME ZONE 'UTC';
                WITH folded AS (
                    DELETE FROM prediction_counts
                    WHERE shard <> 0 AND hour < date_trunc('hour', now(), 'UTC') - interval '1 hour'
                    RETURNING hour, risk_level, n, anomalies
                )
                INSERT INTO prediction_counts (hour, risk_level, shard, n, anomalies)
                SELECT hour, risk_level, 0, sum(n), sum(anomalies) FROM folded GROUP BY 1, 2
                ON CONFLICT (hour, risk_level, shard) DO UPDATE
                    SET n = prediction_counts.n + excluded.n, anomalies = prediction_counts.anomalies + excluded.anomalies;
                RETURN dropped;
            END $$;

            -- Existing rows: days from the oldest (at most a year back) to a week ahead get partitions; older rows
            -- land in DEFAULT until retention deletes them. The insert fires the counting trigger: counts backfill.
            SELECT txad_create_prediction_partitions(first_day, today + \(daysAhead + 1) - first_day)
            FROM (
                SELECT today, GREATEST(COALESCE(oldest, today), today - 366) AS first_day
                FROM (
                    SELECT (now() AT TIME ZONE 'UTC')::date AS today,
                        ((SELECT min(occurred_at) FROM predictions_unpartitioned WHERE risk_level = 'low')
                            AT TIME ZONE 'UTC')::date AS oldest
                ) AS bounds
            ) AS days;
            INSERT INTO predictions SELECT * FROM predictions_unpartitioned;
            DROP TABLE predictions_unpartitioned;
            ALTER TABLE alerts ADD CONSTRAINT alerts_transaction_id_fkey
                FOREIGN KEY (transaction_id) REFERENCES predictions_alerted (transaction_id);
            CREATE INDEX alerts_pending_risk_queue ON alerts (
                (CASE risk_level WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END),
                created_at, alert_id) WHERE status = 'pending';
            CREATE INDEX alerts_pending_risk ON alerts (risk_level, created_at) WHERE status = 'pending';
            """)

    /// Predictions (`n`) and anomalies per `risk_level` scored at or after `$1` (timestamptz): whole hours from
    /// `prediction_counts`; when `sinceMillis` is not on an hour, the rest of its hour from `predictions` (through
    /// each partition's `scored_at` index). `/stats` asks from the epoch: 4 rows of `prediction_totals`.
    static func countsSince(_ sinceMillis: Int64) -> String {
        // All time: the totals of migration 60 (`prediction_totals`, filled by the same trigger); no parameter.
        guard sinceMillis != 0 else {
            return """
                SELECT risk_level, sum(n)::bigint AS n, sum(anomalies)::bigint AS anomalies FROM prediction_totals
                GROUP BY risk_level
                """
        }
        let wholeHours = "SELECT risk_level, n, anomalies FROM prediction_counts WHERE hour >= $1::timestamptz"
        guard sinceMillis % 3_600_000 != 0 else {
            return "SELECT risk_level, sum(n)::bigint AS n, sum(anomalies)::bigint AS anomalies FROM (\(wholeHours))"
                + " AS counts GROUP BY risk_level"
        }
        return """
            SELECT risk_level, sum(n)::bigint AS n, sum(anomalies)::bigint AS anomalies
            FROM (
                SELECT risk_level, n, anomalies FROM prediction_counts
                WHERE hour > date_trunc('hour', $1::timestamptz, 'UTC')
                UNION ALL
                SELECT risk_level, count(*), count(*) FILTER (WHERE is_anomaly) FROM predictions
                WHERE scored_at >= $1::timestamptz
                  AND scored_at < date_trunc('hour', $1::timestamptz, 'UTC') + interval '1 hour'
                GROUP BY risk_level
            ) AS counts
            GROUP BY risk_level
            """
    }

    /// Creates partitions from yesterday to ``daysAhead`` days ahead and drops those older than `retentionDays`
    /// (UTC days); returns (created, dropped).
    static func maintain(database: PostgresClient, retentionDays: Int) async throws -> (created: Int, dropped: Int) {
        let rows = try await database.query(
            """
            SELECT txad_create_prediction_partitions(
                    (now() AT TIME ZONE 'UTC')::date - 1, \(daysAhead + 2)) AS created,
                txad_drop_prediction_partitions((now() AT TIME ZONE 'UTC')::date - $1::int) AS dropped
            """, [PostgresValue(retentionDays)])
        return (Int(try rows.first?.int64("created") ?? 0), Int(try rows.first?.int64("dropped") ?? 0))
    }
}

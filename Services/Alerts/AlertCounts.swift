import Stores

/// Counter tables over `alerts` (migration 60), so `/stats`, the review backlog and the queue totals cost the same
/// at 100 k alerts as at 10.
///
/// - `alert_counts (hour, risk_level, status, shard, n)`: alerts per creation hour (UTC), risk level and status.
/// - `alert_totals (risk_level, status, shard, n)`: the same over all time (what `/stats`, the backlog and the
///   decided counts read; a count before a time is the total minus the hours after it, so its cost is bounded by
///   the hours between that time and now, not by the history).
/// - `prediction_totals (risk_level, shard, n, anomalies)`: all-time prediction counts beside the hourly
///   `prediction_counts` of migration 50 (the same statement trigger now fills both).
/// - `alert_decision_times (risk_level, seconds, shard, n)`: decided alerts per risk level and time to decision,
///   bucketed by ``decisionBucket`` (whole seconds below an hour, whole minutes below 100,000 minutes — the largest
///   SLA —, whole hours beyond), from which the median/p90 time to decision and the decisions after the SLA are read.
///
/// Both are maintained by statement triggers on `alerts` (INSERT, UPDATE, DELETE) with transition tables, in the
/// transaction of the change itself: a claim (status unchanged) nets to nothing and writes nothing; a decision moves
/// one alert from `pending` to its status; an override moves it between statuses and decision-time buckets. Each
/// backend adds to its own `shard` row (`pg_backend_pid()`), so concurrent writers — in this process or in other
/// replicas — never wait on each other's counter rows; a reader sums the shards. ``foldFunction`` folds the shards
/// of past hours into shard 0 (rows locked by a running transaction are skipped, so folding never blocks or
/// deadlocks a writer). Counts may be negative in a shard (the decision's backend subtracts from `pending`); sums
/// are exact.
enum AlertCounts {
    /// The decision-time bucket of `d` seconds (SQL expression over a double precision `d`): the lower bound, in
    /// seconds, of its second, minute or hour.
    static func decisionBucket(_ d: String) -> String {
        """
        (CASE WHEN \(d) < 3600 THEN floor(\(d)) WHEN \(d) < 6000000 THEN floor(\(d) / 60) * 60 \
        ELSE floor(\(d) / 3600) * 3600 END)::bigint
        """
    }

    /// Counter deltas of the rows of `source` (a transition table), each row counting `sign` (+1 or −1).
    private static func deltas(_ source: String, sign: Int) -> (counts: String, times: String) {
        (
            """
            SELECT date_trunc('hour', created_at, 'UTC') AS hour, risk_level, status, \(sign)::bigint AS n
            FROM \(source)
            """,
            """
            SELECT risk_level, \(decisionBucket("extract(epoch FROM decided_at - created_at)::float8")) AS seconds,
                \(sign) AS n
            FROM \(source) WHERE status <> 'pending' AND decided_at IS NOT NULL
            """
        )
    }

    /// Adds the net deltas of `parts` to the three tables (keys whose delta nets to 0 are not written).
    private static func apply(_ parts: [(counts: String, times: String)]) -> String {
        """
        WITH d AS (
            SELECT hour, risk_level, status, sum(n) AS n
            FROM (\(parts.map(\.counts).joined(separator: " UNION ALL "))) AS rows
            GROUP BY 1, 2, 3 HAVING sum(n) <> 0
        ), hourly AS (
            INSERT INTO alert_counts (hour, risk_level, status, shard, n)
            SELECT hour, risk_level, status, pg_backend_pid(), n FROM d
            ON CONFLICT (hour, risk_level, status, shard) DO UPDATE SET n = alert_counts.n + excluded.n
        )
        INSERT INTO alert_totals (risk_level, status, shard, n)
            SELECT risk_level, status, pg_backend_pid(), sum(n) FROM d GROUP BY 1, 2 HAVING sum(n) <> 0
            ON CONFLICT (risk_level, status, shard) DO UPDATE SET n = alert_totals.n + excluded.n;
        INSERT INTO alert_decision_times (risk_level, seconds, shard, n)
            SELECT risk_level, seconds, pg_backend_pid(), sum(n)
            FROM (\(parts.map(\.times).joined(separator: " UNION ALL "))) AS d
            GROUP BY 1, 2 HAVING sum(n) <> 0
            ON CONFLICT (risk_level, seconds, shard) DO UPDATE SET n = alert_decision_times.n + excluded.n;
        """
    }

    /// Folds the shards of hours before the current one (and all shards of the other three tables) into shard 0,
    /// skipping rows a running transaction holds; one replica at a time (advisory lock). Returns the rows folded.
    static let foldFunction = """
        CREATE FUNCTION txad_fold_alert_counts() RETURNS integer LANGUAGE plpgsql AS $$
        DECLARE
            folded integer := 0;
            more integer;
        BEGIN
            IF NOT pg_try_advisory_xact_lock(hashtextextended('txad-fold-alert-counts', 0)) THEN
                RETURN 0;
            END IF;
            WITH gone AS (
                DELETE FROM alert_counts WHERE ctid IN (
                    SELECT ctid FROM alert_counts
                    WHERE shard <> 0 AND hour < date_trunc('hour', now(), 'UTC')
                    FOR UPDATE SKIP LOCKED)
                RETURNING hour, risk_level, status, n
            ), summed AS (
                INSERT INTO alert_counts (hour, risk_level, status, shard, n)
                SELECT hour, risk_level, status, 0, sum(n) FROM gone GROUP BY 1, 2, 3
                ON CONFLICT (hour, risk_level, status, shard) DO UPDATE SET n = alert_counts.n + excluded.n
                RETURNING 1
            )
            SELECT count(*) INTO folded FROM summed;
            WITH gone AS (
                DELETE FROM alert_decision_times WHERE ctid IN (
                    SELECT ctid FROM alert_decision_times WHERE shard <> 0 FOR UPDATE SKIP LOCKED)
                RETURNING risk_level, seconds, n
            ), summed AS (
                INSERT INTO alert_decision_times (risk_level, seconds, shard, n)
                SELECT risk_level, seconds, 0, sum(n) FROM gone GROUP BY 1, 2
                ON CONFLICT (risk_level, seconds, shard) DO UPDATE SET n = alert_decision_times.n + excluded.n
                RETURNING 1
            )
            SELECT count(*) INTO more FROM summed;
            folded := folded + more;
            WITH gone AS (
                DELETE FROM alert_totals WHERE ctid IN (
                    SELECT ctid FROM alert_totals WHERE shard <> 0 FOR UPDATE SKIP LOCKED)
                RETURNING risk_level, status, n
            ), summed AS (
                INSERT INTO alert_totals (risk_level, status, shard, n)
                SELECT risk_level, status, 0, sum(n) FROM gone GROUP BY 1, 2
                ON CONFLICT (risk_level, status, shard) DO UPDATE SET n = alert_totals.n + excluded.n
                RETURNING 1
            )
            SELECT count(*) INTO more FROM summed;
            folded := folded + more;
            WITH gone AS (
                DELETE FROM prediction_totals WHERE ctid IN (
                    SELECT ctid FROM prediction_totals WHERE shard <> 0 FOR UPDATE SKIP LOCKED)
                RETURNING risk_level, n, anomalies
            ), summed AS (
                INSERT INTO prediction_totals (risk_level, shard, n, anomalies)
                SELECT risk_level, 0, sum(n), sum(anomalies) FROM gone GROUP BY 1
                ON CONFLICT (risk_level, shard) DO UPDATE
                    SET n = prediction_totals.n + excluded.n, anomalies = prediction_totals.anomalies + excluded.anomalies
                RETURNING 1
            )
            SELECT count(*) INTO more FROM summed;
            DELETE FROM alert_counts WHERE shard = 0 AND n = 0;
            DELETE FROM alert_decision_times WHERE shard = 0 AND n = 0;
            DELETE FROM alert_totals WHERE shard = 0 AND n = 0;
            RETURN folded + more;
        END $$;
        """

    static let migration = Migration(
        version: 60, name: "alert_counters",
        sql: """
            CREATE TABLE alert_counts (
                hour       timestamptz NOT NULL,
                risk_level text NOT NULL,
                status     text NOT NULL,
                shard      integer NOT NULL,
                n          bigint NOT NULL,
                PRIMARY KEY (hour, risk_level, status, shard)
            );
            CREATE INDEX alert_counts_status_risk_hour ON alert_counts (status, risk_level, hour);
            CREATE TABLE alert_decision_times (
                risk_level text NOT NULL,
                seconds    bigint NOT NULL,
                shard      integer NOT NULL,
                n          bigint NOT NULL,
                PRIMARY KEY (risk_level, seconds, shard)
            );
            CREATE TABLE alert_totals (
                risk_level text NOT NULL,
                status     text NOT NULL,
                shard      integer NOT NULL,
                n          bigint NOT NULL,
                PRIMARY KEY (risk_level, status, shard)
            );
            CREATE TABLE prediction_totals (
                risk_level text NOT NULL,
                shard      integer NOT NULL,
                n          bigint NOT NULL,
                anomalies  bigint NOT NULL,
                PRIMARY KEY (risk_level, shard)
            );
            CREATE FUNCTION txad_count_alerts() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    \(apply([deltas("added", sign: 1)]))
                ELSIF TG_OP = 'UPDATE' THEN
                    \(apply([deltas("removed", sign: -1), deltas("added", sign: 1)]))
                ELSE
                    \(apply([deltas("removed", sign: -1)]))
                END IF;
                RETURN NULL;
            END $$;
            -- The triggers exist before the backfill reads `alerts`: CREATE TRIGGER waits for running writers and
            -- holds them off until this migration commits, so every alert is counted exactly once.
            CREATE TRIGGER alerts_count_insert AFTER INSERT ON alerts REFERENCING NEW TABLE AS added
                FOR EACH STATEMENT EXECUTE FUNCTION txad_count_alerts();
            CREATE TRIGGER alerts_count_update AFTER UPDATE ON alerts
                REFERENCING OLD TABLE AS removed NEW TABLE AS added
                FOR EACH STATEMENT EXECUTE FUNCTION txad_count_alerts();
            CREATE TRIGGER alerts_count_delete AFTER DELETE ON alerts REFERENCING OLD TABLE AS removed
                FOR EACH STATEMENT EXECUTE FUNCTION txad_count_alerts();
            INSERT INTO alert_counts (hour, risk_level, status, shard, n)
                SELECT date_trunc('hour', created_at, 'UTC'), risk_level, status, 0, count(*) FROM alerts
                GROUP BY 1, 2, 3;
            INSERT INTO alert_decision_times (risk_level, seconds, shard, n)
                SELECT risk_level, \(decisionBucket("extract(epoch FROM decided_at - created_at)::float8")), 0, count(*)
                FROM alerts WHERE status <> 'pending' AND decided_at IS NOT NULL GROUP BY 1, 2;
            INSERT INTO alert_totals (risk_level, status, shard, n)
                SELECT risk_level, status, 0, count(*) FROM alerts GROUP BY 1, 2;

            -- Prediction totals beside the hourly prediction_counts (migration 50): `/stats` over all time reads 4
            -- rows. Inserts wait for this migration (the lock), so the back-fill and the new trigger agree.
            LOCK TABLE predictions IN SHARE ROW EXCLUSIVE MODE;
            CREATE OR REPLACE FUNCTION txad_count_predictions() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                WITH d AS (
                    SELECT date_trunc('hour', scored_at, 'UTC') AS hour, risk_level, count(*) AS n,
                        count(*) FILTER (WHERE is_anomaly) AS anomalies
                    FROM added GROUP BY 1, 2
                ), hourly AS (
                    INSERT INTO prediction_counts (hour, risk_level, shard, n, anomalies)
                    SELECT hour, risk_level, pg_backend_pid(), n, anomalies FROM d
                    ON CONFLICT (hour, risk_level, shard) DO UPDATE
                        SET n = prediction_counts.n + excluded.n,
                            anomalies = prediction_counts.anomalies + excluded.anomalies
                )
                INSERT INTO prediction_totals (risk_level, shard, n, anomalies)
                SELECT risk_level, pg_backend_pid(), sum(n), sum(anomalies) FROM d GROUP BY 1
                ON CONFLICT (risk_level, shard) DO UPDATE
                    SET n = prediction_totals.n + excluded.n, anomalies = prediction_totals.anomalies + excluded.anomalies;
                RETURN NULL;
            END $$;
            INSERT INTO prediction_totals (risk_level, shard, n, anomalies)
                SELECT risk_level, 0, sum(n), sum(anomalies) FROM prediction_counts GROUP BY 1;
            \(foldFunction)
            """)

    /// Alerts per `risk_level` and `status` created at or after `$1` (timestamptz): all of them from
    /// `alert_totals` when `sinceMillis` is 0, else whole hours from `alert_counts` and, when `sinceMillis` is not on
    /// an hour, the rest of its hour from `alerts` (index on `created_at`). Takes no parameter for 0.
    static func countsSince(_ sinceMillis: Int64) -> String {
        guard sinceMillis != 0 else {
            return "SELECT risk_level, status, sum(n)::bigint AS n FROM alert_totals GROUP BY risk_level, status"
        }
        guard sinceMillis % 3_600_000 != 0 else {
            return """
                SELECT risk_level, status, sum(n)::bigint AS n FROM alert_counts WHERE hour >= $1::timestamptz
                GROUP BY risk_level, status
                """
        }
        return """
            SELECT risk_level, status, sum(n)::bigint AS n
            FROM (
                SELECT risk_level, status, n FROM alert_counts WHERE hour > date_trunc('hour', $1::timestamptz, 'UTC')
                UNION ALL
                SELECT risk_level, status, count(*) FROM alerts
                WHERE created_at >= $1::timestamptz
                  AND created_at < date_trunc('hour', $1::timestamptz, 'UTC') + interval '1 hour'
                GROUP BY risk_level, status
            ) AS counts
            GROUP BY risk_level, status
            """
    }

    /// Alerts per UTC hour and risk level over the last `$1` hours, the current one included, oldest first
    /// (`hour_ms`, `risk_level`, `n`; empty hours absent).
    static let hourly = """
        SELECT (extract(epoch FROM hour) * 1000)::bigint AS hour_ms, risk_level, sum(n)::bigint AS n
        FROM alert_counts WHERE hour >= date_trunc('hour', now(), 'UTC') - make_interval(hours => $1::int - 1)
        GROUP BY hour, risk_level HAVING sum(n) > 0 ORDER BY hour, risk_level
        """

    /// How many alerts of risk level `risk` (a text expression) and a status in `statuses` (a text[] expression)
    /// exist in all: a scalar subquery over `alert_totals`.
    static func total(risk: String, statuses: String) -> String {
        """
        (SELECT COALESCE(sum(t.n), 0) FROM alert_totals t WHERE t.status = ANY(\(statuses)) AND t.risk_level = \(risk))
        """
    }

    /// How many alerts of risk level `risk` and a status in `statuses` were created before `cutoff` (a timestamptz
    /// expression; `inclusive` counts `created_at = cutoff` too): the total minus those created since — the hours
    /// after the cutoff's hour from `alert_counts`, the rest of the cutoff's hour from `alerts`. A scalar expression
    /// whose cost is bounded by the time between the cutoff and now, not by the number of alerts.
    static func countBefore(
        risk: String, statuses: String, cutoff: String, inclusive: Bool = false
    ) -> String {
        """
        (\(total(risk: risk, statuses: statuses))
         - COALESCE((SELECT sum(k.n) FROM alert_counts k
            WHERE k.status = ANY(\(statuses)) AND k.risk_level = \(risk)
              AND k.hour > date_trunc('hour', \(cutoff), 'UTC')), 0)
         - (SELECT count(*) FROM alerts c
            WHERE c.status = ANY(\(statuses)) AND c.risk_level = \(risk)
              AND c.created_at \(inclusive ? ">" : ">=") \(cutoff)
              AND c.created_at < date_trunc('hour', \(cutoff), 'UTC') + interval '1 hour'))
        """
    }

    /// The median and 90th percentile of the time to decision (seconds, as `percentile_cont` over the bucket lower
    /// bounds: exact below an hour, to the minute above) and the decisions made after their level's SLA (SLA minutes
    /// in `$1`…`$4`, see ``ReviewQueue/slaParameters(_:)``), over every decided alert.
    static let decisionTimes = """
        WITH h AS (
            SELECT seconds, sum(n)::bigint AS n FROM alert_decision_times GROUP BY seconds HAVING sum(n) > 0
        ), c AS (
            SELECT seconds, sum(n) OVER (ORDER BY seconds) AS upto FROM h
        ), ranks AS (
            SELECT p, p * (total - 1) AS r FROM (SELECT max(upto) AS total FROM c) AS t,
                (VALUES (0.5::float8), (0.9::float8)) AS v (p)
            WHERE total > 0
        ), points AS (
            SELECT p, r,
                (SELECT seconds FROM c WHERE upto > floor(r) ORDER BY seconds LIMIT 1) AS lo,
                (SELECT seconds FROM c WHERE upto > ceil(r) ORDER BY seconds LIMIT 1) AS hi
            FROM ranks
        )
        SELECT
            (SELECT lo + (r - floor(r)) * (hi - lo) FROM points WHERE p = 0.5) AS median,
            (SELECT lo + (r - floor(r)) * (hi - lo) FROM points WHERE p = 0.9) AS p90,
            (SELECT COALESCE(sum(n), 0)::bigint FROM alert_decision_times a
             WHERE seconds >= 60 * (CASE a.risk_level WHEN 'critical' THEN $1::int WHEN 'high' THEN $2::int
                 WHEN 'medium' THEN $3::int ELSE $4::int END)) AS late
        """

    /// Folds counter shards (see ``foldFunction``); returns the rows folded.
    static func fold(database: PostgresClient) async throws -> Int {
        Int(try await database.query("SELECT txad_fold_alert_counts() AS folded").first?.int64("folded") ?? 0)
    }
}

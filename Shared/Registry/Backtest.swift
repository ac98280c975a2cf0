import Detection
import Domain
import Foundation
import Stores

/// `txad models backtest V --since … --until …`: replays the stored transactions of a window (the `predictions`
/// table holds every scored transaction's fields) in time order through the feature pipeline and one version, with
/// the window's analyst decisions as labels, and reports it like `compare` against what was scored live.
///
/// Rows are read through a server-side cursor in one read-only transaction, so the window is one consistent
/// snapshot, memory stays bounded, and the command runs on a hot-standby replica as well. User state starts empty
/// at the window's start (as `txad score` does for a file), unless a warm-up period is given: the stored rows of
/// `[since − warm-up, since)` then go through the feature pipeline only (building the users' history, not scored,
/// not reported), so the window's first rows of each user get the features they had live. Without warm-up, rows of
/// users with earlier history get cold-start features.
public enum Backtest {
    /// The half-open window `[since, until)` of transaction time, Unix milliseconds.
    public struct Window: Sendable, Hashable {
        public var sinceMillis: Int64
        public var untilMillis: Int64

        /// A window; `since` must be before `until`.
        public init(sinceMillis: Int64, untilMillis: Int64) throws(RegistryError) {
            guard sinceMillis < untilMillis else {
                throw RegistryError(.invalidArgument, "--since must be before --until")
            }
            self.sinceMillis = sinceMillis
            self.untilMillis = untilMillis
        }
    }

    /// Rows fetched (and replayed) per step.
    public static let defaultPageRows = 20_000

    /// Longest warm-up period (a year of history).
    public static let maximumWarmUpMillis: Int64 = 366 * 86_400_000

    /// Replays `window` through `bundle`; `progress` gets (rows done, rows to replay) after every page, counting the
    /// warm-up rows (`warmUpMillis` before the window, replayed through the feature pipeline only).
    ///
    /// Cancelling the task, or `stopRequested` returning true (Ctrl-C in the CLI), stops at the next page and
    /// returns the report so far with `completed == false`.
    /// - Throws: `.unavailable` when the database has no `predictions` table or cannot be reached;
    ///   `.invalidArgument` for a page size below 1 or a warm-up outside `0...maximumWarmUpMillis`;
    ///   `.storeFailure`.
    public static func run(
        client: PostgresClient, bundle: ModelBundle, window: Window, warmUpMillis: Int64 = 0,
        pageRows: Int = defaultPageRows, stopRequested: @Sendable () -> Bool = { false },
        progress: (Int, Int) -> Void = { _, _ in }
    ) async throws(RegistryError) -> BacktestReport {
        guard pageRows > 0 else { throw RegistryError(.invalidArgument, "page rows must be at least 1") }
        guard (0...maximumWarmUpMillis).contains(warmUpMillis) else {
            throw RegistryError(.invalidArgument, "--warm-up must be between 0 and 366 days")
        }
        let scorer = AnomalyScorer(bundle: bundle)
        let since = RFC3339.format(millis: window.sinceMillis)
        let until = RFC3339.format(millis: window.untilMillis)
        let warmUpSince = RFC3339.format(millis: window.sinceMillis - warmUpMillis)
        // $1 window start, $2 window end, $3 warm-up start (the window start without warm-up).
        let bounds = [PostgresValue(since), PostgresValue(until), PostgresValue(warmUpSince)]
        let range = "p.occurred_at >= $3::timestamptz AND p.occurred_at < $2::timestamptz"
        do {
            return try await client.withTransaction { tx in
                try await tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                let counts = try await tx.query(
                    """
                    SELECT count(*) FILTER (WHERE p.occurred_at >= $1::timestamptz) AS n,
                        count(*) FILTER (WHERE p.occurred_at < $1::timestamptz) AS warm
                    FROM predictions p WHERE \(range)
                    """, bounds
                ).first
                let windowRows = try counts?.int("n") ?? 0
                let warmRows = try counts?.int("warm") ?? 0
                try await tx.execute(
                    """
                    DECLARE txad_backtest NO SCROLL CURSOR FOR
                    SELECT p.transaction_id, p.user_id, round(extract(epoch FROM p.occurred_at) * 1000)::bigint AS ms,
                        p.amount, p.currency, p.merchant_id, p.merchant_category, p.channel, p.latitude, p.longitude,
                        p.country, p.ensemble, p.risk_level, p.model_version, p.degraded, a.status,
                        p.occurred_at < $1::timestamptz AS warm_up
                    FROM predictions p LEFT JOIN alerts a ON a.transaction_id = p.transaction_id
                    WHERE \(range) ORDER BY p.occurred_at, p.transaction_id
                    """, bounds)
                var replay = FeatureReplaySession(priors: bundle.manifest.featurePriors)
                var tally = BacktestTally()
                var done = 0
                var warmedUp = 0
                var completed = true
                while true {
                    if Task.isCancelled || stopRequested() {
                        completed = false
                        break
                    }
                    let page = try await tx.query("FETCH FORWARD \(pageRows) FROM txad_backtest")
                    if page.isEmpty { break }
                    // Rows come in time order, so a page's warm-up rows (history only) precede its window rows.
                    let warm = try page.prefix { try $0.bool("warm_up") ?? false }.count
                    if warm > 0 {
                        _ = replay.run(try page.prefix(warm).map(row).map(\.transaction))
                        warmedUp += warm
                    }
                    let rows = try page.dropFirst(warm).map(row)
                    if !rows.isEmpty {
                        let features = replay.run(rows.map(\.transaction))
                        let scores = scorer.scores(scaled: try scorer.scaled(features.matrix))
                        for (i, row) in rows.enumerated() {
                            let score = scores.ensemble[i]
                            tally.add(row, score: score, risk: scorer.risk.level(score), version: bundle.version)
                        }
                    }
                    done += page.count
                    progress(done, max(done, windowRows + warmRows))
                }
                var report = tally.report(
                    version: bundle.version, since: since, until: until, windowRows: windowRows, completed: completed)
                if warmUpMillis > 0 {
                    report.warmUpSince = warmUpSince
                    report.warmUpRows = warmedUp
                }
                return report
            }
        } catch let error as RegistryError {
            throw error
        } catch let error as StoreError {
            if error.sqlState == "42P01" {
                throw RegistryError(
                    .unavailable,
                    "no predictions table in this database; backtest replays the alerts service's predictions")
            }
            throw BundleRegistry.map(error)
        } catch let error as DetectionError {
            throw RegistryError(.corruptBundle, "backtest of \(bundle.version): \(error.message)")
        } catch {
            throw RegistryError(.storeFailure, "backtest: \(error)")
        }
    }

    /// One cursor row as a transaction with its live outcome; the error names the column.
    private static func row(_ r: PostgresRow) throws -> BacktestRow {
        func required<T>(_ value: T?, _ column: String) throws -> T {
            guard let value else { throw RegistryError(.storeFailure, "predictions.\(column) is NULL") }
            return value
        }
        let channel = try r.string("channel")
        let risk = try required(try r.string("risk_level"), "risk_level")
        return BacktestRow(
            transaction: Transaction(
                transactionID: try required(try r.string("transaction_id"), "transaction_id"),
                userID: try required(try r.string("user_id"), "user_id"),
                timestampMillis: try required(try r.int64("ms"), "occurred_at"),
                amount: try required(try r.double("amount"), "amount"),
                currency: try required(try r.string("currency"), "currency"),
                merchantID: try r.string("merchant_id"), merchantCategory: try r.string("merchant_category"),
                channel: try channel.map { text in
                    try required(Channel(rawValue: text), "channel (unknown value)")
                },
                latitude: try r.double("latitude"), longitude: try r.double("longitude"),
                country: try r.string("country")),
            liveScore: try required(try r.double("ensemble"), "ensemble"),
            liveRisk: try required(RiskLevel(rawValue: risk), "risk_level (unknown value)"),
            liveVersion: try required(try r.string("model_version"), "model_version"),
            degraded: try r.bool("degraded") ?? false,
            decision: try r.string("status").flatMap {
                $0 == "pending" ? nil : $0
            })
    }
}

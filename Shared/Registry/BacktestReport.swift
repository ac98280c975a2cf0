import Domain

/// What replaying a window of stored transactions through one version found (`txad models backtest`).
///
/// The recorded (live) scores of the `predictions` table play the champion's part of ``ModelComparison``, so the
/// report reads like `txad models compare`, plus how exactly the version reproduced rows it had scored live, its
/// recall on fraud that analysts confirmed, and the alert volume per day.
public struct BacktestReport: Sendable, Hashable {
    /// Alert volume of one UTC day of the window.
    public struct Day: Sendable, Hashable {
        /// `YYYY-MM-DD` (UTC) of the transactions' time.
        public var date: String
        /// Transactions of that day.
        public var transactions: Int
        /// Of those, at risk ≥ medium when scored live, and when replayed through the version.
        public var liveAlerts: Int
        public var backtestAlerts: Int
    }

    /// The replayed version.
    public var version: String
    /// The window, as RFC 3339 (`[since, until)` on transaction time).
    public var since: String
    public var until: String
    /// Rows in the window when the replay started.
    public var windowRows: Int
    /// Rows replayed (fewer than ``windowRows`` only when cancelled).
    public var rows: Int
    /// False when the replay was cancelled; the figures then cover the rows replayed so far.
    public var completed: Bool
    /// Rows whose live features were computed without user state (Redis down): their live scores cannot be
    /// reproduced.
    public var degradedRows: Int
    /// The same report as `compare`, with the recorded live scores as champion and the version as challenger.
    public var comparison: ModelComparison
    /// Rows scored live by this very version, how many of them got exactly the live ensemble score and risk level,
    /// and the largest difference of ensemble score among them.
    public var sameVersionRows: Int
    public var exactMatches: Int
    public var maximumDifference: Double
    /// Confirmed fraud among the window's decided alerts, and how much of it the version put at risk ≥ medium.
    public var confirmedFraud: Int
    public var confirmedFraudCaught: Int
    /// Per UTC day, in date order.
    public var days: [Day]
    /// Start of the warm-up period (RFC 3339), nil without warm-up: the rows of `[warmUpSince, since)` were replayed
    /// through the feature pipeline only, to build the users' history, and are not scored or counted.
    public var warmUpSince: String? = nil
    /// Rows of the warm-up period replayed so far.
    public var warmUpRows = 0

    /// Share of confirmed fraud the version alerted on (nil without confirmed fraud).
    public var fraudRecall: Double? {
        confirmedFraud == 0 ? nil : Double(confirmedFraudCaught) / Double(confirmedFraud)
    }
}

/// One stored transaction with what happened to it live, as read for a backtest.
struct BacktestRow: Sendable {
    var transaction: Transaction
    var liveScore: Double
    var liveRisk: RiskLevel
    var liveVersion: String
    var degraded: Bool
    /// The analyst's decision on its alert: `confirmed_fraud`, `legitimate`, or nil (no alert or pending).
    var decision: String?
}

/// Running sums behind a ``BacktestReport``, fed one replayed row at a time (streaming: a window of millions of
/// rows never sits in memory).
struct BacktestTally: Sendable {
    private var n = 0
    private var meanLive = 0.0
    private var meanReplay = 0.0
    private var squaresLive = 0.0
    private var squaresReplay = 0.0
    private var coMoment = 0.0
    private var liveAlerts = 0
    private var replayAlerts = 0
    private var levelCounts: [RiskLevel: (count: Int, agreeing: Int)] = [:]
    private var decided = 0
    private var confirmedFraud = 0
    private var liveFlaggedDecided = 0
    private var liveHits = 0
    private var replayFlaggedDecided = 0
    private var replayHits = 0
    private var degraded = 0
    private var sameVersion = 0
    private var exact = 0
    private var maximumDifference = 0.0
    private var days: [String: BacktestReport.Day] = [:]
    private var liveVersions: Set<String> = []

    /// Adds one row and its replayed score.
    mutating func add(_ row: BacktestRow, score: Double, risk: RiskLevel, version: String) {
        n += 1
        // Welford's co-moment update: stable over millions of rows.
        let dLive = row.liveScore - meanLive
        meanLive += dLive / Double(n)
        let dReplay = score - meanReplay
        meanReplay += dReplay / Double(n)
        squaresLive += dLive * (row.liveScore - meanLive)
        squaresReplay += dReplay * (score - meanReplay)
        coMoment += dLive * (score - meanReplay)

        let liveFlag = row.liveRisk != .low
        let replayFlag = risk != .low
        if liveFlag { liveAlerts += 1 }
        if replayFlag { replayAlerts += 1 }
        var level = levelCounts[row.liveRisk] ?? (0, 0)
        level.count += 1
        if risk == row.liveRisk { level.agreeing += 1 }
        levelCounts[row.liveRisk] = level

        if let decision = row.decision {
            let fraud = decision == "confirmed_fraud"
            decided += 1
            if fraud { confirmedFraud += 1 }
            if liveFlag {
                liveFlaggedDecided += 1
                if fraud { liveHits += 1 }
            }
            if replayFlag {
                replayFlaggedDecided += 1
                if fraud { replayHits += 1 }
            }
        }
        if row.degraded { degraded += 1 }
        liveVersions.insert(row.liveVersion)
        if row.liveVersion == version {
            sameVersion += 1
            let difference = abs(row.liveScore - score)
            maximumDifference = max(maximumDifference, difference)
            if difference == 0 && risk == row.liveRisk { exact += 1 }
        }
        let date = String(RFC3339.format(millis: row.transaction.timestampMillis).prefix(10))
        var day = days[date] ?? .init(date: date, transactions: 0, liveAlerts: 0, backtestAlerts: 0)
        day.transactions += 1
        if liveFlag { day.liveAlerts += 1 }
        if replayFlag { day.backtestAlerts += 1 }
        days[date] = day
    }

    /// The report so far.
    func report(version: String, since: String, until: String, windowRows: Int, completed: Bool) -> BacktestReport {
        func ratio(_ part: Int, _ whole: Int) -> Double? { whole == 0 ? nil : Double(part) / Double(whole) }
        let correlation: Double? =
            n < 2 || squaresLive <= 0 || squaresReplay <= 0 ? nil : coMoment / (squaresLive * squaresReplay).squareRoot()
        let comparison = ModelComparison(
            champion: liveVersions.isEmpty ? "live" : "live " + liveVersions.sorted().joined(separator: "+"),
            challenger: version, transactions: n, correlation: correlation,
            championAlertRate: ratio(liveAlerts, n) ?? 0, challengerAlertRate: ratio(replayAlerts, n) ?? 0,
            levels: RiskLevel.allCases.map { level in
                let counts = levelCounts[level] ?? (0, 0)
                return .init(level: level.rawValue, count: counts.count, agreeing: counts.agreeing)
            },
            decidedAlerts: decided, championPrecision: ratio(liveHits, liveFlaggedDecided),
            challengerPrecision: ratio(replayHits, replayFlaggedDecided))
        return BacktestReport(
            version: version, since: since, until: until, windowRows: windowRows, rows: n, completed: completed,
            degradedRows: degraded, comparison: comparison, sameVersionRows: sameVersion, exactMatches: exact,
            maximumDifference: maximumDifference, confirmedFraud: confirmedFraud, confirmedFraudCaught: replayHits,
            days: days.values.sorted { $0.date < $1.date })
    }
}

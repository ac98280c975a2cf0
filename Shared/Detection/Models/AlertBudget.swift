/// Risk thresholds chosen from the number of alerts a review team can work per day, as recorded in the manifest.
///
/// With `--alerts-per-day N`, the anomaly threshold (start of `medium`) is the score the top N ÷ (training rows per
/// day) share of the training rows reach, instead of the contamination quantile; `high` and `critical` keep their
/// percentiles but never start below it. The expected daily volumes assume traffic like the training period's.
public struct AlertBudget: Sendable, Hashable, Codable {
    /// Alerts per day asked for.
    public var alertsPerDay: Double
    /// Length of the training period in days and its rows per day.
    public var trainingDays: Double
    public var trainingRowsPerDay: Double
    /// Share of rows at or above the anomaly threshold that this budget allows.
    public var alertShare: Double
    /// Thresholds of medium, high and critical on the bundle's final score.
    public var thresholds: [String: Double]
    /// Expected alerts per day at or above each level (on the training rows).
    public var expectedDailyAlerts: [String: Double]

    /// Creates a record.
    public init(
        alertsPerDay: Double, trainingDays: Double, trainingRowsPerDay: Double, alertShare: Double,
        thresholds: [String: Double], expectedDailyAlerts: [String: Double]
    ) {
        self.alertsPerDay = alertsPerDay
        self.trainingDays = trainingDays
        self.trainingRowsPerDay = trainingRowsPerDay
        self.alertShare = alertShare
        self.thresholds = thresholds
        self.expectedDailyAlerts = expectedDailyAlerts
    }

    /// The share of rows `alertsPerDay` allows over `rows` rows spanning `firstMillis…lastMillis` (at least a day).
    /// Throws ``DetectionError/Code/invalidArgument`` when the budget is not positive or allows half the rows or more.
    static func share(alertsPerDay: Double, rows: Int, firstMillis: Int64, lastMillis: Int64) throws(DetectionError)
        -> (share: Double, days: Double, rowsPerDay: Double)
    {
        let days = max(1, Double(lastMillis - firstMillis) / 86_400_000)
        let rowsPerDay = Double(rows) / days
        let share = alertsPerDay / rowsPerDay
        guard alertsPerDay > 0, share < 0.5 else {
            throw DetectionError(
                .invalidArgument,
                "alerts per day must be positive and below half the training traffic (\(Int(rowsPerDay)) rows a day), "
                    + "got \(alertsPerDay)")
        }
        return (share, days, rowsPerDay)
    }

    /// The record for final training scores `scores` and the fitted risk table.
    static func record(
        alertsPerDay: Double, days: Double, rowsPerDay: Double, share: Double, risk: RiskTable, scores: [Double]
    ) -> AlertBudget {
        let n = Double(max(1, scores.count))
        func daily(_ threshold: Double) -> Double { Double(scores.filter { $0 >= threshold }.count) / n * rowsPerDay }
        return AlertBudget(
            alertsPerDay: alertsPerDay, trainingDays: days, trainingRowsPerDay: rowsPerDay, alertShare: share,
            thresholds: ["medium": risk.medium, "high": risk.high, "critical": risk.critical],
            expectedDailyAlerts: [
                "medium": daily(risk.medium), "high": daily(risk.high), "critical": daily(risk.critical),
            ])
    }

    enum CodingKeys: String, CodingKey {
        case alertsPerDay = "alerts_per_day"
        case trainingDays = "training_days"
        case trainingRowsPerDay = "training_rows_per_day"
        case alertShare = "alert_share"
        case thresholds
        case expectedDailyAlerts = "expected_daily_alerts"
    }
}

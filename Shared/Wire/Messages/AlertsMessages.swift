public import Domain

/// `txad.v1.Alerts/Record` request: scored transactions to record durably.
public struct RecordRequest: Sendable, Hashable {
    /// The scored transactions; repeats of known transaction ids are ignored by the alerts service.
    public var items: [ScoredTransaction]

    /// Creates a request.
    public init(items: [ScoredTransaction] = []) {
        self.items = items
    }
}

/// `txad.v1.Alerts/Record` response: the durable acknowledgement.
public struct RecordResponse: Sendable, Hashable {
    /// Transactions newly recorded (repeats of known transaction ids are not counted).
    public var recorded: UInt32
    /// Alerts made durable by this call.
    public var alerts: UInt32
    /// True when PostgreSQL was down and the alerts went to the fsync'ed spool.
    public var spooled: Bool

    /// Creates a response.
    public init(recorded: UInt32 = 0, alerts: UInt32 = 0, spooled: Bool = false) {
        self.recorded = recorded
        self.alerts = alerts
        self.spooled = spooled
    }
}

/// `txad.v1.Alerts/Stats` request.
public struct StatsRequest: Sendable, Hashable {
    /// Only count records scored at or after this time (Unix ms); 0 = all.
    public var sinceMillis: Int64
    /// Also return alerts per hour and risk level for this many UTC hours, the current one included (0 = none;
    /// at most ``maximumHours``). Independent of `sinceMillis`.
    public var hours: UInt32

    /// The largest `hours` the alerts service answers (a week).
    public static let maximumHours: UInt32 = 168

    /// Creates a request.
    public init(sinceMillis: Int64 = 0, hours: UInt32 = 0) {
        self.sinceMillis = sinceMillis
        self.hours = hours
    }
}

/// Alerts created in one UTC hour at one risk level, in `StatsResponse.alertsByHour`.
public struct HourlyRiskCount: Sendable, Hashable {
    /// Start of the hour, Unix milliseconds.
    public var hourMillis: Int64
    /// The risk level counted.
    public var riskLevel: RiskLevel
    /// How many.
    public var count: UInt64

    /// Creates a count.
    public init(hourMillis: Int64, riskLevel: RiskLevel, count: UInt64) {
        self.hourMillis = hourMillis
        self.riskLevel = riskLevel
        self.count = count
    }
}

/// A count per risk level, in `StatsResponse`.
public struct RiskCount: Sendable, Hashable {
    /// The risk level counted.
    public var riskLevel: RiskLevel
    /// How many.
    public var count: UInt64

    /// Creates a count.
    public init(riskLevel: RiskLevel, count: UInt64) {
        self.riskLevel = riskLevel
        self.count = count
    }
}

/// `txad.v1.Alerts/Stats` response: prediction, alert and review figures.
public struct StatsResponse: Sendable, Hashable {
    /// Scored transactions recorded.
    public var predictions: UInt64
    /// Scored transactions per risk level.
    public var predictionsByRisk: [RiskCount]
    /// Scored transactions flagged as anomalies.
    public var anomalies: UInt64
    /// `anomalies / predictions`; 0 when there are none.
    public var anomalyRate: Double
    /// Alerts raised.
    public var alerts: UInt64
    /// Alerts per risk level.
    public var alertsByRisk: [RiskCount]
    /// Alerts waiting for review.
    public var reviewBacklog: UInt64
    /// Alerts confirmed as fraud.
    public var reviewedFraud: UInt64
    /// Alerts judged legitimate.
    public var reviewedLegitimate: UInt64
    /// Confirmed fraud / reviewed alerts; 0 when none reviewed.
    public var alertPrecision: Double
    /// Alerts currently in the local spool, waiting for PostgreSQL.
    public var spooled: UInt64
    /// Alerts per hour and risk level over the hours asked for (`StatsRequest.hours`), oldest first; hours and
    /// levels without alerts are absent.
    public var alertsByHour: [HourlyRiskCount]

    /// Creates a response.
    public init(
        predictions: UInt64 = 0, predictionsByRisk: [RiskCount] = [], anomalies: UInt64 = 0, anomalyRate: Double = 0,
        alerts: UInt64 = 0, alertsByRisk: [RiskCount] = [], reviewBacklog: UInt64 = 0, reviewedFraud: UInt64 = 0,
        reviewedLegitimate: UInt64 = 0, alertPrecision: Double = 0, spooled: UInt64 = 0,
        alertsByHour: [HourlyRiskCount] = []
    ) {
        self.alertsByHour = alertsByHour
        self.predictions = predictions
        self.predictionsByRisk = predictionsByRisk
        self.anomalies = anomalies
        self.anomalyRate = anomalyRate
        self.alerts = alerts
        self.alertsByRisk = alertsByRisk
        self.reviewBacklog = reviewBacklog
        self.reviewedFraud = reviewedFraud
        self.reviewedLegitimate = reviewedLegitimate
        self.alertPrecision = alertPrecision
        self.spooled = spooled
    }
}

/// An analyst's decision on an alert, with who made it and when.
public struct ReviewDecision: Sendable, Hashable {
    /// The verdict.
    public var decision: Decision
    /// The analyst's note.
    public var note: String
    /// Who decided.
    public var analyst: String
    /// When, Unix milliseconds.
    public var decidedAtMillis: Int64

    /// Creates a decision.
    public init(decision: Decision = .unspecified, note: String = "", analyst: String = "", decidedAtMillis: Int64 = 0)
    {
        self.decision = decision
        self.note = note
        self.analyst = analyst
        self.decidedAtMillis = decidedAtMillis
    }
}

/// An alert: a scored transaction at or above medium risk, where it was sent and how it was reviewed.
public struct Alert: Sendable, Hashable {
    /// The alert's id.
    public var alertID: String
    /// The scored transaction that raised it (required on the wire).
    public var scored: ScoredTransaction
    /// Review state.
    public var status: AlertStatus
    /// When the alert was created, Unix milliseconds.
    public var createdAtMillis: Int64
    /// Channels it was routed to.
    public var channels: [NotificationChannel]
    /// The review decision, once there is one.
    public var decision: ReviewDecision?

    /// Creates an alert.
    public init(
        alertID: String, scored: ScoredTransaction, status: AlertStatus = .pending, createdAtMillis: Int64 = 0,
        channels: [NotificationChannel] = [], decision: ReviewDecision? = nil
    ) {
        self.alertID = alertID
        self.scored = scored
        self.status = status
        self.createdAtMillis = createdAtMillis
        self.channels = channels
        self.decision = decision
    }
}

/// `txad.v1.Alerts/ListReviews` request: a page of alerts, filtered.
public struct ListReviewsRequest: Sendable, Hashable {
    /// Only alerts at or above this risk; nil = all.
    public var minRisk: RiskLevel?
    /// Only alerts created at least this long ago, in seconds; 0 = any age.
    public var minAgeSeconds: UInt64
    /// Only alerts in this state; `.unspecified` = any.
    public var status: AlertStatus
    /// Page size.
    public var limit: UInt32
    /// Alerts to skip.
    public var offset: UInt32

    /// Creates a request.
    public init(
        minRisk: RiskLevel? = nil, minAgeSeconds: UInt64 = 0, status: AlertStatus = .unspecified, limit: UInt32 = 0,
        offset: UInt32 = 0
    ) {
        self.minRisk = minRisk
        self.minAgeSeconds = minAgeSeconds
        self.status = status
        self.limit = limit
        self.offset = offset
    }
}

/// `txad.v1.Alerts/ListReviews` response.
public struct ListReviewsResponse: Sendable, Hashable {
    /// The page of alerts.
    public var alerts: [Alert]
    /// How many alerts match the filter in total.
    public var total: UInt64

    /// Creates a response.
    public init(alerts: [Alert] = [], total: UInt64 = 0) {
        self.alerts = alerts
        self.total = total
    }
}

/// `txad.v1.Alerts/Decide` request: record a review decision.
public struct DecideRequest: Sendable, Hashable {
    /// The alert decided on.
    public var alertID: String
    /// The decision (required on the wire).
    public var decision: ReviewDecision

    /// Creates a request.
    public init(alertID: String, decision: ReviewDecision) {
        self.alertID = alertID
        self.decision = decision
    }
}

/// `txad.v1.Alerts/Decide` response: the alert after the decision.
public struct DecideResponse: Sendable, Hashable {
    /// The updated alert (required on the wire).
    public var alert: Alert

    /// Creates a response.
    public init(alert: Alert) {
        self.alert = alert
    }
}

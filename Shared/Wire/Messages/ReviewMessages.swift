public import Domain

// The messages of `txad.v1.Reviews` (proto/txad/v1/review.proto): the analysts' review API.

/// An alert as analysts see it: the alert with its claim, age and review-SLA state (`txad.v1.ReviewItem`).
public struct ReviewItem: Sendable, Hashable {
    /// The alert (required on the wire).
    public var alert: Alert
    /// Who holds a live claim on it; empty when unclaimed or the claim expired.
    public var claimedBy: String
    /// When that claim expires, Unix ms; 0 without a live claim.
    public var claimExpiresAtMillis: Int64
    /// Seconds since the alert was created.
    public var ageSeconds: UInt64
    /// Still pending and older than the review SLA of its risk level.
    public var slaBreached: Bool
    /// The review SLA of its risk level, minutes.
    public var slaMinutes: UInt32

    /// Creates an item.
    public init(
        alert: Alert, claimedBy: String = "", claimExpiresAtMillis: Int64 = 0, ageSeconds: UInt64 = 0,
        slaBreached: Bool = false, slaMinutes: UInt32 = 0
    ) {
        self.alert = alert
        self.claimedBy = claimedBy
        self.claimExpiresAtMillis = claimExpiresAtMillis
        self.ageSeconds = ageSeconds
        self.slaBreached = slaBreached
        self.slaMinutes = slaMinutes
    }
}

/// `txad.v1.Reviews/ListAlerts` request: one page of alerts, newest first.
public struct ListAlertsRequest: Sendable, Hashable {
    /// Only this status; `.unspecified` = any.
    public var status: AlertStatus
    /// Only this risk level; nil = any.
    public var riskLevel: RiskLevel?
    /// Only this user; empty = any.
    public var userID: String
    /// Created at or after, Unix ms; 0 = no lower bound.
    public var sinceMillis: Int64
    /// Created before, Unix ms; 0 = no upper bound.
    public var untilMillis: Int64
    /// The previous page's `nextCursor`; empty for the first page.
    public var cursor: String
    /// Page size; 0 = the default (50); at most 200.
    public var limit: UInt32

    /// Creates a request.
    public init(
        status: AlertStatus = .unspecified, riskLevel: RiskLevel? = nil, userID: String = "", sinceMillis: Int64 = 0,
        untilMillis: Int64 = 0, cursor: String = "", limit: UInt32 = 0
    ) {
        self.status = status
        self.riskLevel = riskLevel
        self.userID = userID
        self.sinceMillis = sinceMillis
        self.untilMillis = untilMillis
        self.cursor = cursor
        self.limit = limit
    }
}

/// `txad.v1.Reviews/ListAlerts` response.
public struct ListAlertsResponse: Sendable, Hashable {
    /// The page, newest first.
    public var items: [ReviewItem]
    /// Opaque cursor of the next page; empty on the last page.
    public var nextCursor: String

    /// Creates a response.
    public init(items: [ReviewItem] = [], nextCursor: String = "") {
        self.items = items
        self.nextCursor = nextCursor
    }
}

/// `txad.v1.Reviews/GetAlert` request.
public struct GetAlertRequest: Sendable, Hashable {
    /// The alert.
    public var alertID: String
    /// How many of the user's recent transactions; 0 = the default (20); at most 100.
    public var recentLimit: UInt32

    /// Creates a request.
    public init(alertID: String, recentLimit: UInt32 = 0) {
        self.alertID = alertID
        self.recentLimit = recentLimit
    }
}

/// One notification delivery of an alert (a row of `notification_deliveries`).
public struct AlertDelivery: Sendable, Hashable {
    /// The delivery's id (a UUID).
    public var deliveryID: String
    /// The channel's name in the routing file.
    public var channel: String
    /// The channel's type (slack, pagerduty, …).
    public var channelType: String
    /// What is delivered (e.g. trigger, resolve).
    public var eventType: String
    /// pending, delivering, delivered or dead.
    public var state: String
    /// Delivery attempts so far.
    public var attempts: UInt32
    /// The last HTTP status; 0 when none.
    public var lastStatus: Int32
    /// The last error; empty when none.
    public var lastError: String
    /// When the row was created, Unix ms.
    public var createdAtMillis: Int64
    /// When it was delivered, Unix ms; 0 when not delivered.
    public var deliveredAtMillis: Int64

    /// Creates a delivery.
    public init(
        deliveryID: String = "", channel: String = "", channelType: String = "", eventType: String = "",
        state: String = "", attempts: UInt32 = 0, lastStatus: Int32 = 0, lastError: String = "",
        createdAtMillis: Int64 = 0, deliveredAtMillis: Int64 = 0
    ) {
        self.deliveryID = deliveryID
        self.channel = channel
        self.channelType = channelType
        self.eventType = eventType
        self.state = state
        self.attempts = attempts
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.createdAtMillis = createdAtMillis
        self.deliveredAtMillis = deliveredAtMillis
    }
}

/// An audited change of an existing decision.
public struct DecisionOverride: Sendable, Hashable {
    /// Who changed it.
    public var analyst: String
    /// When, Unix ms.
    public var atMillis: Int64
    /// The decision before.
    public var fromDecision: Decision
    /// The decision after.
    public var toDecision: Decision
    /// The note given with the override.
    public var note: String

    /// Creates an override record.
    public init(
        analyst: String = "", atMillis: Int64 = 0, fromDecision: Decision = .unspecified,
        toDecision: Decision = .unspecified, note: String = ""
    ) {
        self.analyst = analyst
        self.atMillis = atMillis
        self.fromDecision = fromDecision
        self.toDecision = toDecision
        self.note = note
    }
}

/// `txad.v1.Reviews/GetAlert` response: the alert with its context.
public struct GetAlertResponse: Sendable, Hashable {
    /// The alert (required on the wire).
    public var item: ReviewItem
    /// The user's most recent scored transactions, newest first.
    public var recentTransactions: [ScoredTransaction]
    /// Its notification deliveries, oldest first.
    public var deliveries: [AlertDelivery]
    /// Audited overrides of its decision, oldest first.
    public var overrides: [DecisionOverride]

    /// Creates a response.
    public init(
        item: ReviewItem, recentTransactions: [ScoredTransaction] = [], deliveries: [AlertDelivery] = [],
        overrides: [DecisionOverride] = []
    ) {
        self.item = item
        self.recentTransactions = recentTransactions
        self.deliveries = deliveries
        self.overrides = overrides
    }
}

/// `txad.v1.Reviews/Queue` request: the pending queue.
public struct ReviewQueueRequest: Sendable, Hashable {
    /// Only alerts at or above this risk; nil = all.
    public var minRisk: RiskLevel?
    /// Page size; 0 = the default (50); at most 200.
    public var limit: UInt32
    /// Items to skip.
    public var offset: UInt32
    /// Only alerts at least this old, minutes; 0 = any age.
    public var minAgeMinutes: UInt32

    /// Creates a request.
    public init(minRisk: RiskLevel? = nil, limit: UInt32 = 0, offset: UInt32 = 0, minAgeMinutes: UInt32 = 0) {
        self.minRisk = minRisk
        self.limit = limit
        self.offset = offset
        self.minAgeMinutes = minAgeMinutes
    }
}

/// `txad.v1.Reviews/Queue` response.
public struct ReviewQueueResponse: Sendable, Hashable {
    /// Pending alerts, highest risk first, then oldest.
    public var items: [ReviewItem]
    /// Pending alerts matching the filter.
    public var total: UInt64
    /// Of those, past their review SLA.
    public var breached: UInt64

    /// Creates a response.
    public init(items: [ReviewItem] = [], total: UInt64 = 0, breached: UInt64 = 0) {
        self.items = items
        self.total = total
        self.breached = breached
    }
}

/// `txad.v1.Reviews/Claim` and `ClaimNext` request.
public struct ClaimRequest: Sendable, Hashable {
    /// The alert to claim (`Claim`); ignored by `ClaimNext`.
    public var alertID: String
    /// Who claims it (required).
    public var analyst: String
    /// `ClaimNext` only: at or above this risk; nil = any.
    public var minRisk: RiskLevel?

    /// Creates a request.
    public init(alertID: String = "", analyst: String, minRisk: RiskLevel? = nil) {
        self.alertID = alertID
        self.analyst = analyst
        self.minRisk = minRisk
    }
}

/// `txad.v1.Reviews/Claim` and `ClaimNext` response.
public struct ClaimResponse: Sendable, Hashable {
    /// The claimed alert; nil when `ClaimNext` found nothing to claim.
    public var item: ReviewItem?

    /// Creates a response.
    public init(item: ReviewItem? = nil) {
        self.item = item
    }
}

/// `txad.v1.Reviews/Decide` request: an analyst's decision, idempotent by key.
public struct ReviewDecideRequest: Sendable, Hashable {
    /// The alert decided on.
    public var alertID: String
    /// fraud or legitimate.
    public var decision: Decision
    /// The analyst's note.
    public var note: String
    /// Who decides (required).
    public var analyst: String
    /// Same key and request → the first answer; same key, other request → `FAILED_PRECONDITION`. Scoped by analyst;
    /// empty = no idempotency.
    public var idempotencyKey: String
    /// Allows changing an existing, different decision (kept in the audit table).
    public var override: Bool

    /// Creates a request.
    public init(
        alertID: String, decision: Decision, note: String = "", analyst: String, idempotencyKey: String = "",
        override: Bool = false
    ) {
        self.alertID = alertID
        self.decision = decision
        self.note = note
        self.analyst = analyst
        self.idempotencyKey = idempotencyKey
        self.override = override
    }
}

/// `txad.v1.Reviews/Decide` response.
public struct ReviewDecideResponse: Sendable, Hashable {
    /// The alert after the decision (required on the wire).
    public var item: ReviewItem
    /// True when this is the stored answer to an earlier request with the same idempotency key.
    public var replayed: Bool
    /// True when an existing, different decision was overridden.
    public var overridden: Bool

    /// Creates a response.
    public init(item: ReviewItem, replayed: Bool = false, overridden: Bool = false) {
        self.item = item
        self.replayed = replayed
        self.overridden = overridden
    }
}

/// `txad.v1.Reviews/DecideMany` request.
public struct DecideManyRequest: Sendable, Hashable {
    /// The decisions, each handled like one `Decide`.
    public var items: [ReviewDecideRequest]

    /// Creates a request.
    public init(items: [ReviewDecideRequest] = []) {
        self.items = items
    }
}

/// The outcome of one item of `DecideMany`.
public struct DecideResult: Sendable, Hashable {
    /// OK, or why the item failed (the codes `Decide` would return).
    public var status: RPCStatus
    /// The answer when `status` is OK.
    public var response: ReviewDecideResponse?

    /// Creates a result.
    public init(status: RPCStatus = .ok, response: ReviewDecideResponse? = nil) {
        self.status = status
        self.response = response
    }
}

/// `txad.v1.Reviews/DecideMany` response.
public struct DecideManyResponse: Sendable, Hashable {
    /// One result per item, in request order.
    public var results: [DecideResult]

    /// Creates a response.
    public init(results: [DecideResult] = []) {
        self.results = results
    }
}

/// `txad.v1.Reviews/Stats` request.
public struct ReviewStatsRequest: Sendable, Hashable {
    /// Creates a request.
    public init() {}
}

/// A count of notification deliveries in one channel and state.
public struct ChannelStateCount: Sendable, Hashable {
    /// The channel's name.
    public var channel: String
    /// The delivery state.
    public var state: String
    /// How many.
    public var count: UInt64

    /// Creates a count.
    public init(channel: String, state: String, count: UInt64) {
        self.channel = channel
        self.state = state
        self.count = count
    }
}

/// `txad.v1.Reviews/Stats` response: review and notification figures for `/stats`.
public struct ReviewStatsResponse: Sendable, Hashable {
    /// Alerts decided fraud.
    public var decidedFraud: UInt64
    /// Alerts decided legitimate.
    public var decidedLegitimate: UInt64
    /// fraud / decided; 0 when none decided.
    public var precision: Double
    /// legitimate / decided (the share of reviewed alerts that were false alarms); 0 when none decided.
    public var falsePositiveRate: Double
    /// Pending alerts per risk level.
    public var backlogByRisk: [RiskCount]
    /// Median seconds from alert to decision; 0 when none decided.
    public var medianSecondsToDecision: Double
    /// 90th percentile of seconds from alert to decision; 0 when none decided.
    public var p90SecondsToDecision: Double
    /// Pending alerts past their review SLA, per risk level.
    public var slaBreachedByRisk: [RiskCount]
    /// Decided alerts whose decision came after their SLA.
    public var decidedAfterSLA: UInt64
    /// Notification deliveries per channel and state.
    public var deliveries: [ChannelStateCount]
    /// Deliveries in state `dead`.
    public var deadLetters: UInt64
    /// Audited decision overrides.
    public var overrides: UInt64

    /// Creates a response.
    public init(
        decidedFraud: UInt64 = 0, decidedLegitimate: UInt64 = 0, precision: Double = 0, falsePositiveRate: Double = 0,
        backlogByRisk: [RiskCount] = [], medianSecondsToDecision: Double = 0, p90SecondsToDecision: Double = 0,
        slaBreachedByRisk: [RiskCount] = [], decidedAfterSLA: UInt64 = 0, deliveries: [ChannelStateCount] = [],
        deadLetters: UInt64 = 0, overrides: UInt64 = 0
    ) {
        self.decidedFraud = decidedFraud
        self.decidedLegitimate = decidedLegitimate
        self.precision = precision
        self.falsePositiveRate = falsePositiveRate
        self.backlogByRisk = backlogByRisk
        self.medianSecondsToDecision = medianSecondsToDecision
        self.p90SecondsToDecision = p90SecondsToDecision
        self.slaBreachedByRisk = slaBreachedByRisk
        self.decidedAfterSLA = decidedAfterSLA
        self.deliveries = deliveries
        self.deadLetters = deadLetters
        self.overrides = overrides
    }
}

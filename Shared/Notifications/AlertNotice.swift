import Domain
import Foundation

/// What a notification says about one alert: no raw user id (only its pseudonym), no location.
public struct AlertNotice: Sendable, Hashable, Codable {
    /// The alert's id (`alerts.alert_id`), also PagerDuty's `dedup_key`.
    public var alertID: String
    /// The scored transaction's id.
    public var transactionID: String
    /// A stable pseudonym of the user (never the user id itself).
    public var userPseudonym: String
    /// The alert's risk level.
    public var riskLevel: RiskLevel
    /// The ensemble score in 0…1.
    public var score: Double
    /// The transaction amount.
    public var amount: Double
    /// ISO 4217 currency code.
    public var currency: String
    /// The merchant category, when known.
    public var merchantCategory: String?
    /// Why it scored as it did, most important first.
    public var reasons: [Reason]
    /// When the alert was recorded (Unix milliseconds).
    public var createdAtMillis: Int64

    /// Creates a notice.
    public init(
        alertID: String, transactionID: String, userPseudonym: String, riskLevel: RiskLevel, score: Double,
        amount: Double, currency: String, merchantCategory: String?, reasons: [Reason], createdAtMillis: Int64
    ) {
        self.alertID = alertID
        self.transactionID = transactionID
        self.userPseudonym = userPseudonym
        self.riskLevel = riskLevel
        self.score = score
        self.amount = amount
        self.currency = currency
        self.merchantCategory = merchantCategory
        self.reasons = reasons
        self.createdAtMillis = createdAtMillis
    }

    /// `1250.00 EUR`.
    var formattedAmount: String { String(format: "%.2f %@", amount, currency) }

    /// `critical` → `Critical`.
    var riskTitle: String { riskLevel.rawValue.prefix(1).uppercased() + riskLevel.rawValue.dropFirst() }

    /// The first three reasons' sentences.
    var topReasons: [String] { reasons.prefix(3).map(\.text) }
}

/// One notification to deliver: an alert, a follow-up grouping several alerts of one user, or a resolution.
public struct NotificationMessage: Sendable {
    /// What the notification announces.
    public enum Kind: String, Sendable {
        /// A new alert (the first of its user within the group window).
        case alert = "alert.created"
        /// Alerts of one user grouped into one notification at the end of the window.
        case followUp = "alert.followup"
        /// An alert was decided legitimate (PagerDuty `resolve`).
        case resolve = "alert.resolved"
    }

    /// The event's id: the delivery's id, stable across retries (webhook `id` and `Idempotency-Key`).
    public var eventID: String
    /// What the notification announces.
    public var kind: Kind
    /// The alerts described, oldest first; the first is the one the delivery was created for.
    public var alerts: [AlertNotice]
    /// When the event was created (Unix seconds).
    public var createdUnix: Int64
    /// The group window, for follow-up wording.
    public var groupWindowSeconds: Int
    /// The alert whose notification opened the incident this one belongs to (PagerDuty's `dedup_key`): a
    /// follow-up joins its user's open incident instead of paging again. `nil`: the first alert's id.
    public var incidentAlertID: String?

    /// Creates a message.
    public init(
        eventID: String, kind: Kind, alerts: [AlertNotice], createdUnix: Int64, groupWindowSeconds: Int = 0,
        incidentAlertID: String? = nil
    ) {
        self.eventID = eventID
        self.kind = kind
        self.alerts = alerts
        self.createdUnix = createdUnix
        self.groupWindowSeconds = groupWindowSeconds
        self.incidentAlertID = incidentAlertID
    }

    /// PagerDuty's `dedup_key`: the incident's alert id.
    var dedupKey: String { incidentAlertID ?? alerts.first?.alertID ?? eventID }

    /// The highest risk among the alerts.
    var highestRisk: RiskLevel { alerts.map(\.riskLevel).max() ?? .medium }

    /// One line for titles, SMS bodies and summaries.
    func headline() throws -> String {
        guard let first = alerts.first else {
            throw NotificationError(.renderingFailed, "notification \(eventID) describes no alert")
        }
        switch kind {
        case .alert:
            return
                "\(first.riskTitle) risk alert \(first.alertID): \(first.formattedAmount) by user \(first.userPseudonym) (score \(String(format: "%.3f", first.score)))"
        case .followUp:
            let minutes = max(1, groupWindowSeconds / 60)
            let total = alerts.reduce(0) { $0 + $1.amount }
            return
                "\(alerts.count) more alert\(alerts.count == 1 ? "" : "s") for user \(first.userPseudonym) within \(minutes) min (highest risk \(highestRisk.rawValue), \(String(format: "%.2f", total)) \(first.currency) in total)"
        case .resolve:
            return "Alert \(first.alertID) for user \(first.userPseudonym) was decided legitimate"
        }
    }
}

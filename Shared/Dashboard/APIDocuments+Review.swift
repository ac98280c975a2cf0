import Foundation

extension APIDocuments {
    /// A transaction as the review API shows it (`prediction.transaction`).
    struct Transaction: Decodable, Sendable, Hashable {
        var transactionID: String
        var userID: String
        var timestamp: String
        var amount: Double
        var currency: String
        var merchantID: String?
        var merchantCategory: String?
        var channel: String?
        var country: String?

        enum CodingKeys: String, CodingKey {
            case transactionID = "transaction_id"
            case userID = "user_id"
            case timestamp, amount, currency
            case merchantID = "merchant_id"
            case merchantCategory = "merchant_category"
            case channel, country
        }
    }

    /// A scored transaction of the review API (an alert's prediction, a user's recent transaction).
    struct Scored: Decodable, Sendable, Hashable {
        var transaction: Transaction
        var isAnomaly: Bool
        var riskLevel: String
        var scores: Prediction.Scores
        var reasons: [Prediction.Reason]
        var modelVersion: String

        enum CodingKeys: String, CodingKey {
            case transaction
            case isAnomaly = "is_anomaly"
            case riskLevel = "risk_level"
            case scores, reasons
            case modelVersion = "model_version"
        }
    }

    /// Who holds an alert's claim and until when.
    struct Claim: Decodable, Sendable, Hashable {
        var analyst: String
        var expiresAt: String

        enum CodingKeys: String, CodingKey {
            case analyst
            case expiresAt = "expires_at"
        }
    }

    /// An alert's decision.
    struct Decision: Decodable, Sendable, Hashable {
        var decision: String
        var note: String
        var analyst: String
        var decidedAt: String

        enum CodingKeys: String, CodingKey {
            case decision, note, analyst
            case decidedAt = "decided_at"
        }
    }

    /// One alert (`ReviewItem`): status, age, SLA state, claim, decision and the scored transaction.
    struct Alert: Decodable, Sendable, Hashable {
        var alertID: String
        var status: String
        var riskLevel: String
        var createdAt: String
        var ageSeconds: Int
        var slaMinutes: Int
        var slaBreached: Bool
        var claim: Claim?
        var decision: Decision?
        var prediction: Scored

        enum CodingKeys: String, CodingKey {
            case alertID = "alert_id"
            case status
            case riskLevel = "risk_level"
            case createdAt = "created_at"
            case ageSeconds = "age_seconds"
            case slaMinutes = "sla_minutes"
            case slaBreached = "sla_breached"
            case claim, decision, prediction
        }
    }

    /// A notification delivery of an alert.
    struct Delivery: Decodable, Sendable, Hashable {
        var channel: String
        var channelType: String
        var eventType: String
        var state: String
        var attempts: Int
        var lastStatus: Int?
        var lastError: String?
        var createdAt: String
        var deliveredAt: String?

        enum CodingKeys: String, CodingKey {
            case channel
            case channelType = "channel_type"
            case eventType = "event_type"
            case state, attempts
            case lastStatus = "last_status"
            case lastError = "last_error"
            case createdAt = "created_at"
            case deliveredAt = "delivered_at"
        }
    }

    /// An audited change of a decision.
    struct Override: Decodable, Sendable, Hashable {
        var analyst: String
        var at: String
        var from: String
        var to: String
        var note: String
    }

    /// `GET /alerts/{alert_id}`: the alert with the user's recent transactions, deliveries and overrides.
    struct AlertDetail: Decodable, Sendable {
        var alert: Alert
        var recentTransactions: [Scored]
        var deliveries: [Delivery]
        var overrides: [Override]

        enum CodingKeys: String, CodingKey {
            case recentTransactions = "recent_transactions"
            case deliveries, overrides
        }

        init(from decoder: any Decoder) throws {
            alert = try Alert(from: decoder)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            recentTransactions = try container.decode([Scored].self, forKey: .recentTransactions)
            deliveries = try container.decode([Delivery].self, forKey: .deliveries)
            overrides = try container.decode([Override].self, forKey: .overrides)
        }
    }

    /// `GET /alerts`: one page and the cursor of the next.
    struct AlertPage: Decodable, Sendable {
        var alerts: [Alert]
        var nextCursor: String?

        enum CodingKeys: String, CodingKey {
            case alerts
            case nextCursor = "next_cursor"
        }
    }

    /// `GET /reviews`: pending alerts, highest risk first.
    struct Queue: Decodable, Sendable {
        var items: [Alert]
        var total: Int
        var breached: Int
        var limit: Int
        var offset: Int
    }
}

import Detection
import Foundation

/// The REST API's JSON documents as the dashboard reads them (SPEC §6). Decoded from the bytes the API itself
/// produces, so a page shows what a REST client would see.
enum APIDocuments {
    /// One prediction (`POST /predict`, and each batch result).
    struct Prediction: Decodable, Sendable, Hashable {
        struct Scores: Decodable, Sendable, Hashable {
            var isolationForest: Double
            var autoencoder: Double
            var ensemble: Double

            enum CodingKeys: String, CodingKey {
                case isolationForest = "isolation_forest"
                case autoencoder, ensemble
            }
        }

        struct Reason: Decodable, Sendable, Hashable {
            var code: String
            var feature: String
            var text: String
        }

        var transactionID: String
        var isAnomaly: Bool
        var riskLevel: String
        var scores: Scores
        var reasons: [Reason]
        var modelVersion: String
        var alertStatus: String?
        var cached: Bool
        var degraded: Bool?

        enum CodingKeys: String, CodingKey {
            case transactionID = "transaction_id"
            case isAnomaly = "is_anomaly"
            case riskLevel = "risk_level"
            case scores, reasons
            case modelVersion = "model_version"
            case alertStatus = "alert_status"
            case cached, degraded
        }
    }

    /// A field and what is wrong with it.
    struct FieldProblem: Decodable, Sendable, Hashable {
        var field: String
        var reason: String
    }

    /// An `application/problem+json` document.
    struct Problem: Decodable, Sendable, Hashable {
        var title: String
        var status: Int
        var detail: String
        var errors: [FieldProblem]?
    }

    /// `GET /stats`.
    /// Alerts created in one UTC hour at one risk level (`GET /stats`' `alerts_by_hour`).
    struct HourCount: Decodable, Sendable, Hashable {
        var hour: String
        var riskLevel: String
        var count: Int

        enum CodingKeys: String, CodingKey {
            case hour
            case riskLevel = "risk_level"
            case count
        }
    }

    struct Stats: Decodable, Sendable, Hashable {
        struct Reviewed: Decodable, Sendable, Hashable {
            var fraud: Int
            var legitimate: Int
        }

        var predictions: Int
        var predictionsByRisk: [String: Int]
        var anomalies: Int
        var anomalyRate: Double
        var alerts: Int
        var alertsByRisk: [String: Int]
        var reviewBacklog: Int
        var reviewed: Reviewed
        var alertPrecision: Double
        var spooled: Int
        /// Review and delivery figures; nil from an alerts service without the review API.
        var review: ReviewStats?
        /// Alerts per UTC hour and risk level over the last day; nil from an older gateway.
        var alertsByHour: [HourCount]?

        enum CodingKeys: String, CodingKey {
            case predictions
            case predictionsByRisk = "predictions_by_risk"
            case anomalies
            case anomalyRate = "anomaly_rate"
            case alerts
            case alertsByRisk = "alerts_by_risk"
            case reviewBacklog = "review_backlog"
            case reviewed
            case alertPrecision = "alert_precision"
            case spooled, review
            case alertsByHour = "alerts_by_hour"
        }
    }

    /// `GET /stats` → `review`: SLA, time to decision and notification deliveries.
    struct ReviewStats: Decodable, Sendable, Hashable {
        struct Timing: Decodable, Sendable, Hashable {
            var median: Double?
            var p90: Double?
        }

        struct Breaches: Decodable, Sendable, Hashable {
            var pendingByRisk: [String: Int]
            var decidedLate: Int

            enum CodingKeys: String, CodingKey {
                case pendingByRisk = "pending_by_risk"
                case decidedLate = "decided_late"
            }
        }

        var timeToDecisionSeconds: Timing
        var slaBreaches: Breaches
        /// Channel → delivery state → count.
        var deliveries: [String: [String: Int]]
        var deadLetters: Int
        var overrides: Int

        enum CodingKeys: String, CodingKey {
            case timeToDecisionSeconds = "time_to_decision_seconds"
            case slaBreaches = "sla_breaches"
            case deliveries
            case deadLetters = "dead_letters"
            case overrides
        }
    }

    /// `GET /models/info`.
    struct ModelInfo: Decodable, Sendable {
        struct Weights: Decodable, Sendable {
            var isolationForest: Double
            var autoencoder: Double

            enum CodingKeys: String, CodingKey {
                case isolationForest = "isolation_forest"
                case autoencoder
            }
        }

        var version: String
        var created: String
        var threshold: Double
        var weights: Weights
        var manifest: BundleManifest?
    }

    /// `POST /predict/batch`.
    struct Batch: Decodable, Sendable {
        struct ItemError: Decodable, Sendable, Hashable {
            var line: Int?
            var index: Int?
            var problems: [FieldProblem]
        }

        struct Summary: Decodable, Sendable, Hashable {
            var total: Int
            var scored: Int
            var anomalies: Int
            var byRisk: [String: Int]

            enum CodingKeys: String, CodingKey {
                case total, scored, anomalies
                case byRisk = "by_risk"
            }
        }

        var results: [Prediction]
        var errors: [ItemError]
        var summary: Summary
    }

    /// Decodes `T` from an API body; nil when the body is not such a document.
    static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8]) -> T? {
        try? JSONDecoder().decode(type, from: Data(body))
    }

    /// The problem document in `reply`, or a generic one when the body is not one.
    static func problem(in reply: DashboardReply) -> Problem {
        decode(Problem.self, from: reply.body)
            ?? Problem(title: "Unexpected answer", status: reply.status, detail: "the API answered \(reply.status)")
    }
}

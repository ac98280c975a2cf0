import Domain

@testable import Wire

/// Sample messages: empty, maximal (every field set, extreme numbers, long repeated fields) and unicode.
enum Fixtures {
    static let unicode = "ünïcödé ✓ 日本語 🚀 Ω≈ç√∫ \u{1F1E9}\u{1F1EA} \u{200D} end"

    static func transaction(_ id: String = "tx-1", unicodeText: Bool = false) -> Transaction {
        Transaction(
            transactionID: id, userID: "user_42", timestampMillis: Int64.max, amount: 1e9, currency: "EUR",
            merchantID: unicodeText ? unicode : "m-1", merchantCategory: unicodeText ? unicode : "grocery",
            channel: .online, latitude: -89.999999, longitude: 179.999999, country: "DE")
    }

    static let emptyTransaction = Transaction(transactionID: "", userID: "", timestampMillis: 0, amount: 0)

    static func featureVector(_ id: String = "tx-1", count: Int = 30) -> FeatureVector {
        FeatureVector(
            transactionID: id, schemaVersion: UInt32.max,
            values: (0..<count).map { Double($0) * 1.5 - 7 } + [Double.greatestFiniteMagnitude, -0.0, .infinity],
            rawValues: [14.2, -Double.leastNonzeroMagnitude, .infinity, -0.0],
            degraded: true)
    }

    static func score(_ id: String = "tx-1", reasons: Int = 3) -> Score {
        Score(
            transactionID: id, isolationForest: 0.73, autoencoder: 0.91, ensemble: 0.82, isAnomaly: true,
            riskLevel: .critical,
            reasons: (0..<reasons).map {
                Reason(
                    code: "AMOUNT_HIGH_\($0)", feature: "amount_ratio", value: 14.2,
                    text: "amount is 14.2× this user's average")
            },
            modelVersion: "2024-06-01T12:00:00Z-abc123")
    }

    static func scored(_ id: String = "tx-1") -> ScoredTransaction {
        ScoredTransaction(
            transaction: transaction(id, unicodeText: true), score: score(id), degraded: true, requestID: "req-\(id)",
            scoredAtMillis: Int64.min)
    }

    static func alert(_ id: String = "alert-1") -> Alert {
        Alert(
            alertID: id, scored: scored(), status: .confirmedFraud, createdAtMillis: 1_717_000_000_000,
            channels: [.reviewQueue, .slack, .teams, .pagerDuty, .email, .sms, .unrecognized(99)],
            decision: ReviewDecision(decision: .fraud, note: unicode, analyst: "ana", decidedAtMillis: -1))
    }

    static func scoreResponse(count: Int) -> ScoreResponse {
        ScoreResponse(scores: (0..<count).map { score("tx-\($0)") })
    }

    static func scoreRequest(count: Int) -> ScoreRequest {
        ScoreRequest(vectors: (0..<count).map { featureVector("tx-\($0)") })
    }
}

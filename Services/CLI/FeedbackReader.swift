import Detection
import Domain
import Foundation
import Stores

/// Reads analysts' decisions from the alerts service's PostgreSQL database for `txad train --feedback`.
///
/// Every decided alert (`confirmed_fraud` or `legitimate`) becomes a label, and its transaction is read from the
/// `predictions` table exactly as production saw it, so a decision on a transaction missing from the training file
/// still trains (its features replayed at its place in time among the file's rows).
enum FeedbackReader {
    /// What the database holds: the labels and the decided transactions.
    struct Feedback {
        var labels: ReviewLabels
        var transactions: [Transaction]
        /// Decided rows whose stored transaction could not be used (invalid fields), with the reason.
        var skipped: [String]
    }

    /// The decided alerts joined with their predictions, oldest first.
    static let query = """
        SELECT a.status, p.transaction_id, p.user_id,
               (extract(epoch FROM p.occurred_at) * 1000)::bigint AS occurred_millis,
               p.amount, p.currency, p.merchant_id, p.merchant_category, p.channel, p.latitude, p.longitude, p.country
        FROM alerts a JOIN predictions p ON p.transaction_id = a.transaction_id
        WHERE a.status IN ('confirmed_fraud', 'legitimate')
        ORDER BY p.occurred_at, p.transaction_id
        """

    /// Connects to `url`, reads every decided alert and disconnects.
    static func read(url: String) async throws -> Feedback {
        let client = try PostgresClient(url: url)
        do {
            let rows = try await client.query(query)
            await client.shutdown()
            return try decode(rows)
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// Turns result rows into labels and transactions; a row whose fields fail the transaction rules is skipped
    /// and named, never silently dropped.
    static func decode(_ rows: PostgresRows) throws -> Feedback {
        var labels = ReviewLabels()
        var transactions: [Transaction] = []
        var skipped: [String] = []
        for row in rows {
            let id = try row.string("transaction_id") ?? ""
            guard let status = try row.string("status"), let user = try row.string("user_id"),
                let millis = try row.int64("occurred_millis"), let amount = try row.double("amount")
            else {
                skipped.append("\(id): missing required fields")
                continue
            }
            let channel = try row.string("channel")
            let transaction = Transaction(
                transactionID: id, userID: user, timestampMillis: millis, amount: amount,
                currency: try row.string("currency") ?? "USD", merchantID: try row.string("merchant_id"),
                merchantCategory: try row.string("merchant_category"),
                channel: channel.flatMap(Channel.init(rawValue:)),
                latitude: try row.double("latitude"), longitude: try row.double("longitude"),
                country: try row.string("country"))
            let problems = TransactionRules.problems(in: transaction)
            guard problems.isEmpty, channel == nil || transaction.channel != nil else {
                skipped.append("\(id): " + (problems.map(\.description).first ?? "invalid channel '\(channel ?? "")'"))
                continue
            }
            labels.set(id, fraud: status == "confirmed_fraud")
            transactions.append(transaction)
        }
        return Feedback(labels: labels, transactions: transactions, skipped: skipped)
    }
}

import Domain
import Foundation

/// Offline scoring of a CSV file into a CSV file (`txad score`), streamed in chunks with bounded memory.
///
/// Each chunk's features are replayed in time order continuing from the user state left by earlier chunks, so a
/// file in time order (as exported or generated) gets exactly the features of one whole-file replay, starting
/// from empty state: the file should contain the users' history. Scoring and reasons use all cores. Bad rows are
/// skipped, counted and reported; they never stop the other rows.
public enum BatchScoring {
    /// Columns appended to every row.
    public static let scoreColumns = [
        "isolation_forest_score", "autoencoder_score", "ensemble_score", "risk_level", "is_anomaly", "reasons",
        "reason_codes",
    ]

    /// What a scoring run did.
    public struct Outcome: Sendable {
        /// Rows scored and rows skipped as invalid.
        public var rows: Int
        public var badRows: Int
        /// The first skipped rows with their problems.
        public var badRowExamples: [RowError]
        /// Rows flagged as anomalies, and rows per risk level.
        public var anomalies: Int
        public var riskCounts: [RiskLevel: Int]
        /// Header warnings of the input (unknown columns).
        public var warnings: [String]
    }

    /// Scores `dataFile` with the bundle at `modelPath` (bundle or model directory) into `outputFile`.
    ///
    /// The output has the input's transaction columns (and label columns when the input has them, in which case
    /// the decision column is named `predicted_is_anomaly` so it cannot be confused with the label), then
    /// ``scoreColumns``. `progress` gets (rows done, rows done + an estimate of rows left from the bytes left).
    @discardableResult
    public static func run(
        modelPath: String, dataFile: String, outputFile: String, chunkRows: Int = 1 << 16,
        progress: ((Int, Int) -> Void)? = nil
    ) throws(DetectionError) -> Outcome {
        let scorer = try AnomalyScorer(path: modelPath)
        let replay = FeatureReplay(priors: scorer.bundle.manifest.featurePriors)
        let reader = try CSVTransactionReader(path: dataFile)
        let writer = try CSVWriter(path: outputFile)
        let labels = reader.hasLabels
        var columns = scoreColumns
        if labels { columns[4] = "predicted_is_anomaly" }
        try writer.writeRow(CSVWriter.header(labels: labels, extra: columns))

        var outcome = Outcome(
            rows: 0, badRows: 0, badRowExamples: [], anomalies: 0, riskCounts: [:], warnings: reader.warnings)
        var states: [String: UserState] = [:]
        var transactions: [Transaction] = []
        var rowLabels: [AnomalyLabel?] = []
        transactions.reserveCapacity(chunkRows)
        rowLabels.reserveCapacity(chunkRows)
        var finished = false
        while !finished {
            transactions.removeAll(keepingCapacity: true)
            rowLabels.removeAll(keepingCapacity: true)
            while transactions.count < chunkRows {
                guard let record = try reader.next() else {
                    finished = true
                    break
                }
                switch record {
                case .success(let row):
                    transactions.append(row.transaction)
                    rowLabels.append(row.label)
                case .failure(let bad):
                    outcome.badRows += 1
                    if outcome.badRowExamples.count < 100 { outcome.badRowExamples.append(bad) }
                }
            }
            guard !transactions.isEmpty else { continue }
            let features = replay.run(transactions, initialStates: states, options: .init(keepRaw: true, keepStates: true))
            states = features.finalStates
            let matrix = try scorer.scaled(features.matrix)
            let batch = scorer.scores(scaled: matrix, featureErrors: true)
            let scores = scorer.explain(matrix, batch) { i in (transactions[i].transactionID, features.raw[i]) }
            for (i, score) in scores.enumerated() {
                outcome.riskCounts[score.riskLevel, default: 0] += 1
                if score.isAnomaly { outcome.anomalies += 1 }
                try writer.write(
                    transactions[i], label: rowLabels[i], labels: labels,
                    extra: [
                        format(score.isolationForest), format(score.autoencoder), format(score.ensemble),
                        score.riskLevel.rawValue, score.isAnomaly ? "1" : "0",
                        score.reasons.map(\.text).joined(separator: "; "),
                        score.reasons.map(\.code).joined(separator: ";"),
                    ])
            }
            outcome.rows += transactions.count
            let (read, total) = reader.progress
            let estimate = total.map { read > 0 ? Int(Double(outcome.rows) * Double($0) / Double(read)) : 0 }
            progress?(outcome.rows, max(outcome.rows, estimate ?? outcome.rows))
        }
        _ = try writer.close()
        return outcome
    }

    /// A score with 6 decimals.
    static func format(_ value: Double) -> String {
        String((value * 1e6).rounded() / 1e6)
    }
}

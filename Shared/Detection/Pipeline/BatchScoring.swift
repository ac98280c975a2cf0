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
    /// With `historyFile`, that file is replayed first (its rows are not scored) so users start with their
    /// history. Bundles trained with labels add a `supervised_score` column (the trees' probability); their
    /// `ensemble_score` is the learned blend.
    @discardableResult
    public static func run(
        modelPath: String, dataFile: String, outputFile: String, historyFile: String? = nil, chunkRows: Int = 1 << 16,
        progress: ((Int, Int) -> Void)? = nil
    ) throws(DetectionError) -> Outcome {
        let scorer = try AnomalyScorer(path: modelPath)
        var replay = FeatureReplaySession(priors: scorer.bundle.manifest.featurePriors)
        if let historyFile {
            let history = try CSVTransactionReader.readAll(path: historyFile, policy: .scoring)
            _ = replay.run(history.transactions)
        }
        let reader = try CSVTransactionReader(path: dataFile)
        let writer = try CSVWriter(path: outputFile)
        let labels = reader.hasLabels
        let supervised = scorer.supervised != nil
        var columns = scoreColumns + (supervised ? ["supervised_score"] : [])
        if labels { columns[4] = "predicted_is_anomaly" }
        try writer.writeRow(CSVWriter.header(labels: labels, extra: columns))

        // Two stages overlap: while one chunk is explained (on all cores) and written on this thread, the next is
        // parsed and its features replayed on another. Each stage owns its own state, so they never touch the same
        // variables.
        var badRows = 0
        var badRowExamples: [RowError] = []
        func readChunk() throws(DetectionError) -> Chunk? {
            var chunk = Chunk()
            chunk.transactions.reserveCapacity(chunkRows)
            chunk.labels.reserveCapacity(chunkRows)
            while chunk.transactions.count < chunkRows, let record = try reader.next() {
                switch record {
                case .success(let row):
                    chunk.transactions.append(row.transaction)
                    chunk.labels.append(row.label)
                case .failure(let bad):
                    badRows += 1
                    if badRowExamples.count < 100 { badRowExamples.append(bad) }
                }
            }
            guard !chunk.transactions.isEmpty else { return nil }
            let features = replay.run(chunk.transactions, options: .init(keepRaw: true))
            chunk.matrix = try scorer.scaled(features.matrix)
            chunk.raw = features.raw
            chunk.progress = reader.progress
            return chunk
        }

        var rows = 0
        var anomalies = 0
        var riskCounts: [RiskLevel: Int] = [:]
        func emit(_ chunk: Chunk) throws(DetectionError) {
            let transactions = chunk.transactions
            let scores = scorer.explain(scaled: chunk.matrix) { i in (transactions[i].transactionID, chunk.raw[i]) }
            for (i, score) in scores.enumerated() {
                riskCounts[score.riskLevel, default: 0] += 1
                if score.isAnomaly { anomalies += 1 }
                try writer.write(
                    transactions[i], label: chunk.labels[i], labels: labels,
                    extra: [
                        format(score.isolationForest), format(score.autoencoder), format(score.ensemble),
                        score.riskLevel.rawValue, score.isAnomaly ? "1" : "0",
                        score.reasons.map(\.text).joined(separator: "; "),
                        score.reasons.map(\.code).joined(separator: ";"),
                    ] + (supervised ? [format(score.supervised ?? 0)] : []))
            }
            rows += transactions.count
            let (read, total) = chunk.progress
            let estimate = total.map { read > 0 ? Int(Double(rows) * Double($0) / Double(read)) : 0 }
            progress?(rows, max(rows, estimate ?? rows))
        }

        var current = try readChunk()
        while let chunk = current {
            var next: Result<Chunk?, DetectionError> = .success(nil)
            var written: Result<Void, DetectionError> = .success(())
            ParallelRows.concurrentPair { stage in
                if stage == 0 {
                    written = Result { () throws(DetectionError) in try emit(chunk) }
                } else {
                    next = Result { () throws(DetectionError) in try readChunk() }
                }
            }
            try written.get()
            current = try next.get()
        }
        _ = try writer.close()
        return Outcome(
            rows: rows, badRows: badRows, badRowExamples: badRowExamples, anomalies: anomalies, riskCounts: riskCounts,
            warnings: reader.warnings)
    }

    /// One chunk of input with its scaled features.
    private struct Chunk {
        var transactions: [Transaction] = []
        var labels: [AnomalyLabel?] = []
        var matrix = FeatureMatrix(columns: 1)
        var raw: [RawFeatures] = []
        var progress: (read: Int, total: Int?) = (0, nil)
    }

    /// A score with 6 decimals.
    static func format(_ value: Double) -> String {
        String((value * 1e6).rounded() / 1e6)
    }
}

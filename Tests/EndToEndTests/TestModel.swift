import Detection
import Domain
import Foundation
import TestSupport

/// A small generated data set and a model trained on it with the `txad` executable, made once per test process.
enum TestModel {
    struct Prepared: Sendable {
        /// The model directory (with the active bundle) services load.
        var modelDirectory: String
        /// The generated rows, in time order, with labels.
        var rows: [CSVRow]
    }

    static func prepared() async throws -> Prepared { try await shared.value }

    private static let shared = Task<Prepared, any Error> {
        let root = NSTemporaryDirectory() + "txad-e2e-model-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let data = root + "/train.csv"
        try await run(["generate", "--count", "12000", "--users", "120", "--seed", "11", "--out", data, "--quiet"])
        // Few epochs: the suite runs on debug builds; quality is the detection suite's business.
        try await run([
            "train", "--data", data, "--output", root + "/models", "--version", "e2e-1", "--epochs", "3",
            "--holdout", "0", "--seed", "11", "--quiet", "--no-activate",
        ])
        try await run(["models", "promote", "e2e-1", "--model-dir", root + "/models"])
        let reader = try CSVTransactionReader(path: data)
        var rows: [CSVRow] = []
        while let next = try reader.next() {
            if case .success(let row) = next { rows.append(row) }
        }
        return Prepared(modelDirectory: root + "/models", rows: rows)
    }

    /// Runs the `txad` executable; returns its standard error, throws with it when the command fails.
    @discardableResult
    static func run(_ arguments: [String]) async throws -> String {
        try await Command.txad(arguments).errors
    }
}

extension Transaction {
    /// The REST JSON of this transaction.
    var json: [String: Any] {
        var object: [String: Any] = [
            "transaction_id": transactionID, "user_id": userID, "timestamp": RFC3339.format(millis: timestampMillis),
            "amount": amount, "currency": currency,
        ]
        if let merchantID { object["merchant_id"] = merchantID }
        if let merchantCategory { object["merchant_category"] = merchantCategory }
        if let channel { object["channel"] = channel.rawValue }
        if let latitude, let longitude {
            object["latitude"] = latitude
            object["longitude"] = longitude
        }
        if let country { object["country"] = country }
        return object
    }

    var jsonData: Data { (try? JSONSerialization.data(withJSONObject: json)) ?? Data() }
}

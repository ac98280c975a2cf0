/// Renders evaluation results as a plain-text table for the terminal: one column per model.
///
/// ```
/// metric                 isolation_forest  autoencoder  ensemble
/// ROC AUC                           0.912        0.934     0.951
/// …
/// recall high_amount                0.981        0.990     0.995
/// ```
/// Undefined metrics show as `—`.
public enum EvaluationTable {
    /// The table for `results` in the given model order.
    public static func render(_ results: [(name: String, result: EvaluationResult)]) -> String {
        let rows = rows(results)
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    /// The table's cells: a header row (`metric`, then the model names), then one row per metric, count and
    /// anomaly type's recall; the terminal table and the dashboard's HTML table both show these.
    public static func rows(_ results: [(name: String, result: EvaluationResult)]) -> [[String]] {
        var rows: [[String]] = [["metric"] + results.map(\.name)]
        func metric(_ label: String, _ value: (EvaluationResult) -> Double?) {
            rows.append([label] + results.map { formatMetric(value($0.result)) })
        }
        func count(_ label: String, _ value: (ConfusionMatrix) -> Int) {
            rows.append([label] + results.map { String(value($0.result.confusion)) })
        }
        metric("ROC AUC") { $0.rocAUC }
        metric("PR AUC") { $0.prAUC }
        metric("precision") { $0.precision }
        metric("recall") { $0.recall }
        metric("F1") { $0.f1 }
        metric("precision@K") { $0.precisionAtK }
        metric("recall@K") { $0.recallAtK }
        count("true positives") { $0.tp }
        count("false positives") { $0.fp }
        count("true negatives") { $0.tn }
        count("false negatives") { $0.fn }
        let types = Set(results.flatMap { $0.result.recallByType.keys }).sorted()
        for type in types { metric("recall \(type)") { $0.recallByType[type] } }
        return rows
    }

    /// Three decimals, or `—` for an undefined metric.
    static func formatMetric(_ value: Double?) -> String {
        guard let value else { return "—" }
        return formatFixed(value, decimals: 3)
    }
}

/// `value` with exactly `decimals` decimals (no locale, no Foundation formatter), used by every renderer.
public func formatFixed(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "-∞") }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    guard scaled < 9e18 else { return String(value) }
    let whole = UInt64(scaled)
    let divisor = UInt64(scale)
    var text = String(whole / divisor)
    if decimals > 0 {
        let fraction = String(whole % divisor)
        text += "." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }
    return (value < 0 && scaled > 0 ? "-" : "") + text
}

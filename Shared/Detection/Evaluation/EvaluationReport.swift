/// A self-contained HTML evaluation report: metrics table, confusion matrices, per-type recall, ROC and
/// precision–recall curves and score histograms, all inline (no external CDN, no JavaScript).
public enum EvaluationReport {
    /// The report page for `models` (in display order).
    /// - Parameters:
    ///   - title: page heading, e.g. "Model 2024-06-01T12-00-00 on holdout.csv".
    ///   - notes: extra lines shown under the heading (data set, rows, threshold policy), escaped.
    public static func html(title: String, notes: [String] = [], models: [ModelEvaluation]) -> String {
        let e = EvaluationCharts.escape
        var out = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(e(title))</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:1100px}
            h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
            table{border-collapse:collapse;margin:.5rem 0}
            td,th{border:1px solid #ddd;padding:.3rem .6rem;text-align:right}
            th:first-child,td:first-child{text-align:left}
            .charts{display:flex;flex-wrap:wrap;gap:1rem}
            .note{color:#555;margin:.2rem 0}
            </style></head><body>
            <h1>\(e(title))</h1>

            """
        for note in notes { out += "<p class=\"note\">\(e(note))</p>\n" }

        out += "<h2>Metrics</h2>\n<table><tr><th>metric</th>"
        for m in models { out += "<th>\(e(m.name))</th>" }
        out += "</tr>\n"
        let metricRows: [(String, (EvaluationResult) -> Double?)] = [
            ("ROC AUC", { $0.rocAUC }), ("PR AUC", { $0.prAUC }), ("precision", { $0.precision }),
            ("recall", { $0.recall }), ("F1", { $0.f1 }), ("precision@K", { $0.precisionAtK }),
            ("recall@K", { $0.recallAtK }),
        ]
        for (label, value) in metricRows {
            out += "<tr><td>\(label)</td>"
            for m in models { out += "<td>\(EvaluationTable.formatMetric(value(m.result)))</td>" }
            out += "</tr>\n"
        }
        out += "<tr><td>threshold</td>"
        for m in models { out += "<td>\(formatFixed(m.threshold, decimals: 4))</td>" }
        out += "</tr>\n</table>\n"

        out += "<h2>Confusion matrices</h2>\n<div class=\"charts\">\n"
        for m in models {
            let c = m.result.confusion
            out += "<table><tr><th>\(e(m.name))</th><th>flagged</th><th>passed</th></tr>"
            out += "<tr><td>anomaly</td><td>\(c.tp)</td><td>\(c.fn)</td></tr>"
            out += "<tr><td>normal</td><td>\(c.fp)</td><td>\(c.tn)</td></tr></table>\n"
        }
        out += "</div>\n"

        let types = Set(models.flatMap { $0.result.recallByType.keys }).sorted()
        if !types.isEmpty {
            out += "<h2>Recall by anomaly type</h2>\n<table><tr><th>type</th>"
            for m in models { out += "<th>\(e(m.name))</th>" }
            out += "</tr>\n"
            for type in types {
                out += "<tr><td>\(e(type))</td>"
                for m in models { out += "<td>\(EvaluationTable.formatMetric(m.result.recallByType[type]))</td>" }
                out += "</tr>\n"
            }
            out += "</table>\n"
        }

        out += "<h2>Curves</h2>\n<div class=\"charts\">\n"
        out += EvaluationCharts.rocCurve(
            models.map { .init(name: $0.name, points: $0.rocCurve, area: $0.result.rocAUC) })
        out += "\n"
        let positives = models.first.map { $0.result.confusion.tp + $0.result.confusion.fn } ?? 0
        let total = models.first?.result.confusion.total ?? 0
        out += EvaluationCharts.precisionRecallCurve(
            models.map { .init(name: $0.name, points: $0.precisionRecallCurve, area: $0.result.prAUC) },
            baseline: total > 0 ? Double(positives) / Double(total) : nil)
        out += "\n</div>\n<h2>Score distributions</h2>\n<div class=\"charts\">\n"
        for m in models {
            out += EvaluationCharts.scoreHistogram(m.histogram, threshold: m.threshold, title: "\(m.name) scores")
            out += "\n"
        }
        out += "</div>\n</body></html>\n"
        return out
    }
}

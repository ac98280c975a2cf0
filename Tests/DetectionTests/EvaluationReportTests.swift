import Foundation
import Testing

@testable import Detection

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite struct EvaluationReportTests {
    func evaluation(_ name: String) -> ModelEvaluation {
        var rng = Xoshiro256StarStar(seed: 4)
        let labels = (0..<2000).map { _ in rng.nextUnit() < 0.05 }
        let scores = labels.map { min(max(($0 ? 0.8 : 0.3) + rng.nextGaussian() * 0.15, 0), 1) }
        let types = labels.map { $0 ? "rapid_succession" : nil }
        return ModelEvaluation.compute(
            name: name, labels: labels, scores: scores, threshold: 0.6, anomalyTypes: types, histogramRange: 0...1)
    }

    @Test func svgChartsAreStandaloneAndWellFormed() throws {
        let e = evaluation("ensemble <beta>")
        let charts = [
            EvaluationCharts.rocCurve([.init(name: e.name, points: e.rocCurve, area: e.result.rocAUC)]),
            EvaluationCharts.precisionRecallCurve(
                [.init(name: e.name, points: e.precisionRecallCurve)], baseline: 0.05),
            EvaluationCharts.scoreHistogram(e.histogram, threshold: e.threshold),
        ]
        for svg in charts {
            #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
            #expect(svg.hasSuffix("</svg>"))
            #expect(!svg.contains("NaN") && !svg.contains("nan") && !svg.contains("inf"))
            #expect(!svg.contains("<beta>"))  // names are escaped
            // Parses as XML.
            _ = try XMLDocument(xmlString: svg)
        }
        #expect(charts[0].contains("ensemble &lt;beta&gt; (AUC 0."))
        #expect(charts[2].contains("threshold 0.600"))
    }

    @Test func chartsSurviveDegenerateData() throws {
        let empty = ModelEvaluation.compute(name: "empty", labels: [], scores: [], threshold: 0.5)
        for svg in [
            EvaluationCharts.rocCurve([.init(name: "e", points: empty.rocCurve)]),
            EvaluationCharts.scoreHistogram(empty.histogram, threshold: 0.5),
            EvaluationCharts.scoreHistogram(ScoreHistogram(labels: [true, false], scores: [2, 2]), threshold: nil),
        ] {
            #expect(!svg.contains("NaN"))
            _ = try XMLDocument(xmlString: svg)
        }
    }

    @Test func htmlReportIsSelfContained() {
        let html = EvaluationReport.html(
            title: "Model v1 on holdout.csv", notes: ["10,000 rows & 500 anomalies"],
            models: [evaluation("isolation_forest"), evaluation("autoencoder"), evaluation("ensemble")])
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("10,000 rows &amp; 500 anomalies"))
        // No external resources: the only URL is the SVG namespace.
        #expect(!html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http"))
        #expect(!html.contains("<script"))
        #expect(html.components(separatedBy: "<svg").count - 1 == 5)  // ROC, PR, 3 histograms
        #expect(html.contains("rapid_succession"))
    }

    @Test func terminalTable() {
        let e = evaluation("ensemble")
        let degenerate = Metrics.evaluate(labels: [false], scores: [0.2], threshold: 0.5)
        let table = EvaluationTable.render([(name: "ensemble", result: e.result), (name: "empty", result: degenerate)])
        let lines = table.split(separator: "\n")
        #expect(lines.first?.hasPrefix("metric") == true)
        #expect(lines.contains { $0.hasPrefix("ROC AUC") && $0.contains("—") })
        #expect(lines.contains { $0.hasPrefix("recall rapid_succession") })
        #expect(Set(lines.map(\.count)).count == 1)  // aligned columns
    }
}

import Foundation
import Testing

@testable import Detection

@Suite struct MetricsTests {
    @Test func handComputedAUCs() throws {
        // Scores: positives 0.9, 0.4; negatives 0.8, 0.3, 0.1. Pairs won: (0.9 > all 3) + (0.4 > 0.3, 0.1) = 5 of 6.
        let labels = [true, false, true, false, false]
        let scores = [0.9, 0.8, 0.4, 0.3, 0.1]
        #expect(abs(try #require(Metrics.rocAUC(labels: labels, scores: scores)) - 5.0 / 6) < 1e-12)
        // AP: at 0.9 P=1 R=.5; at 0.4 P=2/3 R=1 → 0.5·1 + 0.5·2/3.
        #expect(abs(try #require(Metrics.averagePrecision(labels: labels, scores: scores)) - (0.5 + 1.0 / 3)) < 1e-12)
    }

    @Test func tiesCountHalf() throws {
        // One positive and one negative tied: AUC 0.5, not 0 or 1 depending on sort order.
        #expect(Metrics.rocAUC(labels: [true, false], scores: [0.5, 0.5]) == 0.5)
        // Positive 0.7 ties a negative 0.7 and beats 0.2: (0.5 + 1) / 2.
        #expect(Metrics.rocAUC(labels: [false, true, false], scores: [0.7, 0.7, 0.2]) == 0.75)
        // All scores equal: AP is the positive rate, AUC 0.5, precision@K the positive rate.
        let labels = [true, false, false, true, false]
        let flat = [Double](repeating: 1, count: 5)
        #expect(Metrics.rocAUC(labels: labels, scores: flat) == 0.5)
        #expect(abs(try #require(Metrics.averagePrecision(labels: labels, scores: flat)) - 0.4) < 1e-12)
        #expect(abs(try #require(Metrics.precisionAtK(labels: labels, scores: flat, k: 2)) - 0.4) < 1e-12)
        // Order of the input must not matter.
        #expect(Metrics.rocAUC(labels: labels.reversed(), scores: flat) == 0.5)
    }

    @Test func invariantsThatCatchLyingMetrics() throws {
        var rng = Xoshiro256StarStar(seed: 9)
        for trial in 0..<50 {
            let n = 20 + rng.nextInt(below: 400)
            let labels = (0..<n).map { _ in rng.nextUnit() < 0.1 }
            // Coarse scores so ties are common.
            let scores = labels.map { l in ((l ? 0.6 : 0.4) + rng.nextGaussian() * 0.2).rounded(toPlaces: 1) }
            let threshold = 0.5 + Double(rng.nextInt(below: 3)) / 10
            let types = labels.map { $0 ? ["high_amount", "unusual_time"][rng.nextInt(below: 2)] : nil }
            let r = Metrics.evaluate(labels: labels, scores: scores, threshold: threshold, anomalyTypes: types)
            let positives = labels.filter { $0 }.count
            let c = r.confusion
            #expect(c.total == n)
            #expect(c.tp + c.fn == positives)
            #expect(c.tp + c.fp == scores.filter { $0 >= threshold }.count)
            if positives > 0 {
                #expect(r.precisionAtK == r.recallAtK, "trial \(trial)")
                #expect(try #require(r.precisionAtK) <= 1)
                #expect(try #require(r.recall) == Double(c.tp) / Double(positives))
                let typed = r.recallByType.reduce(0.0) { sum, e in
                    sum + e.value * Double(types.filter { $0 == e.key }.count)
                }
                #expect(abs(typed - Double(c.tp)) < 1e-9)
            }
            if let p = r.precision, let rec = r.recall, let f1 = r.f1, p + rec > 0 {
                #expect(abs(f1 - 2 * p * rec / (p + rec)) < 1e-12)
            }
            if let p = r.precision { #expect(p == Double(c.tp) / Double(c.tp + c.fp)) }
            for value in [r.rocAUC, r.prAUC, r.precision, r.recall, r.f1, r.precisionAtK].compactMap({ $0 }) {
                #expect(value >= 0 && value <= 1 && value.isFinite)
            }
        }
    }

    @Test func precisionAtKIsBoundedByThePositiveShare() throws {
        let labels = [true, false, false, false]
        let scores = [0.1, 0.9, 0.8, 0.7]
        #expect(Metrics.precisionAtK(labels: labels, scores: scores, k: 1) == 0)
        let k4 = try #require(Metrics.precisionAtK(labels: labels, scores: scores, k: 4))
        #expect(k4 <= 1.0 / 4)
    }

    @Test func degenerateInputsAreClearNotNaN() throws {
        let noPositives = Metrics.evaluate(labels: [false, false, false], scores: [0.1, 0.9, 0.5], threshold: 0.5)
        #expect(noPositives.rocAUC == nil && noPositives.prAUC == nil && noPositives.recall == nil)
        #expect(noPositives.precisionAtK == nil && noPositives.recallAtK == nil)
        #expect(noPositives.precision == 0)
        #expect(noPositives.f1 == 0)
        #expect(noPositives.recallByType.isEmpty)
        let nothing = Metrics.evaluate(labels: [], scores: [], threshold: 0.5)
        #expect(nothing.precision == nil && nothing.f1 == nil && nothing.confusion.total == 0)
        let nan = Metrics.evaluate(labels: [true, false], scores: [.nan, 0.3], threshold: 0.5)
        #expect(nan.rocAUC == 0)
        #expect(Metrics.rocCurve(labels: [false], scores: [1]).isEmpty)

        let json = try EvaluationResult.json(["isolation_forest": noPositives])
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains("\"roc_auc\" : null"))
        #expect(!text.contains("NaN"))
    }

    @Test func jsonKeysAreExact() throws {
        let r = Metrics.evaluate(
            labels: [true, false, true, false], scores: [0.9, 0.2, 0.3, 0.1], threshold: 0.5,
            anomalyTypes: ["high_amount", nil, "unusual_time", nil])
        let object = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(r)) as? [String: Any])
        #expect(
            Set(object.keys)
                == [
                    "roc_auc", "pr_auc", "precision", "recall", "f1", "precision_at_k", "recall_at_k", "confusion",
                    "recall_by_type",
                ])
        let confusion = try #require(object["confusion"] as? [String: Int])
        #expect(confusion == ["tp": 1, "fp": 0, "tn": 2, "fn": 1])
        #expect(object["recall_by_type"] as? [String: Double] == ["high_amount": 1, "unusual_time": 0])
        #expect(try JSONDecoder().decode(EvaluationResult.self, from: JSONEncoder().encode(r)) == r)
    }

    @Test func curvesRunCorner() throws {
        let labels = [true, false, true, false, false, true]
        let scores = [0.9, 0.8, 0.7, 0.3, 0.3, 0.1]
        let roc = Metrics.rocCurve(labels: labels, scores: scores)
        #expect(roc.first.map { [$0.x, $0.y] } == [0, 0])
        #expect(roc.last.map { [$0.x, $0.y] } == [1, 1])
        #expect(zip(roc, roc.dropFirst()).allSatisfy { $0.x <= $1.x && $0.y <= $1.y })
        let pr = Metrics.precisionRecallCurve(labels: labels, scores: scores)
        #expect(pr.last?.x == 1)
        #expect(pr.first.map { [$0.x, $0.y] } == [1.0 / 3, 1])
        let many = Metrics.rocCurve(
            labels: (0..<5000).map { $0 % 7 == 0 }, scores: (0..<5000).map { Double($0) }, maximumPoints: 100)
        #expect(many.count == 100)
    }
}

extension Double {
    fileprivate func rounded(toPlaces places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (self * scale).rounded() / scale
    }
}

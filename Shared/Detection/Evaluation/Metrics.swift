/// A point of a ROC curve (`x` = false-positive rate, `y` = true-positive rate) or of a precision–recall curve
/// (`x` = recall, `y` = precision), with the score threshold that produces it.
public struct CurvePoint: Sendable, Hashable, Codable {
    /// False-positive rate (ROC) or recall (precision–recall).
    public var x: Double
    /// True-positive rate (ROC) or precision (precision–recall).
    public var y: Double
    /// Rows scoring at least this are flagged at this point.
    public var threshold: Double

    /// Creates a point.
    public init(x: Double, y: Double, threshold: Double) {
        self.x = x
        self.y = y
        self.threshold = threshold
    }
}

/// Binary-classification metrics for anomaly scores against labels (higher score = more anomalous; a row is
/// flagged when `score >= threshold`).
///
/// Ties are handled honestly everywhere: rows with equal scores are one step of a curve, ROC AUC gives tied
/// positive/negative pairs half credit, and precision@K shares a tied group at the cut pro rata. NaN scores
/// count as the lowest score. Undefined values are `nil`, never NaN.
public enum Metrics {
    /// Every metric of ``EvaluationResult``.
    /// - Parameters:
    ///   - labels: `true` for anomalies.
    ///   - scores: aligned with `labels`.
    ///   - anomalyTypes: aligned with `labels` (the type of each anomaly), for ``EvaluationResult/recallByType``.
    /// - Precondition: the arrays have equal length.
    public static func evaluate(labels: [Bool], scores: [Double], threshold: Double, anomalyTypes: [String?]? = nil)
        -> EvaluationResult
    {
        precondition(labels.count == scores.count, "labels and scores differ in length")
        precondition(anomalyTypes.map { $0.count == labels.count } ?? true, "labels and anomaly types differ in length")
        var confusion = ConfusionMatrix(tp: 0, fp: 0, tn: 0, fn: 0)
        var typeTotals: [String: Int] = [:]
        var typeHits: [String: Int] = [:]
        for i in labels.indices {
            let flagged = clean(scores[i]) >= threshold
            switch (labels[i], flagged) {
            case (true, true): confusion.tp += 1
            case (true, false): confusion.fn += 1
            case (false, true): confusion.fp += 1
            case (false, false): confusion.tn += 1
            }
            if labels[i] {
                let type = anomalyTypes?[i] ?? "unspecified"
                typeTotals[type, default: 0] += 1
                if flagged { typeHits[type, default: 0] += 1 }
            }
        }
        let positives = confusion.tp + confusion.fn
        let flaggedCount = confusion.tp + confusion.fp
        let f1Denominator = 2 * confusion.tp + confusion.fp + confusion.fn
        let atK = precisionAtK(labels: labels, scores: scores, k: positives)
        return EvaluationResult(
            rocAUC: rocAUC(labels: labels, scores: scores),
            prAUC: averagePrecision(labels: labels, scores: scores),
            precision: flaggedCount > 0 ? Double(confusion.tp) / Double(flaggedCount) : nil,
            recall: positives > 0 ? Double(confusion.tp) / Double(positives) : nil,
            f1: f1Denominator > 0 ? Double(2 * confusion.tp) / Double(f1Denominator) : nil,
            precisionAtK: atK,
            recallAtK: atK,
            confusion: confusion,
            recallByType: typeTotals.reduce(into: [:]) { out, entry in
                out[entry.key] = Double(typeHits[entry.key] ?? 0) / Double(entry.value)
            })
    }

    /// ROC AUC by the Mann–Whitney statistic with mid-ranks for ties; `nil` unless both classes are present.
    public static func rocAUC(labels: [Bool], scores: [Double]) -> Double? {
        let groups = tiedGroups(labels: labels, scores: scores, descending: false)
        let positives = groups.reduce(0) { $0 + $1.positives }
        let negatives = labels.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        var rankSum = 0.0
        var below = 0
        for g in groups {
            // Ranks below+1 … below+size share their mean.
            let midRank = Double(below) + Double(g.size + 1) / 2
            rankSum += midRank * Double(g.positives)
            below += g.size
        }
        let p = Double(positives)
        return (rankSum - p * (p + 1) / 2) / (p * Double(negatives))
    }

    /// Average precision: Σ (Rₙ − Rₙ₋₁) Pₙ over score thresholds from high to low (tied scores form one
    /// threshold); `nil` without positives.
    public static func averagePrecision(labels: [Bool], scores: [Double]) -> Double? {
        let groups = tiedGroups(labels: labels, scores: scores, descending: true)
        let positives = groups.reduce(0) { $0 + $1.positives }
        guard positives > 0 else { return nil }
        var tp = 0
        var seen = 0
        var previousRecall = 0.0
        var ap = 0.0
        for g in groups {
            tp += g.positives
            seen += g.size
            let recall = Double(tp) / Double(positives)
            ap += (recall - previousRecall) * Double(tp) / Double(seen)
            previousRecall = recall
        }
        return ap
    }

    /// Precision among the `k` highest-scoring rows, a tied group straddling the cut contributing its positive
    /// share pro rata (the expectation over tie orders); `nil` when `k` is 0.
    public static func precisionAtK(labels: [Bool], scores: [Double], k: Int) -> Double? {
        guard k > 0 else { return nil }
        var hits = 0.0
        var taken = 0
        for g in tiedGroups(labels: labels, scores: scores, descending: true) {
            guard taken < k else { break }
            let take = min(g.size, k - taken)
            hits += Double(g.positives) * Double(take) / Double(g.size)
            taken += take
        }
        return hits / Double(k)
    }

    /// The ROC curve from (0, 0) to (1, 1), one point per distinct score, thinned to at most `maximumPoints`
    /// (keeping the ends); empty unless both classes are present.
    public static func rocCurve(labels: [Bool], scores: [Double], maximumPoints: Int = 500) -> [CurvePoint] {
        let groups = tiedGroups(labels: labels, scores: scores, descending: true)
        let positives = groups.reduce(0) { $0 + $1.positives }
        let negatives = labels.count - positives
        guard positives > 0, negatives > 0 else { return [] }
        var points = [CurvePoint(x: 0, y: 0, threshold: .infinity)]
        var tp = 0
        var fp = 0
        for g in groups {
            tp += g.positives
            fp += g.size - g.positives
            points.append(
                CurvePoint(x: Double(fp) / Double(negatives), y: Double(tp) / Double(positives), threshold: g.score))
        }
        return thinned(points, to: maximumPoints)
    }

    /// The precision–recall curve, one point per distinct score from the highest, thinned to at most
    /// `maximumPoints`; empty without positives.
    public static func precisionRecallCurve(labels: [Bool], scores: [Double], maximumPoints: Int = 500)
        -> [CurvePoint]
    {
        let groups = tiedGroups(labels: labels, scores: scores, descending: true)
        let positives = groups.reduce(0) { $0 + $1.positives }
        guard positives > 0 else { return [] }
        var points: [CurvePoint] = []
        var tp = 0
        var seen = 0
        for g in groups {
            tp += g.positives
            seen += g.size
            points.append(
                CurvePoint(x: Double(tp) / Double(positives), y: Double(tp) / Double(seen), threshold: g.score))
        }
        return thinned(points, to: maximumPoints)
    }

    /// Rows sharing one score: how many and how many are positive.
    struct TiedGroup {
        var score: Double
        var size: Int
        var positives: Int
    }

    static func tiedGroups(labels: [Bool], scores: [Double], descending: Bool) -> [TiedGroup] {
        precondition(labels.count == scores.count, "labels and scores differ in length")
        let cleaned = scores.map(clean)
        let order = cleaned.indices.sorted { descending ? cleaned[$0] > cleaned[$1] : cleaned[$0] < cleaned[$1] }
        var groups: [TiedGroup] = []
        for i in order {
            if let last = groups.last, last.score == cleaned[i] {
                groups[groups.count - 1].size += 1
                groups[groups.count - 1].positives += labels[i] ? 1 : 0
            } else {
                groups.append(TiedGroup(score: cleaned[i], size: 1, positives: labels[i] ? 1 : 0))
            }
        }
        return groups
    }

    private static func clean(_ score: Double) -> Double { score.isNaN ? -.infinity : score }

    /// At most `maximum` of `points`, evenly spaced, first and last kept.
    static func thinned(_ points: [CurvePoint], to maximum: Int) -> [CurvePoint] {
        guard points.count > maximum, maximum >= 2 else { return points }
        let step = Double(points.count - 1) / Double(maximum - 1)
        return (0..<maximum).map { points[Int((Double($0) * step).rounded())] }
    }
}

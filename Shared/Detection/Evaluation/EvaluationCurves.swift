/// One model's evaluation curves in compact form, as the bundle manifest stores them (`evaluation_curves`): the ROC
/// and precision–recall curves thinned to at most ``maximumPoints`` points each, written as `[x, y]` pairs (the
/// per-point thresholds are left out: the first ROC point's is infinite, which JSON cannot hold), the score
/// histogram by class and the decision threshold. About 5 KB per model.
public struct EvaluationCurves: Sendable, Hashable, Codable {
    /// Points kept per curve.
    public static let maximumPoints = 100

    /// ROC curve as `[false positive rate, true positive rate]` pairs.
    public var roc: [[Double]]
    /// Precision–recall curve as `[recall, precision]` pairs.
    public var precisionRecall: [[Double]]
    /// Scores of normal vs anomalous rows.
    public var histogram: ScoreHistogram
    /// The decision threshold the metrics were computed at.
    public var threshold: Double

    /// Thins `evaluation`'s curves (values rounded to 4 decimals) and keeps its histogram and threshold.
    public init(_ evaluation: ModelEvaluation, maximumPoints: Int = Self.maximumPoints) {
        func pairs(_ points: [CurvePoint]) -> [[Double]] {
            Metrics.thinned(points, to: maximumPoints).map { [Self.rounded($0.x), Self.rounded($0.y)] }
        }
        roc = pairs(evaluation.rocCurve)
        precisionRecall = pairs(evaluation.precisionRecallCurve)
        histogram = evaluation.histogram
        threshold = evaluation.threshold
    }

    /// The curves of several models keyed by model name, as the manifest stores them.
    public static func byModel(_ evaluations: [ModelEvaluation]) -> [String: EvaluationCurves] {
        Dictionary(evaluations.map { ($0.name, EvaluationCurves($0)) }, uniquingKeysWith: { a, _ in a })
    }

    /// The ROC curve as chart points (thresholds unknown: NaN).
    public var rocPoints: [CurvePoint] { Self.points(roc) }
    /// The precision–recall curve as chart points (thresholds unknown: NaN).
    public var precisionRecallPoints: [CurvePoint] { Self.points(precisionRecall) }

    enum CodingKeys: String, CodingKey {
        case roc
        case precisionRecall = "precision_recall"
        case histogram, threshold
    }

    private static func points(_ pairs: [[Double]]) -> [CurvePoint] {
        pairs.compactMap { pair in
            guard pair.count == 2, pair[0].isFinite, pair[1].isFinite else { return nil }
            return CurvePoint(x: pair[0], y: pair[1], threshold: .nan)
        }
    }

    private static func rounded(_ v: Double) -> Double { (v * 10_000).rounded() / 10_000 }
}

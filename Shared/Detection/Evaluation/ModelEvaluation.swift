/// Everything the report shows about one model: its metrics, curves, score histogram and threshold.
public struct ModelEvaluation: Sendable, Hashable {
    /// Model name as shown, e.g. `ensemble`.
    public var name: String
    /// The metrics.
    public var result: EvaluationResult
    /// ROC curve.
    public var rocCurve: [CurvePoint]
    /// Precision–recall curve.
    public var precisionRecallCurve: [CurvePoint]
    /// Scores of normal vs anomalous rows.
    public var histogram: ScoreHistogram
    /// The decision threshold used for the metrics.
    public var threshold: Double

    /// Creates an evaluation from parts.
    public init(
        name: String, result: EvaluationResult, rocCurve: [CurvePoint], precisionRecallCurve: [CurvePoint],
        histogram: ScoreHistogram, threshold: Double
    ) {
        self.name = name
        self.result = result
        self.rocCurve = rocCurve
        self.precisionRecallCurve = precisionRecallCurve
        self.histogram = histogram
        self.threshold = threshold
    }

    /// Computes metrics, curves and histogram of one model's scores.
    /// - Parameter histogramRange: bins span this range (e.g. `0...1` for calibrated scores), else the scores'.
    public static func compute(
        name: String, labels: [Bool], scores: [Double], threshold: Double, anomalyTypes: [String?]? = nil,
        histogramRange: ClosedRange<Double>? = nil
    ) -> ModelEvaluation {
        ModelEvaluation(
            name: name,
            result: Metrics.evaluate(labels: labels, scores: scores, threshold: threshold, anomalyTypes: anomalyTypes),
            rocCurve: Metrics.rocCurve(labels: labels, scores: scores),
            precisionRecallCurve: Metrics.precisionRecallCurve(labels: labels, scores: scores),
            histogram: ScoreHistogram(labels: labels, scores: scores, range: histogramRange),
            threshold: threshold)
    }
}

import Foundation

/// Counts of a binary decision against the labels.
public struct ConfusionMatrix: Sendable, Hashable, Codable {
    /// Anomalies flagged.
    public var tp: Int
    /// Normal rows flagged.
    public var fp: Int
    /// Normal rows passed.
    public var tn: Int
    /// Anomalies missed.
    public var fn: Int

    /// Creates a confusion matrix.
    public init(tp: Int, fp: Int, tn: Int, fn: Int) {
        self.tp = tp
        self.fp = fp
        self.tn = tn
        self.fn = fn
    }

    /// All rows.
    public var total: Int { tp + fp + tn + fn }
}

/// One model's quality on labelled data, as `txad evaluate` prints and stores it.
///
/// JSON keys are exactly `roc_auc, pr_auc, precision, recall, f1, precision_at_k, recall_at_k, confusion {tp, fp,
/// tn, fn}, recall_by_type`. A metric that is undefined for the data (AUCs without both classes, precision when
/// nothing was flagged, …) is `nil` and encoded as JSON `null`, never NaN.
public struct EvaluationResult: Sendable, Hashable, Codable {
    /// Area under the ROC curve (ties count half); `nil` without both classes.
    public var rocAUC: Double?
    /// Average precision (area under the precision–recall curve, step-wise); `nil` without positives.
    public var prAUC: Double?
    /// tp / (tp + fp) at the threshold; `nil` when nothing was flagged.
    public var precision: Double?
    /// tp / (tp + fn) at the threshold; `nil` without positives.
    public var recall: Double?
    /// 2tp / (2tp + fp + fn); `nil` when there are neither positives nor flags.
    public var f1: Double?
    /// Precision among the K highest scores, K = number of positives (ties at the cut shared pro rata); `nil`
    /// without positives.
    public var precisionAtK: Double?
    /// Recall among the same K rows; equals ``precisionAtK`` because K is the number of positives.
    public var recallAtK: Double?
    /// The decision at the threshold.
    public var confusion: ConfusionMatrix
    /// Share of each anomaly type's rows flagged at the threshold (`unspecified` for positives without a type).
    public var recallByType: [String: Double]

    /// Creates a result.
    public init(
        rocAUC: Double?, prAUC: Double?, precision: Double?, recall: Double?, f1: Double?, precisionAtK: Double?,
        recallAtK: Double?, confusion: ConfusionMatrix, recallByType: [String: Double]
    ) {
        self.rocAUC = rocAUC
        self.prAUC = prAUC
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.precisionAtK = precisionAtK
        self.recallAtK = recallAtK
        self.confusion = confusion
        self.recallByType = recallByType
    }

    enum CodingKeys: String, CodingKey {
        case rocAUC = "roc_auc"
        case prAUC = "pr_auc"
        case precision, recall, f1
        case precisionAtK = "precision_at_k"
        case recallAtK = "recall_at_k"
        case confusion
        case recallByType = "recall_by_type"
    }

    /// Decodes the JSON written by ``encode(to:)`` (`null` metrics become `nil`).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rocAUC = try c.decodeIfPresent(Double.self, forKey: .rocAUC)
        prAUC = try c.decodeIfPresent(Double.self, forKey: .prAUC)
        precision = try c.decodeIfPresent(Double.self, forKey: .precision)
        recall = try c.decodeIfPresent(Double.self, forKey: .recall)
        f1 = try c.decodeIfPresent(Double.self, forKey: .f1)
        precisionAtK = try c.decodeIfPresent(Double.self, forKey: .precisionAtK)
        recallAtK = try c.decodeIfPresent(Double.self, forKey: .recallAtK)
        confusion = try c.decode(ConfusionMatrix.self, forKey: .confusion)
        recallByType = try c.decode([String: Double].self, forKey: .recallByType)
    }

    /// Encodes every key, undefined metrics as `null` (the synthesized encoder would drop them).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rocAUC, forKey: .rocAUC)
        try c.encode(prAUC, forKey: .prAUC)
        try c.encode(precision, forKey: .precision)
        try c.encode(recall, forKey: .recall)
        try c.encode(f1, forKey: .f1)
        try c.encode(precisionAtK, forKey: .precisionAtK)
        try c.encode(recallAtK, forKey: .recallAtK)
        try c.encode(confusion, forKey: .confusion)
        try c.encode(recallByType, forKey: .recallByType)
    }

    /// Pretty, key-sorted JSON of several models' results, e.g. `["isolation_forest": …, "autoencoder": …,
    /// "ensemble": …]` as `txad evaluate` writes it.
    public static func json(_ results: [String: EvaluationResult]) throws(DetectionError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            return try encoder.encode(results)
        } catch {
            throw DetectionError(.invalidArgument, "cannot encode evaluation results: \(error)")
        }
    }
}

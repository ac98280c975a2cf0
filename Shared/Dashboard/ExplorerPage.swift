import Detection
import Domain
import Foundation

/// The Data explorer page: a synthetic sample from Detection's ``TransactionGenerator`` (size, seed, anomaly
/// rate chosen in a GET form) and the distributions of amount, hour, distance from home and velocity (transactions
/// in the last hour) split by label, as SVG histograms. Features come from the same ``FeatureReplay`` as training.
struct ExplorerPage {
    /// Largest sample the page generates (about 0.3 s of work on one core).
    static let maximumSize = 20_000

    /// A labelled value.
    struct Item {
        var label: String
        var value: String
    }

    var size: String
    var seed: String
    var anomalyRate: String
    var sizeError: String?
    var seedError: String?
    var anomalyRateError: String?
    /// Whether a query value was refused (the page then answers 422 with the messages at the fields).
    var hasErrors: Bool { sizeError != nil || seedError != nil || anomalyRateError != nil }
    var maximumSize: String
    var generated: Bool
    var summary: [Item]
    var charts: [String]

    /// The page for the query's `size`, `seed` and `anomaly_rate`; a sample is generated only when `size` is given
    /// and every value is valid.
    /// Samples are generated (or taken from `samples`, which keeps recent ones: the generator is deterministic).
    init(size: String?, seed: String?, anomalyRate: String?, samples: ExplorerSamples? = nil) {
        self.size = size ?? "5000"
        self.seed = seed ?? "42"
        self.anomalyRate = anomalyRate ?? "0.05"
        maximumSize = DashboardFormat.integer(Self.maximumSize)
        generated = false
        summary = []
        charts = []
        let count = Int(self.size).flatMap { (100...Self.maximumSize).contains($0) ? $0 : nil }
        if count == nil { sizeError = "size must be a whole number from 100 to \(maximumSize)" }
        let seedValue = UInt64(self.seed)
        if seedValue == nil { seedError = "seed must be a whole number from 0 to 18446744073709551615" }
        let rate = Double(self.anomalyRate).flatMap { $0.isFinite && $0 >= 0 && $0 <= 0.5 ? $0 : nil }
        if rate == nil { anomalyRateError = "anomaly rate must be a number from 0 to 0.5" }
        guard size != nil else {
            (sizeError, seedError, anomalyRateError) = (nil, nil, nil)
            return
        }
        guard let count, let seedValue, let rate else { return }
        let key = SampleKey(count: count, seed: seedValue, anomalyRate: rate)
        guard let sample = samples.map({ $0.sample(key) }) ?? Self.generate(key) else {
            anomalyRateError = "these values give no valid sample (too few normal rows per user)"
            return
        }
        generated = true
        summary = sample.summary
        charts = sample.charts
    }

    /// What a sample is generated from.
    struct SampleKey: Hashable, Sendable {
        var count: Int
        var seed: UInt64
        var anomalyRate: Double
    }

    /// A generated sample as the page shows it: the summary and the four charts.
    struct Sample: Sendable {
        var summary: [Item]
        var charts: [String]
    }

    /// Generates the sample of `key` and draws it; nil when the generator refuses the values.
    static func generate(_ key: SampleKey) -> Sample? {
        let configuration = GeneratorConfiguration(
            count: key.count, anomalyRate: key.anomalyRate, seed: key.seed, days: 30)
        guard let generator = try? TransactionGenerator(configuration: configuration) else { return nil }
        let data = generator.generate()
        let transactions = data.transactions
        let labels = data.labels.map(\.isAnomaly)
        let raw = FeatureReplay(priors: .neutral).run(transactions, options: .init(keepRaw: true)).raw
        let anomalies = labels.filter { $0 }.count
        let summary =
            [
                Item(label: "rows", value: DashboardFormat.integer(transactions.count)),
                Item(label: "users", value: DashboardFormat.integer(configuration.users)),
                Item(
                    label: "anomalies",
                    value: "\(DashboardFormat.integer(anomalies)) "
                        + "(\(DashboardFormat.percent(Double(anomalies) / Double(max(transactions.count, 1)))))"),
            ]
            + data.anomalyCounts.sorted { $0.key < $1.key }.map {
                Item(label: "· \($0.key)", value: DashboardFormat.integer($0.value))
            }
        let charts = [
            Self.histogram(
                "Amount", unit: "amount (to the 99th percentile)", labels: labels, values: raw.map(\.amount),
                lower: 0),
            EvaluationCharts.scoreHistogram(
                ScoreHistogram(labels: labels, scores: raw.map(\.hour), bins: 24, range: 0...24), threshold: nil,
                title: "Hour of day (UTC)", xLabel: "hour"),
            // Distances span metres to continents: binned on a log scale.
            Self.histogram(
                "Distance from home", unit: "log10(1 + km), known locations", labels: labels,
                values: raw.map { $0.distanceHomeKm < 0 ? .nan : log10(1 + $0.distanceHomeKm) }, lower: 0),
            Self.histogram(
                "Velocity", unit: "transactions in the last hour", labels: labels, values: raw.map(\.count1h),
                lower: 0.5, wholeNumbers: true),
        ]
        return Sample(summary: summary, charts: charts)
    }

    /// A by-label histogram from `lower` to the 99th percentile of the finite values.
    /// With `wholeNumbers`, one bin per whole number (centred on it), at most 40.
    private static func histogram(
        _ title: String, unit: String, labels: [Bool], values: [Double], lower: Double, wholeNumbers: Bool = false
    ) -> String {
        let finite = values.filter(\.isFinite).sorted()
        let p99 = finite.isEmpty ? 1 : finite[min(finite.count - 1, Int(Double(finite.count) * 0.99))]
        var upper = max(p99, lower + 1)
        var bins = 40
        if wholeNumbers {
            bins = min(max(Int((upper - lower).rounded(.up)) + 1, 1), 40)
            upper = lower + Double(bins)
        }
        return EvaluationCharts.scoreHistogram(
            ScoreHistogram(labels: labels, scores: values, bins: bins, range: lower...upper), threshold: nil,
            title: title, xLabel: unit)
    }
}

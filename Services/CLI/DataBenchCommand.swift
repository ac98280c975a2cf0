import ArgumentParser
import Detection
import Domain
import Foundation

/// `txad bench-data` (hidden): times the offline data path — generate, write, parse, fit priors, replay features,
/// scale — on a synthetic data set and prints rows per second. Figures vary with the machine; nothing asserts them.
public struct DataBenchCommand: ParsableCommand {
    /// Command name, help text; hidden from the command list.
    public static let configuration = CommandConfiguration(
        commandName: "bench-data",
        abstract: "Time generation, CSV parsing and feature replay (build with -c release).",
        shouldDisplay: false)

    @Option(help: "Rows to generate.")
    var count: Int = 1_000_000

    @Option(help: "Random seed.")
    var seed: UInt64 = 42

    @Option(help: "Time an existing CSV file instead of generated data.")
    var input: String?

    @Flag(help: "Also time a gzip round trip.")
    var gzip = false

    @Flag(help: "Print per-feature statistics and a naive z-score baseline AUC per anomaly type.")
    var diagnose = false

    /// Creates the command (ArgumentParser fills the options).
    public init() {}

    /// Runs the timings and prints the table.
    public func run() throws {
        let directory = NSTemporaryDirectory() + "txad-bench-data-\(ProcessInfo.processInfo.processIdentifier)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var rows: [(name: String, wall: Double, cpu: Double, items: Int)] = []
        func time<T>(_ name: String, items: Int, _ body: () throws -> T) rethrows -> T {
            let start = ContinuousClock.now
            let cpuStart = Self.cpuSeconds()
            let result = try body()
            let d = ContinuousClock.now - start
            let wall = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
            rows.append((name, wall, Self.cpuSeconds() - cpuStart, items))
            return result
        }

        var plain = directory + "/data.csv"
        var count = self.count
        if let input {
            plain = input
            count = try CSVTransactionReader.readAll(path: input, policy: .scoring).totalRowCount
        } else {
            let generator = try TransactionGenerator(configuration: GeneratorConfiguration(count: count, seed: seed))
            let data = time("generate (in memory)", items: count) { generator.generate() }
            try time("write CSV", items: count) {
                let writer = try CSVWriter(path: plain)
                try data.write(to: writer)
                try writer.close()
            }
        }
        let loaded = try time("parse CSV (readAll)", items: count) {
            try CSVTransactionReader.readAll(path: plain, policy: .scoring)
        }
        if gzip {
            let compressed = directory + "/data.csv.gz"
            try time("write CSV.gz", items: count) {
                let writer = try CSVWriter(path: compressed)
                try writer.writeRow(CSVWriter.header(labels: loaded.hasLabels))
                for (t, label) in zip(loaded.transactions, loaded.labels) {
                    try writer.write(t, label: label, labels: loaded.hasLabels)
                }
                try writer.close()
            }
            _ = try time("parse CSV.gz (readAll)", items: count) {
                try CSVTransactionReader.readAll(path: compressed, policy: .training)
            }
        }
        let priors = try time("fit priors", items: count) { try FeaturePriors.fit(loaded.transactions) }
        let replay = FeatureReplay(priors: priors)
        let result = time("feature replay", items: count) { replay.run(loaded.transactions) }
        _ = time("feature replay + raw", items: count) {
            replay.run(loaded.transactions, options: .init(keepRaw: true))
        }
        var matrix = result.matrix
        try time("scaler fit + transform", items: count) {
            let scaler = try StandardScaler.fit(matrix)
            try scaler.transform(&matrix)
        }

        if diagnose, loaded.hasLabels { printDiagnostics(matrix: matrix, labels: loaded.labels) }
        print("rows: \(formatCount(count)), file: \(formatCount(Int(fileSize(plain) / 1024))) KiB")
        print("(wall time, and CPU time of this process, which is steadier on a busy machine)")
        let width = rows.map(\.name.count).max() ?? 0
        for row in rows {
            let wallRate = row.wall > 0 ? Int(Double(row.items) / row.wall) : 0
            let cpuRate = row.cpu > 0 ? Int(Double(row.items) / row.cpu) : 0
            let pad = String(repeating: " ", count: width - row.name.count)
            print(
                "\(row.name)\(pad)  wall \(formatSeconds(row.wall)) (\(formatCount(wallRate)) rows/s)  "
                    + "cpu \(formatSeconds(row.cpu)) (\(formatCount(cpuRate)) rows/s)")
        }
    }

    /// Per-column mean and spread of the scaled features, and how well a naive score (mean squared z) separates
    /// each anomaly type: a yardstick for the models, and a check that the data is not trivially separable.
    private func printDiagnostics(matrix: FeatureMatrix, labels: [AnomalyLabel?]) {
        let schema = FeatureSchema.current
        var naive = [Double](repeating: 0, count: matrix.rows)
        for c in 0..<matrix.columns {
            var sum = 0.0
            var squares = 0.0
            var lowest = Double.infinity
            var highest = -Double.infinity
            for r in 0..<matrix.rows {
                let v = Double(matrix[r, c])
                sum += v
                squares += v * v
                lowest = min(lowest, v)
                highest = max(highest, v)
                naive[r] += v * v / Double(matrix.columns)
            }
            let mean = sum / Double(matrix.rows)
            let sd = (max(squares / Double(matrix.rows) - mean * mean, 0)).squareRoot()
            print(
                "  \(schema.names[c].padding(toLength: 28, withPad: " ", startingAt: 0)) mean \(fixed(mean)) "
                    + "sd \(fixed(sd)) min \(fixed(lowest)) max \(fixed(highest))")
        }
        let isAnomaly = labels.map { $0?.isAnomaly ?? false }
        let all = Metrics.evaluate(labels: isAnomaly, scores: naive, threshold: .infinity)
        print(
            "naive mean-squared-z baseline: ROC AUC \(all.rocAUC.map { fixed($0) } ?? "—"), "
                + "PR AUC \(all.prAUC.map { fixed($0) } ?? "—")")
        for type in InjectedAnomaly.allCases {
            let keep = labels.indices.filter { labels[$0]?.anomalyType == type.rawValue || !isAnomaly[$0] }
            let auc = Metrics.rocAUC(labels: keep.map { isAnomaly[$0] }, scores: keep.map { naive[$0] })
            print("  \(type.rawValue): ROC AUC \(auc.map { fixed($0) } ?? "—")")
        }
    }

    private func fixed(_ v: Double) -> String {
        let scaled = (abs(v) * 1000).rounded()
        let text = "\(Int(scaled) / 1000).\(String(Int(scaled) % 1000 + 1000).dropFirst())"
        return (v < 0 && scaled > 0 ? "-" : "") + text
    }

    /// CPU time used by this process so far (all threads).
    private static func cpuSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    private func fileSize(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.int64Value ?? 0
    }
}

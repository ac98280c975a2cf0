import ArgumentParser
import Detection
import Domain
import Foundation

/// `txad score`: offline CSV → CSV scoring with a model bundle (SPEC §8).
public struct ScoreCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score every row of a CSV file; writes the rows plus scores, risk level, decision and reasons.",
        discussion: """
            Appends isolation_forest_score, autoencoder_score, ensemble_score, risk_level, is_anomaly (named \
            predicted_is_anomaly when the input has labels), reasons and reason_codes. Features are computed by \
            replaying the file's history in file order from empty user state (the file should be in time order and \
            contain the users' history). Invalid rows are skipped and reported; they do not stop the others.
            """)

    @Option(help: "Model bundle directory, or a model directory whose ACTIVE version is used.")
    var model: String

    @Option(help: "Input CSV (.csv or .csv.gz).")
    var data: String

    @Option(help: "Output CSV (.csv or .csv.gz).")
    var output: String

    @Option(help: "Earlier transactions replayed first to warm up user state (not scored).")
    var history: String?

    @Flag(help: "Do not show progress.")
    var quiet = false

    public init() {}

    public func run() throws {
        let bar = quiet ? nil : ProgressBar(label: "scoring", total: nil)
        let outcome = try BatchScoring.run(modelPath: model, dataFile: data, outputFile: output, historyFile: history) { done, total in
            bar?.update(done, total: total)
        }
        bar?.finish(outcome.rows)
        for warning in outcome.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        if outcome.badRows > 0 {
            FileHandle.standardError.write(Data("skipped \(formatCount(outcome.badRows)) bad rows:\n".utf8))
            for bad in outcome.badRowExamples.prefix(20) {
                FileHandle.standardError.write(Data("  \(bad.description)\n".utf8))
            }
        }
        let levels = RiskLevel.allCases.reversed().map { "\($0.rawValue) \(formatCount(outcome.riskCounts[$0] ?? 0))" }
        print(
            "scored \(formatCount(outcome.rows)) rows into \(output): \(formatCount(outcome.anomalies)) anomalies ("
                + levels.joined(separator: ", ") + ")")
    }
}

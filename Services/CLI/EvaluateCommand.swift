import ArgumentParser
import Detection
import Foundation

/// `txad evaluate`: metrics of a model bundle on a labelled CSV file (SPEC §3).
public struct EvaluateCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a model bundle on labelled data: table, JSON, SVG curves and an HTML report.",
        discussion: """
            Features are computed by replaying DATA's own history in time order from empty user state, so DATA \
            should contain the users' history; users first seen in it start cold (their statistics warm up from \
            the bundle's priors). --history FILE replays FILE first (its rows are not scored) so users start \
            with their earlier transactions, e.g. the training period.
            """)

    @Option(help: "Model bundle directory, or a model directory whose ACTIVE version is used.")
    var model: String

    @Option(help: "Labelled CSV (is_anomaly column).")
    var data: String

    @Option(help: "Earlier transactions replayed first to warm up user state (not scored).")
    var history: String?

    @Option(help: "Write the JSON results here.")
    var json: String?

    @Option(help: "Write SVG curves, histograms and index.html into this directory.")
    var report: String?

    @Flag(help: "Do not show progress.")
    var quiet = false

    public init() {}

    public func run() throws {
        let bars = StageProgressBars(quiet: quiet)
        let outcome = try Evaluator.run(modelPath: model, dataFile: data, historyFile: history) { stage, done, total in
            bars.update(stage, done, total)
        }
        bars.finish()
        let directory = try ModelRegistry.resolveBundleDirectory(model)
        let notes = [
            "model \(directory)", "data \(data): \(formatCount(outcome.rows)) rows, \(formatCount(outcome.badRows)) bad rows skipped",
        ] + (history.map { ["history \($0): \(formatCount(outcome.historyRows)) rows replayed first"] } ?? [])
        try Evaluator.write(
            outcome.models, reportDirectory: report, jsonPath: json, title: "txad evaluation of \(directory)", notes: notes)
        for note in notes { print(note) }
        print(EvaluationTable.render(outcome.models.map { ($0.name, $0.result) }), terminator: "")
        if let json { print("JSON: \(json)") }
        if let report { print("report: \(report)/index.html") }
    }
}

import ArgumentParser
import Detection
import Domain
import Foundation
import Registry

extension ModelsCommand {
    /// `txad models backtest V --since … --until …`: replays stored transactions through a version.
    struct Backtest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay the stored transactions of a window through a version; report it like compare.",
            discussion: """
                Reads the predictions table (point --database-url at a replica to keep load off the primary) in \
                time order, computes features from empty user state at the window's start, scores with the \
                version from the registry (or --bundle DIR), and compares with the live scores, using analysts' \
                decisions as labels. With --warm-up 7d, the stored transactions of the 7 days before --since go \
                through the feature pipeline first (building the users' history; not scored, not reported), so \
                the window's first transactions have their history as live ones did. Progress goes to standard \
                error; Ctrl-C stops and prints the rows so far.
                """)
        @Argument(help: "The version to replay.") var version: String
        @Option(help: "Window start: RFC 3339 time, or a duration before --until (30m, 24h, 7d).") var since: String
        @Option(help: "Window end (exclusive): RFC 3339 time (default now).") var until: String?
        @Option(help: "Replay the stored rows of this period before --since for users' history only (e.g. 7d).")
        var warmUp: String?
        @Option(help: "Replay this bundle directory instead of loading the version from the registry.")
        var bundle: String?
        @Option(help: "Write the alert volume per day as an SVG chart to this file.") var svg: String?
        @Option(help: "Rows fetched and replayed per step.") var pageRows = Registry.Backtest.defaultPageRows
        @Flag(help: "Do not show progress.") var quiet = false
        @OptionGroup var location: Location

        func validate() throws {
            guard pageRows > 0 else { throw ValidationError("--page-rows must be at least 1") }
        }

        func run() async throws {
            let url = try location.requireRegistry("backtest")
            let window = try Self.window(since: since, until: until, now: Date())
            let warmUpMillis = try warmUp.map { Int64(try RegistryCLI.seconds($0, field: "--warm-up")) * 1000 } ?? 0
            let stop = InterruptFlag()
            let bar = quiet ? nil : ProgressBar(label: "backtest \(version)", total: nil)
            let report = try await RegistryCLI.withClient(url) { client in
                let model: ModelBundle
                if let bundle {
                    model = try ModelBundle.load(from: bundle)
                    guard model.version == version else {
                        throw ValidationError("--bundle \(bundle) holds version \(model.version), not \(version)")
                    }
                } else {
                    model = try await BundleRegistry(client: client).loadBundle(version)
                }
                return try await stop.whileInterruptible {
                    try await Registry.Backtest.run(
                        client: client, bundle: model, window: window, warmUpMillis: warmUpMillis,
                        pageRows: pageRows, stopRequested: { stop.isSet },
                        progress: { done, total in bar?.update(done, total: total) })
                }
            }
            bar?.finish(report.rows, message: report.completed ? nil : "stopped after \(formatCount(report.rows)) rows")
            let seconds = bar?.elapsedSeconds
            RegistryCLI.printBacktest(report, seconds: seconds)
            if let svg {
                try BacktestChart.svg(report).write(toFile: svg, atomically: true, encoding: .utf8)
                print("alert volume per day written to \(svg)")
            }
        }

        /// The window from the options: `--since` as RFC 3339 or as a duration before `--until` (default `now`).
        static func window(since: String, until: String?, now: Date) throws -> Registry.Backtest.Window {
            let end: Int64
            if let until {
                guard let parsed = RFC3339.parseMillis(until) else {
                    throw ValidationError("--until '\(until)' must be an RFC 3339 time (2026-12-01T00:00:00Z)")
                }
                end = parsed
            } else {
                end = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
            }
            let start: Int64
            if let parsed = RFC3339.parseMillis(since) {
                start = parsed
            } else {
                let seconds = try RegistryCLI.seconds(since, field: "--since")
                start = end - Int64(seconds) * 1000
            }
            do {
                return try Registry.Backtest.Window(sinceMillis: start, untilMillis: end)
            } catch {
                throw ValidationError(error.message)
            }
        }
    }
}

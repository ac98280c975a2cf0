import ArgumentParser
import Foundation
import Registry
import Stores

/// `txad bench shadow`: the cost of shadow scoring — `POST /predict` throughput with a shadow version loaded against
/// without (issue 11 asks for "within 15 %").
///
/// Starts a stack of its own (``BenchStack``) with `--model` as champion, registers a copy of that bundle under
/// another version as the challenger (same models, so the shadow costs what a real challenger of that size costs),
/// then runs wrk against `/predict` alternately without a shadow and with the challenger in shadow (`--rounds`
/// times each, so the machine's drift hits both alike), generated traffic as in `txad bench stack`. Prints one row
/// per run, the mean of each condition and their ratio, and how many shadow scores were recorded and dropped.
struct ShadowBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shadow", abstract: "/predict throughput with a shadow version loaded vs without (needs wrk).")

    @Option(help: "Bundle directory, or a model directory whose ACTIVE bundle is the champion.") var model: String
    @Option(help: "Concurrent connections.") var connections = 64
    @Option(help: "Seconds per run.") var duration = 30
    @Option(help: "Runs of each condition, alternating (without, with, without, with…).") var rounds = 2
    @Option(help: "Threads wrk uses.") var threads = 2
    @Option(help: "Inference replicas.") var replicas = 1
    @Option(help: "Generated transactions to replay (looped over).") var trafficRows = BenchTraffic.rows
    @Option(help: "Write the results as JSON here as well.") var json: String?

    func validate() throws {
        guard (1...4096).contains(connections) else { throw ValidationError("--connections must be 1…4096") }
        guard (1...3600).contains(duration) else { throw ValidationError("--duration must be 1…3600") }
        guard (1...20).contains(rounds) else { throw ValidationError("--rounds must be 1…20") }
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be 1…64") }
        guard (1...8).contains(replicas) else { throw ValidationError("--replicas must be 1…8") }
        guard (1000...10_000_000).contains(trafficRows) else {
            throw ValidationError("--traffic-rows must be 1000…10000000")
        }
    }

    func run() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else {
            throw ValidationError("wrk is missing: apt-get install wrk")
        }
        let source = try BundleSource(model)
        let workspace = try BenchWorkspace(name: "shadow", needs: "txad-gateway")
        defer { workspace.remove() }
        say("starting a stack: PostgreSQL, Redis, alerts, \(replicas) inference, preprocessing, gateway…")
        let stack = try await BenchStack.start(model: source, replicas: replicas, workspace: workspace)
        do {
            try await measure(stack, source: source, workspace: workspace)
        } catch {
            await stack.stop()
            throw error
        }
        await stack.stop()
    }

    private func measure(_ stack: BenchStack, source: BundleSource, workspace: BenchWorkspace) async throws {
        let challenger = try await stack.register(
            try source.copy(as: "bench-shadow-\(UInt32.random(in: 0...UInt32.max))", into: workspace.folder))
        say("generating \(formatCount(trafficRows)) transactions to replay…")
        let dataPrefix = workspace.folder + "/traffic-"
        _ = try BenchTraffic.write(prefix: dataPrefix, threads: threads, rows: trafficRows)
        var runs: [(shadow: Bool, result: LoadResult)] = []
        for round in 0..<rounds {
            for shadow in [false, true] {
                if shadow {
                    _ = try await stack.registry.promote(challenger, to: .shadow, by: "bench")
                    try await stack.waitUntilServing(timeout: .seconds(60)) { $0.shadowVersion == challenger }
                } else if round > 0 {
                    _ = try await stack.registry.promote(challenger, to: .archived, by: "bench")
                    try await stack.waitUntilServing(timeout: .seconds(60)) { $0.shadowVersion.isEmpty }
                }
                let runID = String(UInt32.random(in: 0...UInt32.max), radix: 36)
                let script = workspace.folder + "/predict-\(runID).lua"
                try WrkScripts.single(runID: runID, dataPrefix: dataPrefix).write(
                    toFile: script, atomically: true, encoding: .utf8)
                let name = "POST /predict, " + (shadow ? "shadow \(challenger)" : "no shadow") + ", round \(round + 1)"
                say("running \(name): \(connections) connections, \(duration) s…")
                var result = try WrkRunner.run(
                    url: stack.gatewayURL + "/predict", script: script, threads: threads, connections: connections,
                    seconds: duration)
                result.name = name
                runs.append((shadow, result))
            }
        }
        // Let the shadow worker drain its queue into PostgreSQL before counting.
        try await Task.sleep(for: .seconds(2))
        let recorded = try await stack.database.query(
            "SELECT count(*) AS n FROM model_shadow_scores WHERE challenger_version = $1", [PostgresValue(challenger)])
        let shadowRecorded = try recorded.first?.int64("n") ?? 0
        var dropped: UInt64 = 0
        for client in stack.replicas { dropped += (try? await client.modelInfo().shadowDropped) ?? 0 }
        let without = runs.filter { !$0.shadow }.map(\.result.requestsPerSecond)
        let with = runs.filter(\.shadow).map(\.result.requestsPerSecond)
        let meanWithout = without.reduce(0, +) / Double(without.count)
        let meanWith = with.reduce(0, +) / Double(with.count)
        let ratio = meanWithout > 0 ? meanWith / meanWithout : 0
        print(LoadResult.table(runs.map(\.result)))
        print(
            String(
                format: "mean /predict throughput: %.0f req/s without a shadow, %.0f req/s with one: %.1f %% of "
                    + "without (%+.1f %%; the issue's bound is −15 %%)",
                meanWithout, meanWith, ratio * 100, (ratio - 1) * 100))
        print(
            "shadow scores recorded: \(formatCount(Int(shadowRecorded))), dropped (queue full): "
                + "\(formatCount(Int(dropped))); \(replicas) inference replica(s), "
                + "\(ProcessInfo.processInfo.activeProcessorCount) cores")
        if let json {
            let object: [String: Any] = [
                "runs": runs.map { run in run.result.json.merging(["shadow": run.shadow]) { a, _ in a } },
                "mean_rps_without_shadow": meanWithout, "mean_rps_with_shadow": meanWith, "ratio": ratio,
                "shadow_recorded": shadowRecorded, "shadow_dropped": dropped, "replicas": replicas,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: json))
        }
    }

    private func say(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
}

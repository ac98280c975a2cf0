import ArgumentParser
import Foundation
import Registry

/// `txad bench reload`: how long after a promotion every inference replica serves the new champion (issue 11:
/// "reload time after a promotion, p50/p99 over 20 promotions"; the contract is within 2 s).
///
/// Starts a stack of its own (``BenchStack``, `--replicas` inference replicas in registry mode, listening for the
/// registry's NOTIFY with the 1 s polling fallback) with `--model` as champion, registers a copy of that bundle
/// under another version, approved by a second principal, and promotes the two to champion alternately. Each
/// reload time runs from the moment the promotion committed (the registry call returned) until every replica's
/// `ModelInfo` names the new version, polled over one connection per replica every millisecond. The first switch
/// to the copy (fetched from PostgreSQL, checksum- and schema-checked, loaded) is reported apart from the
/// `--promotions` measured ones, which switch between versions each replica keeps loaded.
struct ReloadBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload", abstract: "Promotion → every replica serving the new version: p50/p99 over N promotions."
    )

    @Option(help: "Bundle directory, or a model directory whose ACTIVE bundle is the first champion.") var model: String
    @Option(help: "Promotions measured.") var promotions = 20
    @Option(help: "Inference replicas.") var replicas = 2
    @Option(help: "Write the results as JSON here as well.") var json: String?

    func validate() throws {
        guard (1...10_000).contains(promotions) else { throw ValidationError("--promotions must be 1…10000") }
        guard (1...8).contains(replicas) else { throw ValidationError("--replicas must be 1…8") }
    }

    func run() async throws {
        let source = try BundleSource(model)
        let workspace = try BenchWorkspace(name: "reload", needs: "txad-inference")
        defer { workspace.remove() }
        FileHandle.standardError.write(
            Data("starting a stack: PostgreSQL, Redis, alerts, \(replicas) inference, preprocessing, gateway…\n".utf8))
        let stack = try await BenchStack.start(model: source, replicas: replicas, workspace: workspace)
        do {
            try await measure(stack, source: source, workspace: workspace)
        } catch {
            await stack.stop()
            throw error
        }
        await stack.stop()
    }

    /// One promotion: how long the registry call took and how long after it every replica served the version.
    private func promote(_ version: String, in stack: BenchStack) async throws -> (call: Double, reload: Double) {
        let before = ContinuousClock.now
        _ = try await stack.registry.promote(version, to: .champion, by: "bench")
        let committed = ContinuousClock.now
        try await stack.waitUntilServing(timeout: .seconds(30), poll: .milliseconds(1)) { $0.version == version }
        return (milliseconds(committed - before), milliseconds(ContinuousClock.now - committed))
    }

    private func measure(_ stack: BenchStack, source: BundleSource, workspace: BenchWorkspace) async throws {
        let first = try await stack.registry.servingPlan().champion?.version ?? ""
        let second = try await stack.register(
            try source.copy(as: "bench-reload-\(UInt32.random(in: 0...UInt32.max))", into: workspace.folder))
        try await stack.registry.approve(second, by: "bench-checker")
        let cold = try await promote(second, in: stack)
        var calls: [Double] = []
        var reloads: [Double] = []
        for index in 0..<promotions {
            let (call, reload) = try await promote(index % 2 == 0 ? first : second, in: stack)
            calls.append(call)
            reloads.append(reload)
        }
        let sorted = reloads.sorted()
        func percentile(_ p: Double) -> Double {
            sorted[max(0, min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1))]
        }
        let callMedian = calls.sorted()[calls.count / 2]
        print(
            """
            | promotions | replicas | reload p50 ms | reload p99 ms | max ms | first switch to an unloaded version ms |
            |---:|---:|---:|---:|---:|---:|
            """)
        print(
            String(
                format: "| %d | %d | %.1f | %.1f | %.1f | %.1f |", promotions, replicas, percentile(0.5),
                percentile(0.99), sorted.last ?? 0, cold.reload))
        print(
            String(
                format: "reload = promotion committed → every replica's ModelInfo names the new champion (NOTIFY; "
                    + "polling fallback 1 s); the promotion call itself: median %.1f ms; %d cores",
                callMedian, ProcessInfo.processInfo.activeProcessorCount))
        if let json {
            let object: [String: Any] = [
                "promotions": promotions, "replicas": replicas, "reload_ms": reloads, "p50_ms": percentile(0.5),
                "p99_ms": percentile(0.99), "max_ms": sorted.last ?? 0, "first_switch_ms": cold.reload,
                "promote_call_median_ms": callMedian,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: json))
        }
    }

    private func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) * 1e-15
    }
}

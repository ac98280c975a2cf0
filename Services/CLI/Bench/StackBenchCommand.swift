import ArgumentParser
import Foundation

/// `txad bench stack`: HTTP load against a running gateway (start one with `txad up`), driven by `wrk`.
///
/// Two runs: `POST /predict` with a distinct transaction per request, and `POST /predict/batch` with 1,000 distinct
/// transactions per request, both replaying generated traffic (``BenchTraffic``). Prints one table (requests/s, transactions/s, latency percentiles, errors) plus the
/// resident memory of every txad process while under load, and writes the same as JSON with `--json`.
struct StackBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stack", abstract: "Load the whole running stack through the gateway (needs wrk and `txad up`).")

    @Option(help: "Gateway base URL.") var gateway = "http://127.0.0.1:8080"
    @Option(help: "Concurrent connections for /predict.") var connections = 64
    @Option(help: "Seconds per run.") var duration = 30
    @Option(help: "Concurrent connections for /predict/batch.") var batchConnections = 8
    @Option(help: "Transactions per /predict/batch request.") var batchSize = 1000
    @Option(help: "Threads wrk uses (it shares the 2 cores with the stack).") var threads = 2
    @Option(help: "Write the results as JSON here as well.") var json: String?
    @Option(help: "API key sent as X-API-Key (env TXAD_API_KEY; default: .txad/admin-key if it exists).")
    var apiKey: String?

    func run() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else {
            throw ValidationError("wrk is missing: apt-get install wrk")
        }
        let folder = NSTemporaryDirectory() + "txad-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let runID = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let key =
            apiKey ?? ProcessInfo.processInfo.environment["TXAD_API_KEY"]
            ?? (try? String(contentsOfFile: ".txad/admin-key", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let key, !key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            throw ValidationError("--api-key must be visible ASCII without quotes or backslashes")
        }
        FileHandle.standardError.write(Data("generating \(BenchTraffic.rows) transactions to replay…\n".utf8))
        let dataPrefix = folder + "/traffic-"
        _ = try BenchTraffic.write(prefix: dataPrefix, threads: threads)
        var rows: [LoadResult] = []
        for (name, path, script, conns, items) in [
            ("POST /predict", "/predict", WrkScripts.single(runID: runID, dataPrefix: dataPrefix, apiKey: key), connections, 1),
            (
                "POST /predict/batch", "/predict/batch",
                WrkScripts.batch(runID: runID, size: batchSize, dataPrefix: dataPrefix, apiKey: key), batchConnections, batchSize
            ),
        ] {
            let scriptPath = folder + "/\(items).lua"
            try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
            FileHandle.standardError.write(Data("running \(name): \(conns) connections, \(duration) s…\n".utf8))
            let sampler = MemorySampler()
            let samplerTask = Task { await sampler.run() }
            var result = try WrkRunner.run(
                url: gateway + path, script: scriptPath, threads: threads, connections: conns, seconds: duration)
            samplerTask.cancel()
            _ = await samplerTask.value
            result.name = name
            result.itemsPerRequest = items
            result.peakRSS = await sampler.peaks
            rows.append(result)
        }
        print(LoadResult.table(rows))
        if let json {
            let data = try JSONSerialization.data(withJSONObject: rows.map(\.json), options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: json))
        }
    }
}

/// The outcome of one wrk run.
struct LoadResult: Sendable {
    var name = ""
    var itemsPerRequest = 1
    var requests = 0
    var seconds = 0.0
    var errors = 0
    var non2xx = 0
    var p50 = 0.0
    var p99 = 0.0
    var p999 = 0.0
    var peakRSS: [String: Int] = [:]

    var requestsPerSecond: Double { seconds > 0 ? Double(requests) / seconds : 0 }

    var json: [String: Any] {
        [
            "name": name, "requests": requests, "seconds": seconds, "requests_per_second": requestsPerSecond,
            "transactions_per_second": requestsPerSecond * Double(itemsPerRequest), "errors": errors,
            "non_2xx": non2xx, "latency_ms": ["p50": p50, "p99": p99, "p99_9": p999], "peak_rss_mb": peakRSS,
        ]
    }

    static func table(_ rows: [LoadResult]) -> String {
        var out = "| run | req/s | tx/s | p50 ms | p99 ms | p99.9 ms | errors | non-2xx |\n"
        out += "|---|---:|---:|---:|---:|---:|---:|---:|\n"
        for r in rows {
            out += "| \(r.name) | \(Int(r.requestsPerSecond)) | \(Int(r.requestsPerSecond * Double(r.itemsPerRequest))) | "
            out += String(format: "%.2f | %.2f | %.2f", r.p50, r.p99, r.p999) + " | \(r.errors) | \(r.non2xx) |\n"
        }
        let names = Set(rows.flatMap { $0.peakRSS.keys }).sorted()
        if !names.isEmpty {
            out += "\npeak RSS under load (MB): "
            out += names.map { name in "\(name) \(rows.map { $0.peakRSS[name] ?? 0 }.max() ?? 0)" }
                .joined(separator: ", ")
            out += "\n"
        }
        return out
    }
}

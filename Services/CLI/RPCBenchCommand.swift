import ArgumentParser
import Domain
import Foundation
import Logging
import NIOCore
import NIOPosix
import Wire

/// `txad bench rpc`: unary-call throughput and latency of the Wire RPC layer over loopback.
///
/// Server and client run in this process, each on its own single-thread event-loop group (so on a 2-core machine
/// each side has a core), talking over a real TCP loopback connection. The small method is the built-in
/// `txad.v1.Health/Check`; the large payloads are `Inference/Score` with 1,000 feature vectors of 30 values in and
/// 1,000 scores with 3 reasons each out.
struct RPCBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc",
        abstract:
            "Benchmark RPC calls over loopback: calls/s and p50/p99 latency; prints a table (and JSON with --json)."
    )

    @Option(help: "Seconds measured per cell (after a short warm-up).")
    var seconds: Double = 2

    @Option(help: "Calls in flight to measure, comma-separated.")
    var inFlight: String = "1,16,64"

    @Option(help: "Client connection counts to measure, comma-separated.")
    var connections: String = "1,4"

    @Option(help: "Round trips for the 1,000-item payload measurements.")
    var largeRoundTrips: Int = 300

    @Flag(help: "Also print the results as JSON.")
    var json = false

    func validate() throws {
        guard seconds > 0 && seconds <= 600 else { throw ValidationError("--seconds must be in (0, 600]") }
        guard parseList(inFlight) != nil else {
            throw ValidationError("--in-flight must be positive integers, e.g. 1,16,64")
        }
        guard parseList(connections) != nil else {
            throw ValidationError("--connections must be positive integers, e.g. 1,4")
        }
        guard largeRoundTrips > 0 else { throw ValidationError("--large-round-trips must be positive") }
    }

    func run() async throws {
        var logger = Logger(label: "txad.bench.rpc")
        logger.logLevel = .warning
        let serverGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bigResponse = ScoreResponse(scores: (0..<1_000).map { Self.score(index: $0) })
        let server = RPCServer(
            configuration: RPCServer.Configuration(host: "127.0.0.1", port: 0),
            services: [BenchInferenceService(bigResponse: bigResponse)], eventLoopGroup: serverGroup, logger: logger)
        guard let port = try await server.listen().port else {
            throw ValidationError("the server did not report a port")
        }

        var results: [BenchResult] = []
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            print("txad bench rpc: server and client in one process, 1 event-loop thread each, loopback TCP")
            print("")
            print("Health/Check (small payload), \(seconds) s per row. Callers: 'global' = tasks on Swift's global")
            print("executor; 'client loop' = tasks preferring RPCClient.eventLoopTaskExecutor() (no thread hand-offs).")
            print(row(["callers", "connections", "in flight", "calls/s", "p50 µs", "p99 µs", "CPU µs/call", "errors"]))
            for pinned in [false, true] {
                for connectionCount in parseList(connections) ?? [] {
                    let client = makeClient(
                        port: port, connections: connectionCount, group: clientGroup, logger: logger)
                    let health = HealthClient(wrapping: client)
                    for concurrency in parseList(inFlight) ?? [] {
                        let result = try await measure(
                            name: pinned ? "health_check client_loop" : "health_check global",
                            connections: connectionCount, inFlight: concurrency, duration: seconds,
                            executor: pinned ? client.eventLoopTaskExecutor() : nil
                        ) { _ = try await health.check() }
                        results.append(result)
                        print(
                            row([
                                pinned ? "client loop" : "global", "\(connectionCount)", "\(concurrency)",
                                format(result.callsPerSecond, decimals: 0), format(result.p50Micros),
                                format(result.p99Micros), format(result.cpuMicrosPerCall), "\(result.errors)",
                            ]))
                    }
                    await client.close()
                }
            }

            print("")
            print("1,000-item payloads, 1 connection, 1 call in flight, \(largeRoundTrips) round trips each")
            print(row(["payload", "request bytes", "response bytes", "p50 µs", "p99 µs", "CPU µs/call", "errors"]))
            let client = makeClient(port: port, connections: 1, group: clientGroup, logger: logger)
            let inference = InferenceClient(wrapping: client)
            let bigRequest = ScoreRequest(vectors: (0..<1_000).map { Self.vector(index: $0) })
            let smallRequest = ScoreRequest(vectors: [Self.vector(index: 0)])
            let cases: [(String, ScoreRequest, Int)] = [
                ("1 vector -> 1,000 scores", smallRequest, try bigResponse.serialized().count),
                (
                    "1,000 vectors -> 1 score", bigRequest,
                    try ScoreResponse(scores: [Self.score(index: 0)]).serialized().count
                ),
            ]
            for (name, request, responseBytes) in cases {
                let requestBytes = try request.serialized().count
                let result = try await measure(
                    name: name, connections: 1, inFlight: 1, duration: nil, iterations: largeRoundTrips
                ) { _ = try await inference.score(request) }
                results.append(result)
                print(
                    row([
                        name, "\(requestBytes)", "\(responseBytes)", format(result.p50Micros), format(result.p99Micros),
                        format(result.cpuMicrosPerCall), "\(result.errors)",
                    ]))
            }
            await client.close()
            group.cancelAll()
        }

        print("")
        print("Encoding and decoding alone: CPU time of this thread, mean of \(largeRoundTrips) runs")
        print(row(["message", "bytes", "encode CPU µs", "decode CPU µs"]))
        for (name, encode, decode) in try codecCases(bigResponse: bigResponse) {
            let encodeMicros = timePerCall(largeRoundTrips, encode)
            let decodeMicros = timePerCall(largeRoundTrips, decode)
            print(row([name, "\(try encode())", format(encodeMicros), format(decodeMicros)]))
            results.append(
                BenchResult(
                    name: "codec \(name)", connections: 0, inFlight: 0, calls: largeRoundTrips, errors: 0, seconds: 0,
                    callsPerSecond: 0, p50Micros: 0, p99Micros: 0, encodeCPUMicros: encodeMicros,
                    decodeCPUMicros: decodeMicros))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(results), as: UTF8.self))
        }
        try await clientGroup.shutdownGracefully()
        try await serverGroup.shutdownGracefully()
    }

    /// (name, encode returning the byte count, decode) for the 1,000-item messages.
    private func codecCases(
        bigResponse: ScoreResponse
    ) throws -> [(String, () throws -> Int, () throws -> Int)] {
        let bigRequest = ScoreRequest(vectors: (0..<1_000).map { Self.vector(index: $0) })
        let responseBytes = try bigResponse.serialized()
        let requestBytes = try bigRequest.serialized()
        return [
            (
                "ScoreResponse, 1,000 scores", { try bigResponse.serialized().count },
                { try ScoreResponse(serializedBytes: responseBytes).scores.count }
            ),
            (
                "ScoreRequest, 1,000 vectors", { try bigRequest.serialized().count },
                { try ScoreRequest(serializedBytes: requestBytes).vectors.count }
            ),
        ]
    }

    /// Mean CPU microseconds (this thread's CPU time, so other load on the machine does not count) per call of
    /// `body` over `count` calls.
    private func timePerCall(_ count: Int, _ body: () throws -> Int) -> Double {
        func threadCPUMicros() -> Double {
            var time = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
            return Double(time.tv_sec) * 1e6 + Double(time.tv_nsec) / 1e3
        }
        var sink = 0
        let start = threadCPUMicros()
        for _ in 0..<count { sink &+= (try? body()) ?? 0 }
        let elapsed = threadCPUMicros() - start
        return sink >= 0 ? elapsed / Double(count) : 0
    }

    private func makeClient(port: Int, connections: Int, group: MultiThreadedEventLoopGroup, logger: Logger)
        -> RPCClient
    {
        RPCClient(
            configuration: RPCClient.Configuration(
                targets: [RPCClient.Target(host: "127.0.0.1", port: port)], connectionsPerTarget: connections,
                defaultDeadline: .seconds(5)),
            eventLoopGroup: group, logger: logger)
    }

    /// Runs `inFlight` workers that each call `call` in a loop, for `duration` seconds or `iterations` calls per
    /// worker, after a warm-up; returns throughput and latency percentiles.
    private func measure(
        name: String, connections: Int, inFlight: Int, duration: Double?, iterations: Int = .max,
        executor: (any TaskExecutor)? = nil, _ call: @escaping @Sendable () async throws -> Void
    ) async throws -> BenchResult {
        // Warm-up: connect and let allocations settle.
        for _ in 0..<min(200, iterations) { try? await call() }
        let clock = ContinuousClock()
        let cpuStart = Self.processCPUSeconds()
        let start = clock.now
        let end = duration.map { start.advanced(by: .milliseconds(Int64($0 * 1000))) }
        let perWorker = try await withThrowingTaskGroup(of: ([Int64], Int).self) { group in
            for _ in 0..<inFlight {
                group.addTask(executorPreference: executor) {
                    var latencies: [Int64] = []
                    latencies.reserveCapacity(iterations == .max ? 1 << 16 : iterations)
                    var errors = 0
                    var count = 0
                    while count < iterations {
                        let before = clock.now
                        if let end, before >= end { break }
                        do {
                            try await call()
                        } catch {
                            errors += 1
                        }
                        let elapsed = before.duration(to: clock.now)
                        latencies.append(
                            elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
                        count += 1
                    }
                    return (latencies, errors)
                }
            }
            var all: [([Int64], Int)] = []
            for try await worker in group { all.append(worker) }
            return all
        }
        let elapsed = start.duration(to: clock.now)
        let cpuSeconds = Self.processCPUSeconds() - cpuStart
        let elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var latencies = perWorker.flatMap(\.0)
        latencies.sort()
        func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return 0 }
            let index = min(latencies.count - 1, Int((Double(latencies.count) * p).rounded(.up)) - 1)
            return Double(latencies[max(index, 0)]) / 1_000
        }
        return BenchResult(
            name: name, connections: connections, inFlight: inFlight, calls: latencies.count,
            errors: perWorker.reduce(0) { $0 + $1.1 }, seconds: elapsedSeconds,
            callsPerSecond: Double(latencies.count) / elapsedSeconds, p50Micros: percentile(0.50),
            p99Micros: percentile(0.99), cpuMicrosPerCall: cpuSeconds * 1e6 / Double(max(latencies.count, 1)))
    }

    /// User + system CPU seconds of the whole process so far.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    private func parseList(_ text: String) -> [Int]? {
        let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        return values.compactMap { $0 }
    }

    private func row(_ cells: [String]) -> String {
        cells.enumerated().map { index, cell in
            let width = index == 0 ? 26 : 15
            return index == 0
                ? cell.padding(toLength: width, withPad: " ", startingAt: 0)
                : String(repeating: " ", count: max(0, width - cell.count)) + cell
        }.joined()
    }

    private func format(_ value: Double, decimals: Int = 1) -> String {
        String(format: "%.\(decimals)f", value)
    }

    static func vector(index: Int) -> FeatureVector {
        FeatureVector(
            transactionID: "tx-\(index)", schemaVersion: 1, values: (0..<30).map { Double($0 * index % 97) / 7 },
            rawValues: (0..<36).map { Double($0 * index % 89) / 3 },
            degraded: false)
    }

    static func score(index: Int) -> Score {
        Score(
            transactionID: "tx-\(index)", isolationForest: 0.61, autoencoder: 0.72, ensemble: 0.665,
            isAnomaly: index % 20 == 0, riskLevel: index % 20 == 0 ? .high : .low,
            reasons: [
                Reason(
                    code: "AMOUNT_HIGH", feature: "amount_ratio", value: 14.2,
                    text: "amount is 14.2× this user's average"),
                Reason(
                    code: "FAR_FROM_HOME", feature: "distance_km", value: 1240, text: "1,240 km from the usual location"
                ),
                Reason(code: "RAPID", feature: "count_10m", value: 4, text: "4th transaction in 10 minutes"),
            ],
            modelVersion: "bench-v1")
    }
}

/// One measured row.
struct BenchResult: Codable, Sendable {
    var name: String
    var connections: Int
    var inFlight: Int
    var calls: Int
    var errors: Int
    var seconds: Double
    var callsPerSecond: Double
    var p50Micros: Double
    var p99Micros: Double
    /// Process CPU time (user + system, both sides) per call: robust to other load on the machine.
    var cpuMicrosPerCall: Double = 0
    /// For codec rows: this thread's CPU time per encode.
    var encodeCPUMicros: Double?
    /// For codec rows: this thread's CPU time per decode.
    var decodeCPUMicros: Double?
}

/// The benchmark's inference service: answers `Score` with the prepared 1,000-score response for a one-vector
/// request and with one score otherwise.
struct BenchInferenceService: Inference.ServiceProtocol {
    let bigResponse: ScoreResponse

    func score(_ request: ScoreRequest, context: RPCContext) async throws -> ScoreResponse {
        request.vectors.count == 1 ? bigResponse : ScoreResponse(scores: [RPCBenchCommand.score(index: 0)])
    }

    func modelInfo(_ request: ModelInfoRequest, context: RPCContext) async throws -> ModelInfoResponse {
        ModelInfoResponse(version: "bench-v1")
    }

    func reload(_ request: ReloadRequest, context: RPCContext) async throws -> ReloadResponse {
        ReloadResponse(previousVersion: "bench-v1", version: "bench-v1")
    }
}

import Foundation
import Testing

/// SIGTERM under load (issue 14), as Kubernetes stops a pod, while `wrk` drives `POST /predict` through the gateway:
/// readiness turns false first (the process still serves during `TXAD_SHUTDOWN_DELAY_MS`), then it stops accepting
/// and drains. Stopping one of two inference replicas fails no request (the gateway's calls move to the other);
/// stopping the gateway answers every request it accepted with 200.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct GracefulShutdownTests {
    @Test func inferenceReplicaStopsUnderLoadWithoutAFailedRequest() async throws {
        let model = try await TestModel.prepared()
        let cluster = try await LocalCluster(modelDirectory: model.modelDirectory, inferenceReplicas: 2)
        for name in cluster.inferenceNames { cluster.serviceEnvironment[name] = ["TXAD_SHUTDOWN_DELAY_MS": "1500"] }
        do {
            try await cluster.start()
            let load = try WrkLoad(url: cluster.gatewayURL + "/predict", seconds: 10, folder: cluster.root)
            try await Task.sleep(for: .seconds(3))
            let stopping = "inference-2"
            let ready = "http://127.0.0.1:\(cluster.ports[stopping]!.admin)/health/ready"
            #expect(try await HTTP.get(ready).1 == 200)
            cluster.terminate(stopping)
            // Readiness goes false while the replica still runs and serves (the drain delay).
            var notReadyWhileRunning = false
            for _ in 0..<100 where !notReadyWhileRunning && cluster.isRunning(stopping) {
                if let (_, status) = try? await HTTP.get(ready), status == 503, cluster.isRunning(stopping) {
                    notReadyWhileRunning = true
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(notReadyWhileRunning, "readiness must turn false before the replica stops")
            for _ in 0..<300 where cluster.isRunning(stopping) { try await Task.sleep(for: .milliseconds(50)) }
            #expect(!cluster.isRunning(stopping), "the replica must exit after draining")
            let result = try await load.finish()
            #expect(result.requests > 50, "\(result.output)")
            #expect(result.non2xx == 0, "\(result.output)")
            #expect(result.socketErrors == 0, "\(result.output)")
            // The surviving replica still serves.
            let (_, status) = try await HTTP.post(
                cluster.gatewayURL + "/predict", body: Data(WrkLoad.transaction(thread: 9, counter: 1).utf8))
            #expect(status == 200)
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }

    @Test func gatewayStopsUnderLoadAnsweringEveryAcceptedRequest() async throws {
        let model = try await TestModel.prepared()
        let cluster = try await LocalCluster(modelDirectory: model.modelDirectory)
        cluster.serviceEnvironment["gateway"] = ["TXAD_SHUTDOWN_DELAY_MS": "1500"]
        do {
            try await cluster.start()
            let load = try WrkLoad(url: cluster.gatewayURL + "/predict", seconds: 8, folder: cluster.root)
            try await Task.sleep(for: .seconds(3))
            cluster.terminate("gateway")
            var notReadyWhileRunning = false
            var servedWhileDraining = false
            for counter in 0..<100 where cluster.isRunning("gateway") {
                if let (_, status) = try? await HTTP.get(cluster.gatewayURL + "/health"), status == 503 {
                    notReadyWhileRunning = true
                    let body = Data(WrkLoad.transaction(thread: 8, counter: counter).utf8)
                    if let (_, scored) = try? await HTTP.post(cluster.gatewayURL + "/predict", body: body),
                        scored == 200
                    {
                        servedWhileDraining = true
                    }
                }
                if notReadyWhileRunning && servedWhileDraining { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(notReadyWhileRunning, "/health must answer 503 before the gateway stops")
            #expect(servedWhileDraining, "/predict must still be served while /health answers 503")
            for _ in 0..<300 where cluster.isRunning("gateway") { try await Task.sleep(for: .milliseconds(50)) }
            #expect(!cluster.isRunning("gateway"), "the gateway must exit after draining")
            let result = try await load.finish()
            // After the listener closed, new connections are refused (connect errors): those were never accepted.
            #expect(result.requests > 50, "\(result.output)")
            #expect(result.non2xx == 0, "\(result.output)")
            #expect(result.timeouts == 0, "\(result.output)")
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }
}

/// `wrk` posting distinct transactions (no cache hits) for a fixed time, run as a child process.
struct WrkLoad {
    struct Result {
        var requests = 0
        var non2xx = 0
        var socketErrors = 0
        var timeouts = 0
        var output = ""
    }

    private let process = Process()
    private let output: URL

    /// A transaction's JSON with `%d` for thread, counter, user and amount (a Lua and a Swift format string).
    static let template =
        #"{"transaction_id":"gs-%d-%d","user_id":"gs-user-%d","timestamp":"2026-05-01T12:00:00Z","amount":%d}"#

    /// One transaction's JSON; `thread` and `counter` make its id unique.
    static func transaction(thread: Int, counter: Int) -> String {
        String(format: template, thread, counter, counter % 40, 10 + counter % 90)
    }

    init(url: String, seconds: Int, folder: String) throws {
        let script = folder + "/predict.lua"
        // Lua: each wrk thread numbers its own requests; the thread number keeps ids distinct across threads.
        try """
            local threads = 0
            function setup(thread) threads = threads + 1; thread:set("tid", threads) end
            function init(args) counter = 0 end
            wrk.method = "POST"
            wrk.headers["Content-Type"] = "application/json"
            function request()
              counter = counter + 1
              return wrk.format(nil, nil, nil, string.format('\(Self.template)', tid, counter, counter % 40, 10 + counter % 90))
            end
            """.write(toFile: script, atomically: true, encoding: .utf8)
        output = URL(fileURLWithPath: folder + "/wrk.out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments = ["-t2", "-c8", "-d\(seconds)s", "--timeout", "10s", "-s", script, url]
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = process.standardOutput
        try process.run()
    }

    /// Waits for wrk to end and reads its summary.
    func finish() async throws -> Result {
        while process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        var result = Result()
        result.output = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        for line in result.output.split(separator: "\n") {
            let words = line.split(separator: " ")
            if line.contains(" requests in "), let n = words.first.flatMap({ Int($0) }) { result.requests = n }
            if line.contains("Non-2xx or 3xx responses:"), let n = words.last.flatMap({ Int($0) }) { result.non2xx = n }
            if line.contains("Socket errors:") {  // Socket errors: connect 0, read 3, write 0, timeout 0
                let counts = words.compactMap { Int($0.trimmingCharacters(in: .punctuationCharacters)) }
                result.socketErrors = counts.reduce(0, +)
                result.timeouts = counts.last ?? 0
            }
        }
        return result
    }
}

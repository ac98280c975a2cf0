import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A client of MLflow's tracking REST API (`/api/2.0/mlflow/…`) and of its artifact proxy
/// (`/api/2.0/mlflow-artifacts/…`, a server run with artifact serving, the default of `mlflow server`).
///
/// Only what txad needs: experiments by name, runs with tags, batched params and metrics, run status, and files
/// uploaded as artifacts; plus the reads its tests use to check a run through MLflow's own API.
public struct MLflowClient: Sendable {
    /// A metric value at a step.
    public struct Metric: Sendable, Hashable {
        public var key: String
        public var value: Double
        public var step: Int

        public init(key: String, value: Double, step: Int = 0) {
            self.key = key
            self.value = value
            self.step = step
        }
    }

    /// A run as the server reports it.
    public struct Run: Sendable, Hashable {
        public var runID: String
        public var experimentID: String
        public var status: String
        /// Where artifacts go (`mlflow-artifacts:/<experiment>/<run>/artifacts` when the server proxies them).
        public var artifactURI: String
        public var params: [String: String]
        /// The latest value of each metric.
        public var metrics: [String: Double]
        public var tags: [String: String]
    }

    /// MLflow's own batch limits (`runs/log-batch`).
    static let maximumParamsPerBatch = 100
    static let maximumMetricsPerBatch = 1000
    static let maximumTagsPerBatch = 100

    private let http: HTTPClient
    private let base: String
    private let timeout: TimeAmount

    /// A client of the server at `trackingURI` (`http://host:port`, as `MLFLOW_TRACKING_URI`) over `http`, whose
    /// lifecycle belongs to the caller.
    public init(trackingURI: String, http: HTTPClient, timeout: Duration = .seconds(30)) throws(MLflowError) {
        var uri = trackingURI
        while uri.hasSuffix("/") { uri.removeLast() }
        guard let url = URL(string: uri), let scheme = url.scheme, ["http", "https"].contains(scheme),
            url.host != nil
        else {
            throw MLflowError(
                .invalidArgument, "--mlflow-uri / MLFLOW_TRACKING_URI '\(trackingURI)' must be an http(s) URL")
        }
        self.http = http
        self.base = uri
        self.timeout = .milliseconds(Int64(timeout.components.seconds) * 1000)
    }

    /// The id of experiment `name`, created when it does not exist.
    public func experimentID(named name: String) async throws(MLflowError) -> String {
        guard !name.isEmpty, name.count <= 500 else {
            throw MLflowError(.invalidArgument, "experiment name must be 1–500 characters")
        }
        do {
            let found = try await call(
                "GET", "mlflow/experiments/get-by-name?experiment_name=" + Self.query(name), body: nil)
            return try Self.string(found, "experiment", "experiment_id")
        } catch let error where error.code == .rejected && error.message.contains("RESOURCE_DOES_NOT_EXIST") {
            let created = try await call("POST", "mlflow/experiments/create", body: ["name": name])
            return try Self.string(created, "experiment_id")
        }
    }

    /// Starts a run in `experimentID`; returns its id and artifact URI.
    public func createRun(experimentID: String, name: String, tags: [String: String]) async throws(MLflowError)
        -> Run
    {
        let body: [String: Any] = [
            "experiment_id": experimentID, "run_name": name, "start_time": Self.now(),
            "tags": Self.pairs(tags),
        ]
        let reply = try await call("POST", "mlflow/runs/create", body: body)
        return try Self.run(reply)
    }

    /// Logs params, metrics and tags in as few `log-batch` calls as MLflow's limits allow.
    public func log(runID: String, params: [String: String], metrics: [Metric], tags: [String: String] = [:])
        async throws(MLflowError)
    {
        let timestamp = Self.now()
        var params = params.sorted { $0.key < $1.key }[...]
        var metrics = metrics[...]
        var tags = tags.sorted { $0.key < $1.key }[...]
        while !params.isEmpty || !metrics.isEmpty || !tags.isEmpty {
            let p = params.prefix(Self.maximumParamsPerBatch)
            let m = metrics.prefix(Self.maximumMetricsPerBatch)
            let t = tags.prefix(Self.maximumTagsPerBatch)
            params = params.dropFirst(p.count)
            metrics = metrics.dropFirst(m.count)
            tags = tags.dropFirst(t.count)
            // JSONEncoder writes doubles in their shortest exact form (JSONSerialization may round the last digit).
            let batch = LogBatch(
                runID: runID, params: p.map { .init(key: $0.key, value: $0.value) },
                metrics: m.map { .init(key: $0.key, value: $0.value, timestamp: timestamp, step: $0.step) },
                tags: t.map { .init(key: $0.key, value: $0.value) })
            guard let bytes = try? JSONEncoder().encode(batch) else {
                throw MLflowError(.invalidArgument, "runs/log-batch: a value cannot be encoded as JSON")
            }
            _ = try await send("POST", "mlflow/runs/log-batch", body: Array(bytes), type: "application/json")
        }
    }

    /// Uploads `bytes` as artifact `path` (e.g. `bundle/manifest.json`) of a run whose artifacts the server proxies.
    public func uploadArtifact(_ bytes: [UInt8], path: String, run: Run) async throws(MLflowError) {
        let prefix = "mlflow-artifacts:/"
        guard run.artifactURI.hasPrefix(prefix) else {
            throw MLflowError(
                .rejected,
                "run \(run.runID) stores artifacts at \(run.artifactURI), not through the server: start `mlflow "
                    + "server` with artifact serving (--artifacts-destination DIR, no --default-artifact-root)")
        }
        guard !path.isEmpty, !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
            throw MLflowError(.invalidArgument, "artifact path '\(path)' must be relative without '..'")
        }
        let location = String(run.artifactURI.dropFirst(prefix.count)).trimmingCharacters(
            in: CharacterSet(charactersIn: "/"))
        let encoded = (location + "/" + path).split(separator: "/").map { Self.query(String($0)) }.joined(
            separator: "/")
        _ = try await send("PUT", "mlflow-artifacts/artifacts/" + encoded, body: bytes, type: "application/octet-stream")
    }

    /// Marks a run finished (or failed).
    public func finish(runID: String, failed: Bool = false) async throws(MLflowError) {
        let body: [String: Any] = ["run_id": runID, "status": failed ? "FAILED" : "FINISHED", "end_time": Self.now()]
        _ = try await call("POST", "mlflow/runs/update", body: body)
    }

    /// A run with its params, latest metrics and tags (`runs/get`).
    public func run(id: String) async throws(MLflowError) -> Run {
        try Self.run(try await call("GET", "mlflow/runs/get?run_id=" + Self.query(id), body: nil))
    }

    /// The bytes of artifact `path` of a run (through the artifact proxy).
    public func downloadArtifact(path: String, run: Run) async throws(MLflowError) -> [UInt8] {
        let location = String(run.artifactURI.dropFirst("mlflow-artifacts:/".count))
            .trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let encoded = (location + "/" + path).split(separator: "/").map { Self.query(String($0)) }.joined(
            separator: "/")
        return try await send("GET", "mlflow-artifacts/artifacts/" + encoded, body: nil, type: nil)
    }

    /// The body of `runs/log-batch`.
    private struct LogBatch: Encodable {
        struct Pair: Encodable {
            var key: String
            var value: String
        }
        struct Value: Encodable {
            var key: String
            var value: Double
            var timestamp: Int64
            var step: Int
        }
        var runID: String
        var params: [Pair]
        var metrics: [Value]
        var tags: [Pair]

        enum CodingKeys: String, CodingKey {
            case runID = "run_id"
            case params, metrics, tags
        }
    }

    // MARK: - HTTP

    private func call(_ method: String, _ path: String, body: [String: Any]?) async throws(MLflowError)
        -> [String: Any]
    {
        var bytes: [UInt8]?
        if let body {
            guard let data = try? JSONSerialization.data(withJSONObject: body) else {
                throw MLflowError(.invalidArgument, "\(path): a value cannot be encoded as JSON")
            }
            bytes = Array(data)
        }
        let reply = try await send(method, path, body: bytes, type: bytes == nil ? nil : "application/json")
        guard !reply.isEmpty else { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: Data(reply)) as? [String: Any] else {
            throw MLflowError(.unexpectedReply, "\(path): the answer is not a JSON object")
        }
        return object
    }

    private func send(_ method: String, _ path: String, body: [UInt8]?, type: String?) async throws(MLflowError)
        -> [UInt8]
    {
        var request = HTTPClientRequest(url: base + "/api/2.0/" + path)
        request.method = HTTPMethod(rawValue: method)
        if let type { request.headers.add(name: "Content-Type", value: type) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response: HTTPClientResponse
        var reply: ByteBuffer
        do {
            response = try await http.execute(request, timeout: timeout)
            reply = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw MLflowError(.unreachable, "MLflow at \(base) unreachable (\(method) \(path)): \(error)")
        }
        let bytes = reply.readBytes(length: reply.readableBytes) ?? []
        guard (200..<300).contains(response.status.code) else {
            let text = String(decoding: bytes.prefix(500), as: UTF8.self)
            throw MLflowError(.rejected, "MLflow \(method) \(path) answered \(response.status.code): \(text)")
        }
        return bytes
    }

    // MARK: - JSON

    private static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    private static func pairs(_ values: [String: String]) -> [[String: String]] {
        values.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": $0.value] }
    }

    private static func query(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    private static func string(_ object: [String: Any], _ keys: String...) throws(MLflowError) -> String {
        var current: Any = object
        for key in keys {
            guard let next = (current as? [String: Any])?[key] else {
                throw MLflowError(.unexpectedReply, "MLflow answer has no \(keys.joined(separator: "."))")
            }
            current = next
        }
        guard let text = current as? String else {
            throw MLflowError(.unexpectedReply, "MLflow answer's \(keys.joined(separator: ".")) is not text")
        }
        return text
    }

    private static func run(_ reply: [String: Any]) throws(MLflowError) -> Run {
        let data = (reply["run"] as? [String: Any])?["data"] as? [String: Any] ?? [:]
        func table(_ name: String) -> [String: String] {
            var out: [String: String] = [:]
            for entry in data[name] as? [[String: Any]] ?? [] {
                if let key = entry["key"] as? String, let value = entry["value"] as? String { out[key] = value }
            }
            return out
        }
        var metrics: [String: Double] = [:]
        for entry in data["metrics"] as? [[String: Any]] ?? [] {
            if let key = entry["key"] as? String, let value = (entry["value"] as? NSNumber)?.doubleValue {
                metrics[key] = value
            }
        }
        return Run(
            runID: try string(reply, "run", "info", "run_id"),
            experimentID: try string(reply, "run", "info", "experiment_id"),
            status: try string(reply, "run", "info", "status"),
            artifactURI: try string(reply, "run", "info", "artifact_uri"), params: table("params"), metrics: metrics,
            tags: table("tags"))
    }
}

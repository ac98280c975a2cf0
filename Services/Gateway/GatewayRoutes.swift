import Auth
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceKit
import Wire

/// The REST handlers of SPEC §6 that this gateway serves.
struct GatewayRoutes: Sendable {
    let configuration: GatewayConfiguration
    let pipeline: PredictionPipeline
    let coalescer: PredictionCoalescer
    let health: HealthClient.Set
    /// For the review figures of `/stats`.
    let reviews: ReviewsClient
    let metrics: ServiceMetrics
    let logger: Logger
    /// Set once SIGTERM arrived: `/health` answers 503 so load balancers stop sending before the server drains.
    var drain: ShutdownDrain?

    func register(on routes: GuardedRouter<GatewayRequestContext>) {
        routes.get("/", access: .open) { _, _ in json(.ok, Self.serviceInfo) }
        routes.get("/health", access: .open) { _, context in await healthResponse(requestID: context.requestID) }
        routes.post("/predict", access: .role(.scorer)) { request, context in
            await predict(request, requestID: context.requestID)
        }
        routes.post("/predict/batch", access: .role(.scorer)) { request, context in
            await predictBatch(request, requestID: context.requestID)
        }
        routes.get("/models/info", access: .role(.analyst)) { _, context in
            await modelInfo(requestID: context.requestID)
        }
        routes.get("/stats", access: .role(.analyst)) { _, context in await stats(requestID: context.requestID) }
        routes.get("/metrics", access: .open) { request, context in
            let client = ClientAddressResolver(trustedProxies: configuration.access.trustedProxies).clientAddress(
                peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[values: .xForwardedFor])
            guard configuration.access.mayReadMetrics(from: client) else {
                return AccessProblem.response(
                    status: .forbidden, detail: "metrics are readable only from TXAD_METRICS_ALLOW networks", context)
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
        routes.get("/openapi.json", access: .open) { _, _ in
            guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
                let data = try? Data(contentsOf: url)
            else {
                return problem(ProblemDetails(status: 500, title: "Missing document", detail: "openapi.json not found"))
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    static let serviceInfo = """
        {"service":"txad-gateway","description":"transaction anomaly detection","endpoints":["GET /","GET /health",\
        "POST /predict","POST /predict/batch","GET /models/info","GET /stats","GET /alerts","GET /alerts/{alert_id}",\
        "GET /reviews","POST /reviews/{alert_id}/claim","POST /reviews/next","POST /reviews/{alert_id}/decision",\
        "POST /reviews/decisions","GET /metrics","GET /openapi.json",\
        "GET /dashboard"]}
        """

    // MARK: predictions

    private func predict(_ request: Request, requestID: String) async -> Response {
        if let problem = unsupportedType(request, accepted: ["application/json"], requestID: requestID) { return self.problem(problem) }
        switch await collect(request, limit: configuration.maximumSingleBodyBytes, requestID: requestID) {
        case .success(let bytes): return reply(await predictReply(bytes, requestID: requestID))
        case .failure(let p): return problem(p)
        }
    }

    /// `POST /predict` after the body is read: the prediction JSON or the problem (also the dashboard's answer).
    func predictReply(_ bytes: [UInt8], requestID: String) async -> Result<[UInt8], ProblemDetails> {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            return .failure(.badRequest(error.description, requestID: requestID))
        }
        let transaction: Transaction
        switch TransactionJSON.decode(value) {
        case .success(let t): transaction = t
        case .failure(let problems): return .failure(.invalid(problems.problems, requestID: requestID))
        }
        let outcome = await coalescer.predict(
            transaction, requestID: requestID, deadline: configuration.requestDeadline)
        switch outcome {
        case .prediction(let p, let cached):
            return .success(cached ? PredictionJSON.markedCached(p.json) : p.json)
        case .failure(let p):
            return .failure(p)
        }
    }

    private func predictBatch(_ request: Request, requestID: String) async -> Response {
        if let problem = unsupportedType(request, accepted: ["application/json", "text/csv"], requestID: requestID) {
            return self.problem(problem)
        }
        let isCSV = request.headers[.contentType]?.lowercased().hasPrefix("text/csv") == true
        switch await collect(request, limit: configuration.maximumBatchBodyBytes, requestID: requestID) {
        case .success(let bytes): return reply(await predictBatchReply(bytes, isCSV: isCSV, requestID: requestID))
        case .failure(let p): return problem(p)
        }
    }

    /// `POST /predict/batch` after the body is read: the batch JSON or the problem (also the dashboard's answer).
    func predictBatchReply(_ bytes: [UInt8], isCSV: Bool, requestID: String) async -> Result<[UInt8], ProblemDetails> {
        let input: BatchInput
        do {
            input =
                isCSV
                ? try BatchInput.csv(bytes, maximumItems: configuration.maximumBatchItems)
                : try BatchInput.json(bytes, maximumItems: configuration.maximumBatchItems)
        } catch BatchInputError.tooManyItems(let count) {
            return .failure(
                .tooLarge(
                    "the batch has more than \(configuration.maximumBatchItems) items (\(count)+); split it",
                    requestID: requestID))
        } catch BatchInputError.malformed(let detail) {
            return .failure(.badRequest(detail, requestID: requestID))
        } catch {
            return .failure(.badRequest("\(error)", requestID: requestID))
        }
        let outcomes = await pipeline.predict(
            input.items.map { PredictionItem(transaction: $0.transaction, requestID: requestID) }, requestID: requestID,
            deadline: configuration.batchDeadline)
        var body = JSONWriter(capacity: 64 + outcomes.count * 700)
        body.raw("{\"results\":[")
        var scored = 0
        var errors = input.errors
        var byRisk: [RiskLevel: Int] = [:]
        var anomalies = 0
        var unavailable: ProblemDetails?
        for (item, outcome) in zip(input.items, outcomes) {
            switch outcome {
            case .prediction(let p, let cached):
                if scored > 0 { body.raw(",") }
                body.raw(bytes: cached ? PredictionJSON.markedCached(p.json) : p.json)
                scored += 1
                byRisk[p.riskLevel, default: 0] += 1
                if p.isAnomaly { anomalies += 1 }
            case .failure(let p):
                if p.status == 503 { unavailable = p }
                errors.append(
                    BatchItemError(
                        index: isCSV ? nil : item.position, line: isCSV ? item.position + 2 : nil,
                        problems: [FieldProblem(field: "transaction_id", reason: "\(p.title): \(p.detail)")]))
            }
        }
        if scored == 0, !input.items.isEmpty, let unavailable {
            return .failure(unavailable)
        }
        errors.sort { ($0.index ?? $0.line ?? 0) < ($1.index ?? $1.line ?? 0) }
        body.raw("],\"errors\":[")
        for (i, error) in errors.enumerated() {
            body.raw(i == 0 ? "{" : ",{")
            body.raw(error.index.map { "\"index\":\($0)" } ?? "\"line\":\(error.line ?? 0)")
            body.raw(",\"problems\":")
            body.fieldProblems(error.problems)
            body.raw("}")
        }
        body.raw("],\"summary\":{\"total\":\(input.total),\"scored\":\(scored),\"anomalies\":\(anomalies),")
        body.raw(
            "\"by_risk\":{" + RiskLevel.allCases.map { "\"\($0.rawValue)\":\(byRisk[$0, default: 0])" }
                .joined(separator: ",") + "}}}")
        return .success(body.bytes)
    }

    // MARK: information

    private func modelInfo(requestID: String) async -> Response {
        reply(await modelInfoReply(requestID: requestID).map { Array($0.utf8) })
    }

    /// `GET /models/info`'s JSON or problem (also the dashboard's answer).
    ///
    /// Every configured inference replica is asked concurrently; `replicas` lists each with what it serves (or why
    /// it did not answer), and the top-level members describe the first replica that answered (as before, when
    /// there was one answer). The answer is a problem only when no replica answered.
    func modelInfoReply(requestID: String) async -> Result<String, ProblemDetails> {
        let options = CallOptions(deadline: configuration.requestDeadline, requestID: requestID)
        let answers = await replicaInfo(options: options)
        let info: ModelInfoResponse
        if let answered = answers.lazy.compactMap({ try? $0.outcome.get() }).first {
            info = answered
        } else {
            do {
                // No replica answered (or none is listed on its own): the balanced client's answer or its error.
                info = try await health.inference.modelInfo(options: options)
            } catch {
                return .failure(PredictionPipeline.problem(for: error, requestID: requestID))
            }
        }
        var body = "{\"version\":\(JSONText.quoted(info.version)),\"created\":\(JSONText.quoted(info.created)),"
        body += "\"feature_schema_version\":\(info.featureSchemaVersion),\"feature_names\":["
        body += info.featureNames.map(JSONText.quoted).joined(separator: ",") + "],"
        body += "\"threshold\":\(JSONText.number(info.threshold)),\"weights\":{\"isolation_forest\":"
        body += "\(JSONText.number(info.weightIsolationForest)),\"autoencoder\":"
        body += "\(JSONText.number(info.weightAutoencoder))},"
        func replica(_ address: String, _ outcome: Result<ModelInfoResponse, RPCError>) -> String {
            let head = "{\"address\":\(JSONText.quoted(address)),"
            switch outcome {
            case .success(let info):
                return head + "\"version\":\(JSONText.quoted(info.version)),\(Self.servingMembers(info))}"
            case .failure(let error):
                return head + "\"version\":null,\"error\":\(JSONText.quoted(error.message))}"
            }
        }
        body += Self.servingMembers(info) + ",\"replicas\":["
        body += answers.map { replica($0.address, $0.outcome) }.joined(separator: ",") + "]"
        if !info.manifestJSON.isEmpty { body += ",\"manifest\":\(info.manifestJSON)" }
        return .success(body + "}")
    }

    /// What one replica serves: `source`, `canary`, `shadow`, `shadow_dropped`, `refused` (members, no braces).
    private static func servingMembers(_ info: ModelInfoResponse) -> String {
        var body = "\"source\":\(JSONText.quoted(info.source)),\"canary\":"
        body +=
            info.canaryVersion.isEmpty
            ? "null"
            : "{\"version\":\(JSONText.quoted(info.canaryVersion)),\"share\":\(JSONText.number(info.canaryShare))}"
        body += ",\"shadow\":\(info.shadowVersion.isEmpty ? "null" : JSONText.quoted(info.shadowVersion))"
        body += ",\"shadow_dropped\":\(info.shadowDropped),\"refused\":["
        return body + info.refused.map(JSONText.quoted).joined(separator: ",") + "]"
    }

    /// Each configured inference replica's model information or error, in configuration order.
    private func replicaInfo(
        _ request: ModelInfoRequest = ModelInfoRequest(), options: CallOptions
    ) async -> [(address: String, outcome: Result<ModelInfoResponse, RPCError>)] {
        await withTaskGroup(of: (Int, Result<ModelInfoResponse, RPCError>).self) { group in
            for (index, replica) in health.inferenceReplicas.enumerated() {
                group.addTask {
                    do {
                        return (index, .success(try await replica.client.modelInfo(request, options: options)))
                    } catch let error as RPCError {
                        return (index, .failure(error))
                    } catch {
                        return (index, .failure(RPCError(code: .internalError, message: "\(error)")))
                    }
                }
            }
            var outcomes: [Int: Result<ModelInfoResponse, RPCError>] = [:]
            for await (index, outcome) in group { outcomes[index] = outcome }
            return health.inferenceReplicas.indices.compactMap { index in
                outcomes[index].map { (health.inferenceReplicas[index].address, $0) }
            }
        }
    }

    /// `/stats`' `drift`: the score distributions the inference replicas counted in memory (``StatsDrift``). A
    /// replica that does not answer within 2 s (or the request deadline, if shorter) is left out, so one slow
    /// replica cannot hold up `/stats`.
    private func driftJSON(options: CallOptions) async -> String {
        var options = options
        options.deadline = min(options.deadline ?? .seconds(2), .seconds(2))
        let request = ModelInfoRequest(driftOnly: true)
        if health.inferenceReplicas.isEmpty {
            let answer = try? await health.inference.modelInfo(request, options: options)
            return StatsDrift.json(answers: answer.map { [$0] } ?? [], asked: 1)
        }
        let answers = await replicaInfo(request, options: options)
        return StatsDrift.json(answers: answers.compactMap { try? $0.outcome.get() }, asked: answers.count)
    }

    private func stats(requestID: String) async -> Response {
        reply(await statsReply(requestID: requestID).map { Array($0.utf8) })
    }

    /// Hours of `alerts_by_hour` in `GET /stats` (the dashboard's Overview charts the last day).
    static let statsHours: UInt32 = 24

    /// `GET /stats`' JSON or problem (also the dashboard's answer).
    func statsReply(requestID: String) async -> Result<String, ProblemDetails> {
        do {
            let options = CallOptions(deadline: configuration.requestDeadline, requestID: requestID)
            async let reviewStats = reviews.stats(ReviewStatsRequest(), options: options)
            async let drift = driftJSON(options: options)
            let s = try await pipeline.alerts.stats(StatsRequest(hours: Self.statsHours), options: options)
            // An alerts service without txad.v1.Reviews (an older replica during a rolling upgrade): no review figures.
            let review: String
            do {
                review = ReviewJSON.stats(try await reviewStats)
            } catch let error as RPCError where error.code == .unimplemented {
                review = "null"
            }
            func counts(_ list: [RiskCount]) -> String {
                let map = Dictionary(list.map { ($0.riskLevel, $0.count) }, uniquingKeysWith: +)
                return "{" + RiskLevel.allCases.map { "\"\($0.rawValue)\":\(map[$0, default: 0])" }
                    .joined(separator: ",") + "}"
            }
            var body = "{\"predictions\":\(s.predictions),\"predictions_by_risk\":\(counts(s.predictionsByRisk)),"
            body += "\"anomalies\":\(s.anomalies),\"anomaly_rate\":\(JSONText.number(s.anomalyRate)),"
            body += "\"alerts\":\(s.alerts),\"alerts_by_risk\":\(counts(s.alertsByRisk)),"
            body += "\"review_backlog\":\(s.reviewBacklog),\"reviewed\":{\"fraud\":\(s.reviewedFraud),"
            body += "\"legitimate\":\(s.reviewedLegitimate)},\"alert_precision\":\(JSONText.number(s.alertPrecision)),"
            let hourly = s.alertsByHour.map { count in
                let hour = RFC3339.format(millis: count.hourMillis)
                return "{\"hour\":\"\(hour)\",\"risk_level\":\"\(count.riskLevel.rawValue)\",\"count\":\(count.count)}"
            }
            body += "\"spooled\":\(s.spooled),\"alerts_by_hour\":[\(hourly.joined(separator: ","))],"
            body += "\"review\":\(review),\"drift\":\(await drift)}"
            return .success(body)
        } catch {
            return .failure(PredictionPipeline.problem(for: error, requestID: requestID))
        }
    }

    private func healthResponse(requestID: String) async -> Response {
        if drain?.isDraining == true {
            return json(.serviceUnavailable, "{\"status\":\"draining\",\"dependencies\":{}}")
        }
        let deadline = CallOptions(deadline: .milliseconds(500), requestID: requestID)
        async let preprocessing = serving(health.preprocessing, options: deadline)
        async let inference = serving(health.inferenceHealth, options: deadline)
        async let alerts = serving(health.alerts, options: deadline)
        async let redis = pipeline.cache.ping()
        let states = await [
            ("preprocessing", preprocessing), ("inference", inference), ("alerts", alerts),
            ("redis", configuration.redisURL == nil ? "disabled" : (await redis ? "up" : "down")),
        ]
        // Scoring needs preprocessing and inference; alerts and Redis down only degrade (spool, no cache).
        let ready = states[0].1 == "serving" && states[1].1 == "serving"
        let degraded = states[2].1 != "serving" || states[3].1 == "down"
        let status = ready ? (degraded ? "degraded" : "ready") : "not_ready"
        let dependencies = states.map { "\(JSONText.quoted($0.0)):\(JSONText.quoted($0.1))" }.joined(separator: ",")
        return json(ready ? .ok : .serviceUnavailable, "{\"status\":\"\(status)\",\"dependencies\":{\(dependencies)}}")
    }

    private func serving(_ client: HealthClient, options: CallOptions) async -> String {
        do {
            let response = try await client.check(options: options)
            return response.status == .serving ? "serving" : "not_serving"
        } catch {
            return error.code == .deadlineExceeded ? "timeout" : "unreachable"
        }
    }

    // MARK: helpers

    private func unsupportedType(_ request: Request, accepted: [String], requestID: String) -> ProblemDetails? {
        HTTPReply.unsupportedType(request, accepted: accepted, requestID: requestID)
    }

    private func collect(_ request: Request, limit: Int, requestID: String) async -> Result<[UInt8], ProblemDetails> {
        await HTTPReply.collect(request, limit: limit, requestID: requestID)
    }

    private func json(_ status: HTTPResponse.Status, _ body: [UInt8]) -> Response { HTTPReply.json(status, body) }

    private func reply(_ result: Result<[UInt8], ProblemDetails>) -> Response {
        switch result {
        case .success(let body): json(.ok, body)
        case .failure(let p): problem(p)
        }
    }

    private func json(_ status: HTTPResponse.Status, _ body: String) -> Response { HTTPReply.json(status, body) }

    private func problem(_ problem: ProblemDetails) -> Response { HTTPReply.problem(problem) }
}

extension HealthClient {
    /// Health clients for each internal service, plus the inference client for model information.
    struct Set: Sendable {
        var preprocessing: HealthClient
        var inferenceHealth: HealthClient
        var alerts: HealthClient
        var inference: InferenceClient
        /// Each inference replica on its own, for `GET /models/info`'s `replicas`.
        var inferenceReplicas: [InferenceReplica] = []
    }

    /// One inference replica's address and a client that reaches only it.
    struct InferenceReplica: Sendable {
        var address: String
        var client: InferenceClient
    }
}

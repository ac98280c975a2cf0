import Auth
import Domain
import HTTPTypes
import Hummingbird
import ServiceKit
import Wire

extension HTTPField.Name {
    /// `Idempotency-Key`: makes a decision safe to retry.
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    /// `Idempotent-Replayed: true` on the stored answer to a repeated request.
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
}

/// The analysts' review API (SPEC §5–6): alerts, the review queue, claims and decisions, all for role `analyst`.
///
/// Who acts is `context.principal.name` only (today the `X-Analyst` header through the development identity; API keys
/// and JWTs later, without a change here). The alerts service owns the rules; RPC status codes become HTTP statuses
/// in ``problem(for:requestID:)`` and nowhere else.
struct ReviewRoutes: Sendable {
    let reviews: ReviewsClient
    /// Deadline of one call; bulk decisions get ``bulkDeadline``.
    let deadline: Duration
    let bulkDeadline: Duration

    /// Largest body of a single decision.
    static let maximumDecisionBytes = 64 << 10
    /// Largest body of a bulk decision (500 items with long notes).
    static let maximumBulkBytes = 4 << 20

    func register(on routes: GuardedRouter<GatewayRequestContext>) {
        routes.get("/alerts", access: .role(.analyst)) { request, context in
            await listAlerts(request, context)
        }
        routes.get("/alerts/{alert_id}", access: .role(.analyst)) { _, context in
            await getAlert(context)
        }
        routes.get("/reviews", access: .role(.analyst)) { request, context in
            await queue(request, context)
        }
        routes.post("/reviews/next", access: .role(.analyst)) { request, context in
            await claimNext(request, context)
        }
        routes.post("/reviews/decisions", access: .role(.analyst)) { request, context in
            await decideMany(request, context)
        }
        routes.post("/reviews/{alert_id}/claim", access: .role(.analyst)) { _, context in
            await claim(context)
        }
        routes.post("/reviews/{alert_id}/decision", access: .role(.analyst)) { request, context in
            await decide(request, context)
        }
    }

    // MARK: alerts

    private func listAlerts(_ request: Request, _ context: GatewayRequestContext) async -> Response {
        var query = QueryReader(
            request, allowed: ["status", "risk_level", "user_id", "since", "until", "cursor", "limit"])
        var rpc = ListAlertsRequest()
        if let status = query.string("status") {
            switch status {
            case "pending": rpc.status = .pending
            case "confirmed_fraud": rpc.status = .confirmedFraud
            case "legitimate": rpc.status = .legitimate
            default: query.problem("status", "must be pending, confirmed_fraud or legitimate")
            }
        }
        rpc.riskLevel = query.risk("risk_level")
        if let user = query.string("user_id") {
            if user.isEmpty || user.utf8.count > 128 {
                query.problem("user_id", "must be 1 to 128 characters")
            } else {
                rpc.userID = user
            }
        }
        // 0 means "no bound" on the wire; nothing is older than 1970, so earlier times clamp to the first millisecond.
        rpc.sinceMillis = query.time("since").map { max($0, 0) } ?? 0
        rpc.untilMillis = query.time("until").map { max($0, 1) } ?? 0
        rpc.cursor = query.string("cursor") ?? ""
        rpc.limit = UInt32(query.int("limit", 1...ReviewLimits.pageSize) ?? 0)
        if let invalid = query.invalid(context.requestID) { return HTTPReply.problem(invalid) }
        do {
            let page = try await reviews.listAlerts(rpc, options: options(context))
            return HTTPReply.json(.ok, ReviewJSON.page(page))
        } catch {
            return HTTPReply.problem(Self.problem(for: error, requestID: context.requestID))
        }
    }

    private func getAlert(_ context: GatewayRequestContext) async -> Response {
        guard let id = alertID(context) else { return HTTPReply.problem(badAlertID(context)) }
        do {
            let detail = try await reviews.getAlert(GetAlertRequest(alertID: id), options: options(context))
            return HTTPReply.json(.ok, ReviewJSON.detail(detail))
        } catch {
            return HTTPReply.problem(Self.problem(for: error, requestID: context.requestID))
        }
    }

    // MARK: queue and claims

    private func queue(_ request: Request, _ context: GatewayRequestContext) async -> Response {
        var query = QueryReader(request, allowed: ["min_risk", "min_age_minutes", "limit", "offset"])
        let minRisk = query.risk("min_risk")
        let minAge = query.int("min_age_minutes", 0...1_000_000) ?? 0
        let limit = query.int("limit", 1...ReviewLimits.pageSize) ?? 50
        let offset = query.int("offset", 0...100_000) ?? 0
        if let invalid = query.invalid(context.requestID) { return HTTPReply.problem(invalid) }
        do {
            let page = try await reviews.queue(
                ReviewQueueRequest(
                    minRisk: minRisk, limit: UInt32(limit), offset: UInt32(offset), minAgeMinutes: UInt32(minAge)),
                options: options(context))
            return HTTPReply.json(.ok, ReviewJSON.queue(page, limit: limit, offset: offset))
        } catch {
            return HTTPReply.problem(Self.problem(for: error, requestID: context.requestID))
        }
    }

    private func claim(_ context: GatewayRequestContext) async -> Response {
        guard let id = alertID(context) else { return HTTPReply.problem(badAlertID(context)) }
        do {
            let claimed = try await reviews.claim(
                ClaimRequest(alertID: id, analyst: analyst(context)), options: options(context))
            return itemResponse(claimed.item)
        } catch {
            return HTTPReply.problem(Self.problem(for: error, requestID: context.requestID))
        }
    }

    private func claimNext(_ request: Request, _ context: GatewayRequestContext) async -> Response {
        var query = QueryReader(request, allowed: ["min_risk"])
        let minRisk = query.risk("min_risk")
        if let invalid = query.invalid(context.requestID) { return HTTPReply.problem(invalid) }
        do {
            let claimed = try await reviews.claimNext(
                ClaimRequest(analyst: analyst(context), minRisk: minRisk), options: options(context))
            guard claimed.item != nil else { return Response(status: .noContent) }
            return itemResponse(claimed.item)
        } catch {
            return HTTPReply.problem(Self.problem(for: error, requestID: context.requestID))
        }
    }

    private func itemResponse(_ item: ReviewItem?) -> Response {
        var out = JSONWriter(capacity: 1024)
        if let item { ReviewJSON.item(item, into: &out) }
        return HTTPReply.json(.ok, out.bytes)
    }

    // MARK: decisions

    private func decide(_ request: Request, _ context: GatewayRequestContext) async -> Response {
        let requestID = context.requestID
        guard let id = alertID(context) else { return HTTPReply.problem(badAlertID(context)) }
        let key = request.headers[.idempotencyKey] ?? ""
        guard !key.isEmpty else {
            return HTTPReply.problem(
                ProblemDetails(
                    status: 400, title: "Missing Idempotency-Key",
                    detail: "decisions need an Idempotency-Key header (e.g. a UUID) so that a retry is safe",
                    errors: [FieldProblem(field: "Idempotency-Key", reason: "is required")], requestID: requestID))
        }
        if let reason = DecisionInput.keyProblem(key) {
            return HTTPReply.problem(
                ReviewProblem.invalid([FieldProblem(field: "Idempotency-Key", reason: reason)], requestID: requestID))
        }
        let value: JSONValue
        switch await body(request, limit: Self.maximumDecisionBytes, requestID: requestID) {
        case .success(let v): value = v
        case .failure(let p): return HTTPReply.problem(p)
        }
        let input: DecisionInput
        switch DecisionInput.decode(value, requireAlertID: false) {
        case .success(let i): input = i
        case .failure(let problems):
            return HTTPReply.problem(ReviewProblem.invalid(problems.problems, requestID: requestID))
        }
        do {
            let decided = try await reviews.decide(
                input.request(alertID: id, analyst: analyst(context), key: key), options: options(context))
            var out = JSONWriter(capacity: 1200)
            ReviewJSON.decided(decided, into: &out)
            return HTTPReply.json(
                .ok, out.bytes, headers: decided.replayed ? [.idempotentReplayed: "true"] : [:])
        } catch {
            return HTTPReply.problem(Self.problem(for: error, requestID: requestID))
        }
    }

    private func decideMany(_ request: Request, _ context: GatewayRequestContext) async -> Response {
        let requestID = context.requestID
        let key = request.headers[.idempotencyKey]
        if let key, let reason = DecisionInput.keyProblem(key) {
            return HTTPReply.problem(
                ReviewProblem.invalid([FieldProblem(field: "Idempotency-Key", reason: reason)], requestID: requestID))
        }
        let value: JSONValue
        switch await body(request, limit: Self.maximumBulkBytes, requestID: requestID) {
        case .success(let v): value = v
        case .failure(let p): return HTTPReply.problem(p)
        }
        guard case .object(let members) = value, members.count == 1, members[0].0 == "decisions",
            case .array(let items) = members[0].1
        else {
            return HTTPReply.problem(
                ReviewProblem.invalid(
                    [FieldProblem(field: "decisions", reason: "the body must be {\"decisions\": [ … ]}")],
                    requestID: requestID))
        }
        guard !items.isEmpty else {
            return HTTPReply.problem(
                ReviewProblem.invalid([FieldProblem(field: "decisions", reason: "is empty")], requestID: requestID))
        }
        guard items.count <= ReviewLimits.bulkDecisions else {
            return HTTPReply.problem(
                .tooLarge(
                    "at most \(ReviewLimits.bulkDecisions) decisions per request, got \(items.count); split them",
                    requestID: requestID))
        }
        let analyst = analyst(context)
        var outcomes: [Result<Int, DecisionProblems>] = []  // index into `valid`, or the item's problems
        var valid: [ReviewDecideRequest] = []
        for item in items {
            switch DecisionInput.decode(item, requireAlertID: true) {
            case .success(let input):
                let alertID = input.alertID ?? ""
                let itemKey = input.idempotencyKey ?? key.map { "\($0)/\(alertID)" } ?? ""
                outcomes.append(.success(valid.count))
                valid.append(input.request(alertID: alertID, analyst: analyst, key: itemKey))
            case .failure(let problems):
                outcomes.append(.failure(problems))
            }
        }
        var results: [DecideResult] = []
        if !valid.isEmpty {
            do {
                results = try await reviews.decideMany(
                    DecideManyRequest(items: valid),
                    options: CallOptions(deadline: bulkDeadline, requestID: requestID)
                ).results
            } catch {
                return HTTPReply.problem(Self.problem(for: error, requestID: requestID))
            }
        }
        var out = JSONWriter(capacity: 128 + items.count * 1200)
        var decided = 0
        out.raw("{\"results\":[")
        for (index, outcome) in outcomes.enumerated() {
            out.raw(index == 0 ? "{\"index\":\(index)," : ",{\"index\":\(index),")
            switch outcome {
            case .failure(let problems):
                out.raw("\"status\":422,\"problem\":")
                out.raw(ReviewProblem.invalid(problems.problems, requestID: nil).json())
            case .success(let position):
                let result =
                    position < results.count ? results[position] : DecideResult(status: .init(code: .internalError))
                out.raw("\"alert_id\":")
                out.string(valid[position].alertID)
                if result.status.code == .ok, let response = result.response {
                    decided += 1
                    out.raw(",\"status\":200,\"alert\":")
                    ReviewJSON.decided(response, into: &out)
                } else {
                    let problem = Self.problem(
                        for: RPCError(code: result.status.code, message: result.status.message), requestID: nil)
                    out.raw(",\"status\":\(problem.status),\"problem\":")
                    out.raw(problem.json())
                }
            }
            out.raw("}")
        }
        out.raw("],\"summary\":{\"total\":\(items.count),\"decided\":\(decided),\"failed\":\(items.count - decided)}}")
        return HTTPReply.json(.ok, out.bytes)
    }

    // MARK: helpers

    private func body(_ request: Request, limit: Int, requestID: String) async -> Result<JSONValue, ProblemDetails> {
        if let problem = HTTPReply.unsupportedType(request, accepted: ["application/json"], requestID: requestID) {
            return .failure(problem)
        }
        switch await HTTPReply.collect(request, limit: limit, requestID: requestID) {
        case .failure(let problem):
            return .failure(problem)
        case .success(let bytes):
            do {
                return .success(try JSONParser.parse(bytes))
            } catch {
                return .failure(.badRequest(error.description, requestID: requestID))
            }
        }
    }

    /// The caller's name; routes are `.role(.analyst)`, so ``GuardedRouter`` has already required a principal.
    private func analyst(_ context: GatewayRequestContext) -> String { context.principal?.name ?? "" }

    private func options(_ context: GatewayRequestContext) -> CallOptions {
        CallOptions(deadline: deadline, requestID: context.requestID)
    }

    private func alertID(_ context: GatewayRequestContext) -> String? {
        guard let id = context.parameters.get("alert_id"), let number = Int64(id), number > 0 else { return nil }
        return String(number)
    }

    private func badAlertID(_ context: GatewayRequestContext) -> ProblemDetails {
        ReviewProblem.invalid(
            [FieldProblem(field: "alert_id", reason: "must be a positive whole number")], requestID: context.requestID)
    }

    /// An RPC error of the review API as a problem document: INVALID_ARGUMENT → 422, NOT_FOUND → 404, ABORTED
    /// (claimed by another analyst, already decided differently) → 409, FAILED_PRECONDITION (idempotency key reused
    /// with another body) → 422, UNAVAILABLE / DEADLINE_EXCEEDED → 503.
    static func problem(for error: any Error, requestID: String?) -> ProblemDetails {
        guard let rpc = error as? RPCError else {
            return .unavailable("\(error)", requestID: requestID)
        }
        switch rpc.code {
        case .invalidArgument:
            return ProblemDetails(status: 422, title: "Invalid request", detail: rpc.message, requestID: requestID)
        case .notFound:
            return ProblemDetails(status: 404, title: "Not found", detail: rpc.message, requestID: requestID)
        case .aborted, .alreadyExists:
            return ProblemDetails(status: 409, title: "Conflict", detail: rpc.message, requestID: requestID)
        case .failedPrecondition:
            return ProblemDetails(
                status: 422, title: "Idempotency-Key reused", detail: rpc.message,
                errors: [FieldProblem(field: "Idempotency-Key", reason: "was used for a different request")],
                requestID: requestID)
        case .deadlineExceeded:
            return ProblemDetails(
                status: 503, title: "Dependency too slow", detail: rpc.message, requestID: requestID,
                retryAfterSeconds: 1)
        default:
            return .unavailable(rpc.message, requestID: requestID)
        }
    }
}

/// Limits of the review API.
enum ReviewLimits {
    /// Largest page of `GET /alerts` and `GET /reviews`.
    static let pageSize = 200
    /// Most decisions in one `POST /reviews/decisions`.
    static let bulkDecisions = 500
    /// Longest note, characters.
    static let noteLength = 4000
    /// Longest `Idempotency-Key`, bytes.
    static let keyLength = 255
}

/// 422 problem documents of the review API.
enum ReviewProblem {
    static func invalid(_ problems: [FieldProblem], requestID: String?) -> ProblemDetails {
        ProblemDetails(
            status: 422, title: "Invalid request", detail: problems.map(\.description).joined(separator: "; "),
            errors: problems, requestID: requestID)
    }
}

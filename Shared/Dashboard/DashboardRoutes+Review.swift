import Auth
import HTTPTypes
import Hummingbird
import ServiceKit

/// The review queue and alert log pages: each sends the review API's own request (``DashboardAPI``) and renders
/// the answer; form posts are CSRF-checked and decisions carry the form's `Idempotency-Key`, so a resubmitted form
/// records one decision.
extension DashboardRoutes {
    /// Notices after a redirect (`?done=`), by code: the text never comes from the URL.
    static var notices: [String: String] {
        [
            "claimed": "You hold the claim on this alert.",
            "decided": "Decision recorded.",
            "decided-next": "Decision recorded; this is the next alert in the queue, claimed for you.",
            "next": "Claimed for you: the highest-risk pending alert.",
            "empty": "Nothing pending to claim.",
            "decided-empty": "Decision recorded; nothing else is pending.",
        ]
    }

    func registerReview(on routes: GuardedRouter<Context>, api: DashboardAPI<Context>) {
        routes.get("/dashboard/reviews", access: .role(.analyst)) { request, context in
            await queue(request, context, api: api)
        }
        routes.post("/dashboard/reviews/next", access: .role(.analyst)) { request, context in
            await claimNext(request, context, api: api)
        }
        routes.post("/dashboard/reviews/decisions", access: .role(.analyst)) { request, context in
            await decideMany(request, context, api: api)
        }
        routes.get("/dashboard/alerts", access: .role(.analyst)) { request, context in
            let query = request.uri.queryParameters
            let filters = AlertsLogPage.Filters(
                status: query.get("status"), riskLevel: query.get("risk_level"), userID: query.get("user_id"),
                since: query.get("since"), until: query.get("until"), cursor: query.get("cursor"))
            let reply = await api.call(.get, filters.apiPath, context: context)
            let page = AlertsLogPage(filters: filters, reply: reply)
            return render(
                "Alerts log", current: "/dashboard/alerts", template: "alerts", page, context, nil,
                status: reply.status == 422 ? .unprocessableContent : .ok)
        }
        routes.get("/dashboard/alerts/{alert_id}", access: .role(.analyst)) { request, context in
            guard let id = alertID(context) else { return noSuchAlert(context) }
            let notice = request.uri.queryParameters.get("done").flatMap { Self.notices[$0] }
            return await detail(id, request, context, api: api, notice: notice)
        }
        routes.post("/dashboard/alerts/{alert_id}/claim", access: .role(.analyst)) { request, context in
            guard let id = alertID(context) else { return noSuchAlert(context) }
            if case .failure(let refusal) = await verifiedForm(request, context) { return refusal.response }
            let reply = await api.call(.post, "/reviews/\(id)/claim", context: context)
            guard reply.status == 200 else { return await detail(id, request, context, api: api, refusal: reply) }
            return Self.redirect("/dashboard/alerts/\(id)?done=claimed")
        }
        routes.post("/dashboard/alerts/{alert_id}/decision", access: .role(.analyst)) { request, context in
            guard let id = alertID(context) else { return noSuchAlert(context) }
            return await decide(id, request, context, api: api)
        }
    }

    // MARK: queue

    private func queue(
        _ request: Request, _ context: Context, api: DashboardAPI<Context>, notice: String? = nil,
        bulk: [ReviewQueuePage.BulkOutcome] = [], status: HTTPResponse.Status? = nil
    ) async -> Response {
        let query = request.uri.queryParameters
        let minRisk = query.get("min_risk")
        let minAge = query.get("min_age_minutes")
        let reply = await api.call(
            .get, ReviewQueuePage.apiPath(minRisk: minRisk, minAge: minAge, offset: query.get("offset")),
            context: context)
        let (token, cookie) = csrfToken(request)
        let page = ReviewQueuePage(
            minRisk: minRisk, minAge: minAge, reply: reply, csrfToken: token, idempotencyKey: newIdempotencyKey(),
            notice: notice ?? query.get("done").flatMap { Self.notices[$0] }, bulk: bulk)
        return render(
            "Review queue", current: "/dashboard/reviews", template: "reviews", page, context, cookie,
            status: status ?? (reply.status == 422 ? .unprocessableContent : .ok))
    }

    private func claimNext(_ request: Request, _ context: Context, api: DashboardAPI<Context>) async -> Response {
        let form: FormData
        switch await verifiedForm(request, context) {
        case .success(let f): form = f
        case .failure(let refusal): return refusal.response
        }
        let reply = await api.call(
            .post, DashboardQuery.url("/reviews/next", [("min_risk", form["min_risk"])]), context: context)
        return claimedNextRedirect(reply, done: ("next", "empty")) ?? problemPage(reply, context)
    }

    /// Where to go after `POST /reviews/next`: the claimed alert, or the queue when nothing is pending.
    private func claimedNextRedirect(_ reply: DashboardReply, done: (claimed: String, empty: String)) -> Response? {
        if reply.status == 204 { return Self.redirect("/dashboard/reviews?done=\(done.empty)") }
        guard reply.status == 200, let alert = APIDocuments.decode(APIDocuments.Alert.self, from: reply.body) else {
            return nil
        }
        return Self.redirect("/dashboard/alerts/\(alert.alertID)?done=\(done.claimed)")
    }

    private func decideMany(_ request: Request, _ context: Context, api: DashboardAPI<Context>) async -> Response {
        let form: FormData
        switch await verifiedForm(request, context) {
        case .success(let f): form = f
        case .failure(let refusal): return refusal.response
        }
        let ids = form.values("alert_id")
        guard !ids.isEmpty else {
            return await queue(
                request, context, api: api, notice: "Select at least one alert for a bulk decision.",
                status: .unprocessableContent)
        }
        var body = JSONWriter(capacity: 64 + ids.count * 96)
        body.raw("{\"decisions\":[")
        for (i, id) in ids.enumerated() {
            body.raw(i == 0 ? "{\"alert_id\":" : ",{\"alert_id\":")
            body.string(id)
            Self.decisionMembers(decision: form["decision"], note: form["note"] ?? "", override: false, into: &body)
            body.raw("}")
        }
        body.raw("]}")
        let reply = await api.call(
            .post, "/reviews/decisions", json: body.bytes, headers: idempotencyHeader(form), context: context)
        guard reply.status == 200, let result = APIDocuments.decode(BulkResult.self, from: reply.body) else {
            let problem = APIDocuments.problem(in: reply)
            return await queue(
                request, context, api: api, notice: "Bulk decision refused — \(problem.title): \(problem.detail)",
                status: .init(code: reply.status == 200 ? 502 : reply.status))
        }
        let outcomes = result.results.map { item in
            let id = item.alertID ?? (item.index < ids.count ? ids[item.index] : "?")
            return ReviewQueuePage.BulkOutcome(
                alertID: id,
                text: item.status == 200
                    ? "decided" : item.problem.map { "\($0.title): \($0.detail)" } ?? "refused (\(item.status))",
                failed: item.status != 200)
        }
        let decided = outcomes.filter { !$0.failed }.count
        return await queue(
            request, context, api: api,
            notice: "Bulk decision: \(decided) of \(outcomes.count) decided.", bulk: outcomes)
    }

    /// The body of `POST /reviews/decisions` as far as the page reads it.
    private struct BulkResult: Decodable {
        struct Item: Decodable {
            var index: Int
            var alertID: String?
            var status: Int
            var problem: APIDocuments.Problem?

            enum CodingKeys: String, CodingKey {
                case index
                case alertID = "alert_id"
                case status, problem
            }
        }

        var results: [Item]
    }

    // MARK: one alert

    private func detail(
        _ id: String, _ request: Request, _ context: Context, api: DashboardAPI<Context>, notice: String? = nil,
        submitted: (decision: String, note: String, override: Bool)? = nil, refusal: DashboardReply? = nil
    ) async -> Response {
        let reply = await api.call(.get, "/alerts/\(id)", context: context)
        let (token, cookie) = csrfToken(request)
        let page = AlertDetailPage(
            alertID: id, reply: reply, analyst: context.principal?.name ?? "", csrfToken: token,
            idempotencyKey: newIdempotencyKey(), notice: notice, submitted: submitted, refusal: refusal)
        let status = refusal.map { HTTPResponse.Status(code: $0.status) } ?? .init(code: reply.status)
        return render(
            "Alert \(id)", current: "/dashboard/alerts", template: "alert", page, context, cookie, status: status)
    }

    private func decide(_ id: String, _ request: Request, _ context: Context, api: DashboardAPI<Context>) async
        -> Response
    {
        let form: FormData
        switch await verifiedForm(request, context) {
        case .success(let f): form = f
        case .failure(let refusal): return refusal.response
        }
        let submitted = (decision: form["decision"] ?? "", note: form["note"] ?? "", override: form["override"] != nil)
        var body = JSONWriter(capacity: 256)
        body.raw("{\"override\":")
        body.bool(submitted.override)
        Self.decisionMembers(decision: form["decision"], note: submitted.note, override: nil, into: &body)
        body.raw("}")
        let reply = await api.call(
            .post, "/reviews/\(id)/decision", json: body.bytes, headers: idempotencyHeader(form), context: context)
        guard reply.status == 200 else {
            return await detail(id, request, context, api: api, submitted: submitted, refusal: reply)
        }
        guard form["then"] == "next" else { return Self.redirect("/dashboard/alerts/\(id)?done=decided") }
        let next = await api.call(.post, "/reviews/next", context: context)
        return claimedNextRedirect(next, done: ("decided-next", "decided-empty"))
            ?? Self.redirect("/dashboard/alerts/\(id)?done=decided")
    }

    /// `,"decision":…,"note":…` (and `,"override":…` when given); an empty decision is left out so the API names
    /// the missing field.
    private static func decisionMembers(
        decision: String?, note: String, override: Bool?, into body: inout JSONWriter
    ) {
        if let decision, !decision.isEmpty {
            body.raw(",\"decision\":")
            body.string(decision)
        }
        body.raw(",\"note\":")
        body.string(note)
        if let override {
            body.raw(",\"override\":")
            body.bool(override)
        }
    }

    // MARK: helpers

    private func idempotencyHeader(_ form: FormData) -> HTTPFields {
        var headers: HTTPFields = [:]
        if let key = form["idempotency_key"], !key.isEmpty { headers[.idempotencyKey] = key }
        return headers
    }

    /// A fresh key for a decision form: resubmitting the same rendered form repeats, not doubles, the decision.
    private func newIdempotencyKey() -> String { "dashboard-" + csrf.newToken().prefix(24) }

    /// The `{alert_id}` path parameter when it is a positive whole number (it goes into the API's path).
    private func alertID(_ context: Context) -> String? {
        guard let id = context.parameters.get("alert_id"), (1...19).contains(id.utf8.count),
            id.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            id.contains(where: { $0 != "0" })
        else { return nil }
        return id
    }

    private func noSuchAlert(_ context: Context) -> Response {
        message(.notFound, "No such alert", "Alert ids are positive whole numbers; see the alerts log.", context)
    }

    private func problemPage(_ reply: DashboardReply, _ context: Context) -> Response {
        let problem = APIDocuments.problem(in: reply)
        return message(
            .init(code: reply.status == 200 ? 502 : reply.status), problem.title, problem.detail, context)
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }
}

extension HTTPField.Name {
    /// `Idempotency-Key` of decisions.
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}

import Auth
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Registry
import ServiceKit

/// The model registry over REST, for the `admin` role: list, show, promote, approve, roll back.
///
/// The gateway reads and writes the registry in PostgreSQL itself (`DATABASE_URL`), as `txad models` does: the
/// registry is a shared library over one database, the inference replicas follow it through `NOTIFY`, and an RPC
/// hop through another service would add a deployment dependency without adding a check. Without a database URL
/// every route answers 503. The acting principal is `context.principal.name`.
///
/// | route | body | answer |
/// |---|---|---|
/// | `GET /models` | – | `{"versions":[…]}` |
/// | `GET /models/{version}` | – | the version and its `history` |
/// | `POST /models/{version}/promote` | `{"stage":"shadow"\|"canary"\|"champion"\|"archived","canary_percent":10}` | the version |
/// | `POST /models/{version}/approve` | optional `{"self_approve":true}` (needs `TXAD_ALLOW_SELF_APPROVAL=1`) | the version |
/// | `POST /models/rollback` | – | the new champion |
struct ModelRoutes: Sendable {
    /// Nil when the gateway has no database URL.
    let registry: BundleRegistry?
    /// `TXAD_ALLOW_SELF_APPROVAL=1` in the gateway's environment.
    let selfApprovalAllowed: Bool

    /// Largest request body of these routes.
    static let maximumBodyBytes = 4096

    func register(on routes: GuardedRouter<GatewayRequestContext>) {
        routes.get("/models", access: .role(.admin)) { _, context in
            await run(context) { registry, _ in
                var out = JSONWriter()
                out.raw("{\"versions\":[")
                for (i, record) in try await registry.list().enumerated() {
                    if i > 0 { out.raw(",") }
                    Self.write(record, to: &out)
                }
                out.raw("]}")
                return out.text
            }
        }
        routes.post("/models/rollback", access: .role(.admin)) { _, context in
            await run(context) { registry, principal in
                var out = JSONWriter()
                Self.write(try await registry.rollback(by: principal), to: &out)
                return out.text
            }
        }
        routes.get("/models/{version}", access: .role(.admin)) { _, context in
            let version = context.parameters.get("version") ?? ""
            return await run(context) { registry, _ in
                let record = try await registry.show(version)
                let history = try await registry.history(of: version)
                var out = JSONWriter()
                Self.write(record, to: &out, history: history)
                return out.text
            }
        }
        routes.post("/models/{version}/promote", access: .role(.admin)) { request, context in
            let version = context.parameters.get("version") ?? ""
            let body: JSONValue
            switch await Self.body(request, context) {
            case .success(let value): body = value
            case .failure(let problem): return Self.response(problem)
            }
            let target: PromotionTarget
            switch Self.target(from: body, requestID: context.requestID) {
            case .success(let value): target = value
            case .failure(let problem): return Self.response(problem)
            }
            return await run(context) { registry, principal in
                var out = JSONWriter()
                Self.write(try await registry.promote(version, to: target, by: principal), to: &out)
                return out.text
            }
        }
        routes.post("/models/{version}/approve", access: .role(.admin)) { request, context in
            let version = context.parameters.get("version") ?? ""
            let body: JSONValue
            switch await Self.body(request, context, optional: true) {
            case .success(let value): body = value
            case .failure(let problem): return Self.response(problem)
            }
            var selfApprove = false
            if case .object(let fields) = body {
                for (key, value) in fields {
                    guard key == "self_approve", case .bool(let flag) = value else {
                        return Self.response(
                            .invalid(
                                [
                                    FieldProblem(
                                        field: key,
                                        reason: key == "self_approve" ? "must be a boolean" : "unknown field")
                                ],
                                requestID: context.requestID))
                    }
                    selfApprove = flag
                }
            }
            if selfApprove && !selfApprovalAllowed {
                return Self.response(
                    ProblemDetails(
                        status: 403, title: "Self-approval not allowed",
                        detail: "self_approve needs TXAD_ALLOW_SELF_APPROVAL=1 on the gateway (local use only)",
                        requestID: context.requestID))
            }
            return await run(context) { registry, principal in
                var out = JSONWriter()
                Self.write(
                    try await registry.approve(version, by: principal, selfApprovalPermitted: selfApprove), to: &out)
                return out.text
            }
        }
    }

    // MARK: - Helpers

    /// Runs `body` with the registry and the principal's name; registry errors become problem documents.
    private func run(
        _ context: GatewayRequestContext, _ body: (BundleRegistry, String) async throws -> String
    ) async -> Response {
        guard let registry else {
            return Self.response(
                .unavailable(
                    "the model registry is not configured: start the gateway with DATABASE_URL",
                    requestID: context.requestID))
        }
        guard let principal = context.principal?.name else {
            return Self.response(
                ProblemDetails(status: 401, title: "Unauthorized", detail: "no principal", requestID: context.requestID)
            )
        }
        do {
            let json = try await body(registry, principal)
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: json)))
        } catch let error as RegistryError {
            return Self.response(Self.problem(for: error, requestID: context.requestID))
        } catch {
            return Self.response(
                ProblemDetails(status: 500, title: "Registry failure", detail: "\(error)", requestID: context.requestID)
            )
        }
    }

    static func problem(for error: RegistryError, requestID: String) -> ProblemDetails {
        let (status, title): (Int, String) =
            switch error.code {
            case .invalidArgument: (422, "Invalid model request")
            case .notFound: (404, "Not found")
            case .conflict: (409, "Conflict")
            case .approvalRequired: (409, "Approval required")
            case .selfApprovalRefused: (403, "Self-approval refused")
            case .corruptBundle: (409, "Bundle refused")
            case .unavailable: (503, "Service unavailable")
            case .storeFailure: (500, "Registry failure")
            }
        return ProblemDetails(
            status: status, title: title, detail: error.message, requestID: requestID,
            retryAfterSeconds: status == 503 ? 1 : nil)
    }

    /// The JSON body (an object), or `.null` for an empty optional body.
    private static func body(_ request: Request, _ context: GatewayRequestContext, optional: Bool = false) async
        -> Result<JSONValue, ProblemDetails>
    {
        let bytes: [UInt8]
        do {
            bytes = Array(try await request.body.collect(upTo: maximumBodyBytes).readableBytesView)
        } catch {
            return .failure(
                .tooLarge("the body is larger than \(maximumBodyBytes) bytes", requestID: context.requestID))
        }
        if optional && bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            return .success(.null)
        }
        do {
            let value = try JSONParser.parse(bytes)
            guard case .object = value else {
                return .failure(.badRequest("the body must be a JSON object", requestID: context.requestID))
            }
            return .success(value)
        } catch {
            return .failure(.badRequest(error.description, requestID: context.requestID))
        }
    }

    /// `{"stage": …, "canary_percent": N}` as a promotion target; every problem names its field.
    static func target(from body: JSONValue, requestID: String) -> Result<PromotionTarget, ProblemDetails> {
        guard case .object(let fields) = body else {
            return .failure(.badRequest("the body must be a JSON object", requestID: requestID))
        }
        var stage: String?
        var percent: Double?
        var problems: [FieldProblem] = []
        for (key, value) in fields {
            switch (key, value) {
            case ("stage", .string(let text)): stage = text
            case ("stage", _): problems.append(FieldProblem(field: "stage", reason: "must be a string"))
            case ("canary_percent", .number(let number)): percent = number
            case ("canary_percent", _):
                problems.append(FieldProblem(field: "canary_percent", reason: "must be a number"))
            default: problems.append(FieldProblem(field: key, reason: "unknown field"))
            }
        }
        if stage == nil && problems.isEmpty {
            problems.append(FieldProblem(field: "stage", reason: "is required: shadow, canary, champion or archived"))
        }
        if let stage {
            switch stage {
            case "shadow", "champion", "archived":
                if percent != nil {
                    problems.append(FieldProblem(field: "canary_percent", reason: "only with stage canary"))
                }
            case "canary":
                if let percent {
                    if !(percent >= 0.01 && percent <= 99.99) {
                        problems.append(FieldProblem(field: "canary_percent", reason: "must be from 0.01 to 99.99"))
                    }
                } else {
                    problems.append(FieldProblem(field: "canary_percent", reason: "is required with stage canary"))
                }
            default:
                problems.append(FieldProblem(field: "stage", reason: "must be shadow, canary, champion or archived"))
            }
        }
        guard problems.isEmpty, let stage else {
            return .failure(
                ProblemDetails(
                    status: 422, title: "Invalid model request",
                    detail: problems.map(\.description).joined(separator: "; "), errors: problems, requestID: requestID)
            )
        }
        switch stage {
        case "shadow": return .success(.shadow)
        case "champion": return .success(.champion)
        case "archived": return .success(.archived)
        default: return .success(.canary(share: (percent ?? 0) / 100))
        }
    }

    /// One version as JSON; `history` adds the audit trail.
    static func write(_ r: ModelVersionRecord, to out: inout JSONWriter, history: [StageChange]? = nil) {
        out.raw("{\"version\":")
        out.string(r.version)
        out.raw(",\"stage\":")
        out.string(r.stage.rawValue)
        out.raw(",\"canary_share\":")
        if let share = r.canaryShare { out.number(share) } else { out.raw("null") }
        out.raw(",\"created\":")
        out.string(r.created)
        out.raw(",\"registered_by\":")
        out.string(r.registeredBy)
        out.raw(",\"registered_at\":")
        out.string(r.registeredAt)
        out.raw(",\"approved_by\":")
        optional(r.approvedBy, &out)
        out.raw(",\"approved_at\":")
        optional(r.approvedAt, &out)
        out.raw(",\"checksum\":")
        out.string(r.checksum)
        out.raw(",\"bundle_bytes\":")
        out.number(r.bundleBytes)
        out.raw(",\"data_digest\":")
        out.string(r.dataDigest)
        out.raw(",\"mlflow_run_id\":")
        optional(r.mlflowRunID, &out)
        out.raw(",\"holdout\":{\"roc_auc\":")
        if let roc = r.rocAUC { out.number(roc) } else { out.raw("null") }
        out.raw(",\"pr_auc\":")
        if let pr = r.prAUC { out.number(pr) } else { out.raw("null") }
        out.raw("}")
        if let history {
            out.raw(",\"history\":[")
            for (i, change) in history.enumerated() {
                out.raw(i == 0 ? "{" : ",{")
                out.raw("\"action\":")
                out.string(change.action)
                out.raw(",\"from\":")
                optional(change.fromStage?.rawValue, &out)
                out.raw(",\"to\":")
                out.string(change.toStage.rawValue)
                out.raw(",\"canary_share\":")
                if let share = change.canaryShare { out.number(share) } else { out.raw("null") }
                out.raw(",\"by\":")
                out.string(change.actor)
                out.raw(",\"at\":")
                out.string(change.changedAt)
                out.raw("}")
            }
            out.raw("]")
        }
        out.raw("}")
    }

    private static func optional(_ value: String?, _ out: inout JSONWriter) {
        if let value { out.string(value) } else { out.raw("null") }
    }

    private static func response(_ problem: ProblemDetails) -> Response {
        var headers: HTTPFields = [.contentType: ProblemDetails.contentType]
        if let retry = problem.retryAfterSeconds { headers[.retryAfter] = String(retry) }
        return Response(
            status: .init(code: problem.status), headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: problem.json())))
    }
}

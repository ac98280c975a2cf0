import Auth
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The dashboard's pages and assets (SPEC §7), registered through ``GuardedRouter`` like every gateway route:
/// Overview, Model performance and Data explorer need `analyst`, Single prediction and Batch analysis `scorer`
/// (as `/predict` does), the fingerprinted assets are open.
///
/// Pages are HTML rendered on the server from Mustache templates; every page works without JavaScript (the one
/// script only refreshes the Overview's numbers). Each answer carries a strict Content-Security-Policy (no inline
/// script or style), and every form POST is checked by ``CSRFProtection``.
public struct DashboardRoutes<Context: PrincipalRequestContext>: Sendable {
    /// Settings of the dashboard.
    public struct Configuration: Sendable {
        /// Key signing the CSRF cookie (≥ 32 bytes; share it between gateway replicas). Default: random per process.
        public var csrfKey: [UInt8]
        /// Mark cookies `Secure` (when the gateway is reached over TLS).
        public var secureCookies: Bool
        /// How often the Overview refreshes its numbers.
        public var overviewRefreshSeconds: Int
        /// Sign-in with API keys and server-side sessions; nil offers no sign-in (the gateway identifies callers).
        public var signIn: DashboardSignIn?
        /// Where Batch analysis keeps scored uploads (Redis for several gateway replicas).
        public var batchResults: BatchResultStore

        /// Creates a configuration.
        public init(
            csrfKey: [UInt8] = CSRFProtection.randomKey(), secureCookies: Bool = false, overviewRefreshSeconds: Int = 5,
            signIn: DashboardSignIn? = nil, batchResults: BatchResultStore = BatchResultStore()
        ) {
            self.signIn = signIn
            self.batchResults = batchResults
            self.csrfKey = csrfKey
            self.secureCookies = secureCookies
            self.overviewRefreshSeconds = overviewRefreshSeconds
        }
    }

    /// `Content-Security-Policy` of every dashboard answer: only this origin's script, style and fetches, no
    /// inline code, no framing.
    public static var contentSecurityPolicy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    }

    let backend: any DashboardBackend
    let api: DashboardAPI<Context>?
    let configuration: Configuration
    let templates: DashboardTemplates
    let assets: DashboardAssets
    let csrf: CSRFProtection
    private var batches: BatchResultStore { configuration.batchResults }
    private let explorerSamples = ExplorerSamples()
    /// The Overview's refresh JSON, shared by every open page for up to half the refresh interval (at least 1 s).
    let overviewRefreshes: OverviewRefreshCache

    /// Creates the routes over `backend` (and `api`, the REST routes behind the review and alert pages, which are
    /// left out without it) with the given templates and assets.
    public init(
        backend: any DashboardBackend, api: DashboardAPI<Context>?, configuration: Configuration,
        templates: DashboardTemplates, assets: DashboardAssets
    ) {
        self.backend = backend
        self.api = api
        self.configuration = configuration
        self.templates = templates
        self.assets = assets
        self.csrf = CSRFProtection(key: configuration.csrfKey)
        self.overviewRefreshes = OverviewRefreshCache(
            lifetime: .milliseconds(max(1000, configuration.overviewRefreshSeconds * 500)))
    }

    /// Creates the routes with the module's own templates and assets.
    /// - Throws: ``DashboardError`` when they are missing or a template does not parse.
    public init(
        backend: any DashboardBackend, api: DashboardAPI<Context>?, configuration: Configuration = Configuration()
    ) throws {
        self.init(
            backend: backend, api: api, configuration: configuration, templates: try DashboardTemplates.bundled(),
            assets: try DashboardAssets.bundled())
    }

    /// Adds every dashboard route to `routes`.
    public func register(on routes: GuardedRouter<Context>) {
        routes.renderRefusals(under: "/dashboard") { refusal, context in refusalPage(refusal, context) }
        routes.get("/dashboard", access: .role(.analyst)) { request, context in
            await overview(request, context)
        }
        routes.get("/dashboard/overview.json", access: .role(.analyst)) { _, context in
            let json = await overviewRefreshes.value { await overviewPage(context, timeline: false).refreshJSON }
            return Response(
                status: .ok, headers: Self.headers(contentType: "application/json"),
                body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        routes.get("/dashboard/predict", access: .role(.scorer)) { request, context in
            let (token, cookie) = csrfToken(request)
            let now = RFC3339.format(millis: Int64(Date().timeIntervalSince1970 * 1000))
            let id = "dash-" + csrf.newToken().prefix(12)
            let page = PredictionPage.example(csrfToken: token, transactionID: id, now: now)
            return render(
                "Single prediction", current: "/dashboard/predict", template: "predict", page, context, cookie)
        }
        routes.post("/dashboard/predict", access: .role(.scorer)) { request, context in
            await submitPrediction(request, context)
        }
        routes.get("/dashboard/batch", access: .role(.scorer)) { request, context in
            let (token, cookie) = csrfToken(request)
            let page = BatchPage(csrfToken: token, limits: backend.limits)
            return render("Batch analysis", current: "/dashboard/batch", template: "batch", page, context, cookie)
        }
        routes.post("/dashboard/batch", access: .role(.scorer)) { request, context in
            await submitBatch(request, context)
        }
        routes.get("/dashboard/batch/{id}", access: .role(.scorer)) { request, context in
            await showBatch(request, context)
        }
        routes.get("/dashboard/batch/{id}/results.csv", access: .role(.scorer)) { _, context in
            await downloadBatch(context)
        }
        routes.get("/dashboard/model", access: .role(.analyst)) { _, context in
            async let versions = api?.call(.get, "/models", context: context)
            var page = ModelPerformancePage(model: await backend.modelInfo(requestID: context.requestID))
            page.comparison = await versions.map(ModelComparison.init(reply:))
            return render("Model performance", current: "/dashboard/model", template: "model", page, context, nil)
        }
        routes.get("/dashboard/explorer", access: .role(.analyst)) { request, context in
            let query = request.uri.queryParameters
            let page = ExplorerPage(
                size: query.get("size"), seed: query.get("seed"),
                anomalyRate: query.get("anomaly_rate"), samples: explorerSamples)
            return render(
                "Data explorer", current: "/dashboard/explorer", template: "explorer", page, context, nil,
                status: page.hasErrors ? .unprocessableContent : .ok)
        }
        if let api { registerReview(on: routes, api: api) }
        if let signIn = configuration.signIn { registerSignIn(on: routes, signIn: signIn) }
        routes.get("/dashboard/assets/{file}", access: .open) { _, context in
            guard let name = context.parameters.get("file"), let asset = assets.asset(fingerprintedName: name) else {
                return Response(
                    status: .notFound, headers: Self.headers(contentType: "text/plain; charset=utf-8"),
                    body: .init(byteBuffer: ByteBuffer(string: "no such asset\n")))
            }
            var headers = Self.headers(contentType: asset.contentType)
            headers[.cacheControl] = DashboardAssets.cacheControl
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
        }
    }

    // MARK: pages

    private func submitPrediction(_ request: Request, _ context: Context) async -> Response {
        let form: FormData
        switch await verifiedForm(request, context) {
        case .success(let f): form = f
        case .failure(let refusal): return refusal.response
        }
        var values: [String: String] = [:]
        for spec in PredictionPage.fieldSpecs { values[spec.name] = form[spec.name] ?? "" }
        let reply = await backend.predict(json: PredictionPage.requestJSON(values), requestID: context.requestID)
        let token = form[CSRFProtection.fieldName] ?? ""
        let page = PredictionPage(csrfToken: token, values: values, reply: reply)
        return render("Single prediction", current: "/dashboard/predict", template: "predict", page, context, nil)
    }

    private func submitBatch(_ request: Request, _ context: Context) async -> Response {
        let limits = backend.limits
        let (token, cookie) = csrfToken(request)
        func form(_ problem: String, status: HTTPResponse.Status) -> Response {
            let page = BatchPage(csrfToken: token, limits: limits, uploadProblem: problem)
            return render(
                "Batch analysis", current: "/dashboard/batch", template: "batch", page, context, cookie,
                status: status)
        }
        guard let boundary = FormData.boundary(contentType: request.headers[.contentType]) else {
            return form("the upload must be a multipart/form-data form", status: .unsupportedMediaType)
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limits.maximumBatchBytes + (64 << 10))
        } catch {
            return form(
                "the file is larger than \(DashboardFormat.bytes(limits.maximumBatchBytes))", status: .contentTooLarge)
        }
        guard let parts = FormData.multipart(Array(body.readableBytesView), boundary: boundary) else {
            return form("the upload could not be read (malformed multipart body)", status: .badRequest)
        }
        guard
            csrf.verify(
                cookie: request.cookies[CSRFProtection.cookieName]?.value, submitted: parts[CSRFProtection.fieldName])
        else { return refusedForgery(context) }
        guard let file = parts.part("file"), !file.bytes.isEmpty else {
            return form("choose a CSV file to upload", status: .badRequest)
        }
        let reply = await backend.predictBatch(csv: file.bytes, requestID: context.requestID)
        guard reply.status == 200, let document = APIDocuments.decode(APIDocuments.Batch.self, from: reply.body) else {
            let problem = APIDocuments.problem(in: reply)
            return form(
                "\(problem.title): \(problem.detail)", status: .init(code: reply.status == 200 ? 502 : reply.status))
        }
        let stored = await batches.add(
            body: reply.body, document: document, owner: context.principal?.name ?? "",
            filename: file.filename ?? "upload.csv")
        switch stored {
        case .success(let id):
            return Response(status: .seeOther, headers: [.location: "/dashboard/batch/\(id)"])
        case .failure(let failure):
            switch failure {
            case .tooLarge(let bytes):
                return form(
                    "the results (\(bytes / 1024) KiB) are larger than the \(batches.maximumBytes / 1024) KiB the "
                        + "dashboard keeps per batch: score this file with POST /predict/batch instead",
                    status: .contentTooLarge)
            case .unavailable(let reason):
                return form(
                    "the file was scored, but its results could not be kept for this page (\(reason)); try again",
                    status: .serviceUnavailable)
            }
        }
    }

    private func showBatch(_ request: Request, _ context: Context) async -> Response {
        let batch: BatchResultStore.Batch?
        do {
            batch = try await batches.batch(context.parameters.get("id") ?? "", owner: context.principal?.name ?? "")
        } catch {
            return message(.serviceUnavailable, "Batch results unavailable", "\(error)", context)
        }
        guard let batch else {
            return message(
                .notFound, "No such batch",
                "This batch is not (or no longer) kept: results are kept for \(batches.policy).", context)
        }
        let (token, cookie) = csrfToken(request)
        let query = request.uri.queryParameters
        let page = BatchPage(
            csrfToken: token, limits: backend.limits, batch: batch, sort: query.get("sort"),
            order: query.get("order"), page: query.get("page"))
        return render("Batch analysis", current: "/dashboard/batch", template: "batch", page, context, cookie)
    }

    private func downloadBatch(_ context: Context) async -> Response {
        guard let id = context.parameters.get("id") else {
            return message(.notFound, "No such batch", "This batch is not (or no longer) kept.", context)
        }
        let batch: BatchResultStore.Batch?
        do {
            batch = try await batches.batch(id, owner: context.principal?.name ?? "")
        } catch {
            return message(.serviceUnavailable, "Batch results unavailable", "\(error)", context)
        }
        guard let batch, let csv = try? BatchPage.resultsCSV(batch.document) else {
            return message(
                .notFound, "No such batch",
                "This batch is not (or no longer) kept: results are kept for \(batches.policy).", context)
        }
        var headers = Self.headers(contentType: "text/csv; charset=utf-8")
        headers[.contentDisposition] = "attachment; filename=\"txad-results-\(id.prefix(8)).csv\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: csv)))
    }

    // MARK: helpers

    /// A url-encoded form (≤ 64 KiB) whose CSRF token matches the cookie's, or the page refusing it.
    func verifiedForm(_ request: Request, _ context: Context) async -> Result<FormData, Refusal> {
        guard let body = try? await request.body.collect(upTo: 64 << 10) else {
            return .failure(
                Refusal(
                    response: message(.contentTooLarge, "Form too large", "The form is larger than 64 KiB.", context)))
        }
        let form = FormData.urlEncoded(Array(body.readableBytesView))
        guard
            csrf.verify(
                cookie: request.cookies[CSRFProtection.cookieName]?.value, submitted: form[CSRFProtection.fieldName])
        else { return .failure(Refusal(response: refusedForgery(context))) }
        return .success(form)
    }

    /// A page answering a refused request.
    struct Refusal: Error {
        var response: Response
    }

    /// The caller's CSRF token (from a valid cookie) or a new one with the cookie that sets it.
    func csrfToken(_ request: Request) -> (String, Cookie?) {
        if let token = csrf.token(fromCookie: request.cookies[CSRFProtection.cookieName]?.value) {
            return (token, nil)
        }
        let token = csrf.newToken()
        let cookie = Cookie(
            name: CSRFProtection.cookieName, value: csrf.cookieValue(token: token), path: "/dashboard",
            secure: configuration.secureCookies, httpOnly: true, sameSite: .strict)
        return (token, cookie)
    }

    /// The HTML page of a refused request (401, 403, 429 from ``GuardedRouter``), keeping the refusal's status and
    /// its `WWW-Authenticate` / `Retry-After`.
    func refusalPage(_ refusal: Response, _ context: Context) -> Response {
        let title: String
        let text: String
        switch refusal.status {
        case .unauthorized:
            title = "Sign-in needed"
            text = "This page needs you to be signed in with an API key."
        case .forbidden:
            let role = context.principal?.role.rawValue ?? "none"
            title = "Not allowed"
            text = "Your role (\(role)) may not open this page. Ask an admin for a key with a role that may."
        case .tooManyRequests:
            title = "Too many requests"
            text = "Slow down: this key or address sent too many requests. Try again in a few seconds."
        default:
            title = refusal.status.reasonPhrase
            text = "This request was refused (\(refusal.status.code))."
        }
        let signIn = refusal.status == .unauthorized && configuration.signIn != nil
        var page = render(
            title, current: "", template: "message", MessagePage(text: text, signIn: signIn), context, nil,
            status: refusal.status)
        for name in [HTTPField.Name.wwwAuthenticate, .retryAfter] {
            if let value = refusal.headers[name] { page.headers[name] = value }
        }
        return page
    }

    private func refusedForgery(_ context: Context) -> Response {
        message(
            .forbidden, "Form refused",
            "The form's CSRF token is missing or does not match this browser's session. Reload the page and submit "
                + "it again.", context)
    }

    func message(_ status: HTTPResponse.Status, _ title: String, _ text: String, _ context: Context)
        -> Response
    {
        render(title, current: "", template: "message", MessagePage(text: text), context, nil, status: status)
    }

    func render(
        _ title: String, current: String, template: String, _ view: Any, _ context: Context, _ cookie: Cookie?,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        guard
            let html = templates.page(
                title: title, current: current, template: template, view: view, principal: context.principal,
                assets: assets)
        else {
            return Response(
                status: .internalServerError, headers: Self.headers(contentType: "text/plain; charset=utf-8"),
                body: .init(byteBuffer: ByteBuffer(string: "template \(template) is missing\n")))
        }
        var response = Response(
            status: status, headers: Self.headers(contentType: "text/html; charset=utf-8"),
            body: .init(byteBuffer: ByteBuffer(string: html)))
        if let cookie { response.setCookie(cookie) }
        return response
    }

    /// Headers of every dashboard answer: type, CSP, no sniffing, no framing, no referrer, not cached (assets
    /// override the last).
    static func headers(contentType: String) -> HTTPFields {
        var headers: HTTPFields = [:]
        headers[.contentType] = contentType
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[.xFrameOptions] = "DENY"
        headers[.referrerPolicy] = "no-referrer"
        headers[.cacheControl] = "no-store"
        return headers
    }
}

/// A page that only says something (refusals, missing batches).
struct MessagePage {
    var text: String
    /// Offered on 401 pages when sign-in is configured.
    var signIn: Bool = false
}

extension HTTPField.Name {
    fileprivate static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    fileprivate static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}

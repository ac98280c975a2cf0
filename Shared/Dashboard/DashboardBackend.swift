/// What the REST API answered: its HTTP status and JSON body (a result or an `application/problem+json` document).
///
/// The dashboard shows exactly what the API gives: it asks the gateway for the same answer a REST client would get
/// and renders that, so validation messages, scores and reasons cannot drift between the two.
public struct DashboardReply: Sendable, Hashable {
    /// The HTTP status the API would answer with.
    public var status: Int
    /// The JSON body.
    public var body: [UInt8]

    /// Creates a reply.
    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}

/// The API limits the dashboard shows before an upload and enforces on its forms.
public struct DashboardLimits: Sendable, Hashable {
    /// Most items in one batch (`POST /predict/batch`).
    public var maximumBatchItems: Int
    /// Largest batch body in bytes.
    public var maximumBatchBytes: Int

    /// Creates limits.
    public init(maximumBatchItems: Int, maximumBatchBytes: Int) {
        self.maximumBatchItems = maximumBatchItems
        self.maximumBatchBytes = maximumBatchBytes
    }
}

/// The calls the dashboard's pages need from the gateway, supplied by the gateway (the dashboard cannot import it:
/// the arrow points the other way). Each returns what the REST route of the same name returns.
public protocol DashboardBackend: Sendable {
    /// The limits of the batch API.
    var limits: DashboardLimits { get }
    /// `GET /stats`.
    func stats(requestID: String) async -> DashboardReply
    /// `GET /models/info` (with the active bundle's manifest).
    func modelInfo(requestID: String) async -> DashboardReply
    /// `POST /predict` with `json` as the body.
    func predict(json: [UInt8], requestID: String) async -> DashboardReply
    /// `POST /predict/batch` with `csv` as a `text/csv` body.
    func predictBatch(csv: [UInt8], requestID: String) async -> DashboardReply
}

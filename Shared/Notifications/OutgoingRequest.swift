/// One HTTP request to a provider, fully rendered: what the sender puts on the wire.
public struct OutgoingRequest: Sendable {
    /// `POST` for every provider.
    public var method: String
    /// The endpoint.
    public var url: String
    /// Header names and values, in order.
    public var headers: [(String, String)]
    /// The exact body bytes (the webhook signature covers these).
    public var body: [UInt8]

    /// Creates a request.
    public init(method: String = "POST", url: String, headers: [(String, String)], body: [UInt8]) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The value of the first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

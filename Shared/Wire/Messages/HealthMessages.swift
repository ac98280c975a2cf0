/// Whether a server or one of its services can take calls (`txad.v1.HealthCheckResponse.ServingStatus`).
public enum ServingStatus: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// Not known (the proto default).
    case unknown
    /// Ready for calls.
    case serving
    /// Up but not ready (starting, draining, or missing a dependency such as a model).
    case notServing
    /// The server does not host the named service.
    case serviceUnknown
    /// A number this build does not know, kept as received.
    case unrecognized(Int32)

    /// Maps a wire number; unknown numbers become ``unrecognized(_:)``.
    public init(rawValue: Int32) {
        switch rawValue {
        case 0: self = .unknown
        case 1: self = .serving
        case 2: self = .notServing
        case 3: self = .serviceUnknown
        default: self = .unrecognized(rawValue)
        }
    }

    /// The wire number.
    public var rawValue: Int32 {
        switch self {
        case .unknown: 0
        case .serving: 1
        case .notServing: 2
        case .serviceUnknown: 3
        case .unrecognized(let value): value
        }
    }

    /// A readable form for logs and error messages.

    /// A readable form for logs and error messages.
    public var description: String {
        switch self {
        case .unknown: "UNKNOWN"
        case .serving: "SERVING"
        case .notServing: "NOT_SERVING"
        case .serviceUnknown: "SERVICE_UNKNOWN"
        case .unrecognized(let value): "SERVING_STATUS_\(value)"
        }
    }
}

/// `txad.v1.Health/Check` request.
public struct HealthCheckRequest: Sendable, Hashable {
    /// Empty for the whole server, or a service name such as `txad.v1.Inference`.
    public var service: String

    /// Creates a request; the default asks about the whole server.
    public init(service: String = "") {
        self.service = service
    }
}

/// `txad.v1.Health/Check` response.
public struct HealthCheckResponse: Sendable, Hashable {
    /// The server's or service's status.
    public var status: ServingStatus

    /// Creates a response.
    public init(status: ServingStatus = .unknown) {
        self.status = status
    }
}

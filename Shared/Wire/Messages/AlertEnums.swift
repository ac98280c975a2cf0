/// Where an alert is sent (`txad.v1.NotificationChannel`).
public enum NotificationChannel: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// Not set (the proto default).
    case unspecified
    /// The analysts' review queue.
    case reviewQueue
    /// A Slack incoming webhook.
    case slack
    /// A Microsoft Teams incoming webhook.
    case teams
    /// PagerDuty Events API v2.
    case pagerDuty
    /// E-mail (SendGrid v3).
    case email
    /// SMS (Twilio Messages).
    case sms
    /// A number this build does not know, kept as received.
    case unrecognized(Int32)

    /// Maps a wire number; unknown numbers become ``unrecognized(_:)``.
    public init(rawValue: Int32) {
        switch rawValue {
        case 0: self = .unspecified
        case 1: self = .reviewQueue
        case 2: self = .slack
        case 3: self = .teams
        case 4: self = .pagerDuty
        case 5: self = .email
        case 6: self = .sms
        default: self = .unrecognized(rawValue)
        }
    }

    /// The wire number.
    public var rawValue: Int32 {
        switch self {
        case .unspecified: 0
        case .reviewQueue: 1
        case .slack: 2
        case .teams: 3
        case .pagerDuty: 4
        case .email: 5
        case .sms: 6
        case .unrecognized(let value): value
        }
    }

    /// A readable form for logs and error messages.

    /// A readable form for logs and error messages.
    public var description: String {
        switch self {
        case .unspecified: "unspecified"
        case .reviewQueue: "review_queue"
        case .slack: "slack"
        case .teams: "teams"
        case .pagerDuty: "pagerduty"
        case .email: "email"
        case .sms: "sms"
        case .unrecognized(let value): "channel_\(value)"
        }
    }
}

/// The review state of an alert (`txad.v1.AlertStatus`).
public enum AlertStatus: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// Not set (the proto default; in `ListReviews` it means any status).
    case unspecified
    /// Waiting for an analyst.
    case pending
    /// An analyst confirmed fraud.
    case confirmedFraud
    /// An analyst judged it legitimate.
    case legitimate
    /// A number this build does not know, kept as received.
    case unrecognized(Int32)

    /// Maps a wire number; unknown numbers become ``unrecognized(_:)``.
    public init(rawValue: Int32) {
        switch rawValue {
        case 0: self = .unspecified
        case 1: self = .pending
        case 2: self = .confirmedFraud
        case 3: self = .legitimate
        default: self = .unrecognized(rawValue)
        }
    }

    /// The wire number.
    public var rawValue: Int32 {
        switch self {
        case .unspecified: 0
        case .pending: 1
        case .confirmedFraud: 2
        case .legitimate: 3
        case .unrecognized(let value): value
        }
    }

    /// A readable form for logs and error messages.

    /// A readable form for logs and error messages.
    public var description: String {
        switch self {
        case .unspecified: "unspecified"
        case .pending: "pending"
        case .confirmedFraud: "confirmed_fraud"
        case .legitimate: "legitimate"
        case .unrecognized(let value): "status_\(value)"
        }
    }
}

/// An analyst's verdict on an alert (`txad.v1.Decision`).
public enum Decision: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// Not set (the proto default).
    case unspecified
    /// The transaction is fraud.
    case fraud
    /// The transaction is legitimate.
    case legitimate
    /// A number this build does not know, kept as received.
    case unrecognized(Int32)

    /// Maps a wire number; unknown numbers become ``unrecognized(_:)``.
    public init(rawValue: Int32) {
        switch rawValue {
        case 0: self = .unspecified
        case 1: self = .fraud
        case 2: self = .legitimate
        default: self = .unrecognized(rawValue)
        }
    }

    /// The wire number.
    public var rawValue: Int32 {
        switch self {
        case .unspecified: 0
        case .fraud: 1
        case .legitimate: 2
        case .unrecognized(let value): value
        }
    }

    /// A readable form for logs and error messages.

    /// A readable form for logs and error messages.
    public var description: String {
        switch self {
        case .unspecified: "unspecified"
        case .fraud: "fraud"
        case .legitimate: "legitimate"
        case .unrecognized(let value): "decision_\(value)"
        }
    }
}

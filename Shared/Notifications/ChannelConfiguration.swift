import Foundation

/// The kinds of channel a routing file may name.
public enum ChannelType: String, Sendable, Hashable, CaseIterable {
    /// Slack incoming webhook (`text` + Block Kit).
    case slack
    /// Microsoft Teams incoming webhook (Adaptive Card message).
    case teams
    /// PagerDuty Events API v2.
    case pagerDuty = "pagerduty"
    /// SendGrid v3 mail send.
    case sendGrid = "sendgrid"
    /// Twilio Messages (SMS).
    case twilio
    /// A generic JSON webhook signed with `Txad-Signature`.
    case webhook
}

/// One named channel of the routing file: where to send, how to authenticate, how long to wait.
public struct ChannelConfiguration: Sendable, CustomStringConvertible {
    /// The settings only some channel types have.
    public enum Settings: Sendable {
        /// Slack: the URL is the whole configuration.
        case slack
        /// Teams: the URL is the whole configuration.
        case teams
        /// PagerDuty: the integration's routing key and the `source` reported in events.
        case pagerDuty(routingKey: Secret, source: String)
        /// SendGrid: the API key, the sender and the recipients.
        case sendGrid(apiKey: Secret, from: String, to: [String])
        /// Twilio: the account SID (basic-auth user), its auth token, the sending and receiving numbers.
        case twilio(accountSID: String, authToken: Secret, from: String, to: String)
        /// Webhook: the active signing secrets (one `v1` signature each, so secrets can rotate).
        case webhook(secrets: [Secret])
    }

    /// The name routes refer to.
    public var name: String
    /// The channel's type.
    public var type: ChannelType
    /// The endpoint requests are sent to (for Twilio, the full `…/Messages.json` URL).
    public var url: String
    /// Type-specific settings.
    public var settings: Settings
    /// How long one request may take before it counts as a (retryable) timeout. Default 10 s.
    public var timeout: Duration
    /// Attempts before a retryable failure becomes `dead`. Default 8.
    public var maxAttempts: Int
    /// Most requests of this channel one dispatcher (one alerts replica) has in flight at once. Default
    /// ``defaultMaxConcurrency``.
    public var maxConcurrency: Int

    /// `max_concurrency` when the routing file gives none: 32 requests at once per replica.
    public static let defaultMaxConcurrency = 32
    /// The largest `max_concurrency` a routing file may give.
    public static let maximumMaxConcurrency = 1000

    /// Creates a channel.
    public init(
        name: String, type: ChannelType, url: String, settings: Settings, timeout: Duration = .seconds(10),
        maxAttempts: Int = 8, maxConcurrency: Int = defaultMaxConcurrency
    ) {
        self.name = name
        self.type = type
        self.url = url
        self.settings = settings
        self.timeout = timeout
        self.maxAttempts = maxAttempts
        self.maxConcurrency = maxConcurrency
    }

    /// One line for printed configuration: type, URL with any credentials masked, secrets as `****(env VAR)`.
    public var description: String {
        var parts = ["\(name): \(type.rawValue) \(Self.maskingURL(url)) max_concurrency=\(maxConcurrency)"]
        switch settings {
        case .slack, .teams: break
        case .pagerDuty(let key, let source): parts.append("routing_key=\(key) source=\(source)")
        case .sendGrid(let key, let from, let to):
            parts.append("api_key=\(key) from=\(from) to=\(to.count) recipient(s)")
        case .twilio(let sid, let token, _, _): parts.append("account_sid=\(sid) auth_token=\(token)")
        case .webhook(let secrets): parts.append("secrets=\(secrets.map(\.description).joined(separator: ","))")
        }
        return parts.joined(separator: " ")
    }

    /// Slack and Teams webhook URLs carry their secret in the path: only scheme, host and port are shown.
    static func maskingURL(_ url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host
        else { return "****" }
        let port = components.port.map { ":\($0)" } ?? ""
        let hasMore = !(components.path.isEmpty || components.path == "/") || components.query != nil
        return "\(scheme)://\(host)\(port)\(hasMore ? "/****" : "")"
    }
}

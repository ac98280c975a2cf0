import Foundation

/// Turns a ``NotificationMessage`` into the HTTP request a channel's provider expects.
///
/// One function per provider, each in its own file (`NotificationRenderer+Slack.swift`, …). Rendering happens at
/// delivery time from the alerts in PostgreSQL, so a retried delivery sends the same content with the same event id
/// (only a webhook's signature timestamp is new).
public struct NotificationRenderer: Sendable {
    /// Base of the links to an alert: `<linkBaseURL>/alerts/<id>`.
    public var linkBaseURL: String

    /// Creates a renderer.
    public init(linkBaseURL: String) {
        self.linkBaseURL = linkBaseURL.hasSuffix("/") ? String(linkBaseURL.dropLast()) : linkBaseURL
    }

    /// The request for `message` on `channel`, signed (webhooks) at `now` (Unix seconds).
    public func render(_ message: NotificationMessage, for channel: ChannelConfiguration, now: Int64) throws
        -> OutgoingRequest
    {
        switch channel.settings {
        case .slack: return try json(slack(message), to: channel.url)
        case .teams: return try json(teams(message), to: channel.url)
        case .pagerDuty(let routingKey, let source):
            return try json(pagerDuty(message, routingKey: routingKey.value, source: source), to: channel.url)
        case .sendGrid(let apiKey, let from, let to):
            var request = try json(sendGrid(message, from: from, to: to), to: channel.url)
            request.headers.append(("Authorization", "Bearer \(apiKey.value)"))
            return request
        case .twilio(let sid, let token, let from, let to):
            return try twilio(message, accountSID: sid, authToken: token.value, from: from, to: to, url: channel.url)
        case .webhook(let secrets):
            return try webhook(message, secrets: secrets.map(\.value), url: channel.url, now: now)
        }
    }

    /// The link to an alert.
    func link(_ notice: AlertNotice) -> String { "\(linkBaseURL)/alerts/\(notice.alertID)" }

    private func json(_ value: JSONValue, to url: String) -> OutgoingRequest {
        OutgoingRequest(
            url: url, headers: [("Content-Type", "application/json"), ("User-Agent", "txad-notifications")],
            body: value.bytes)
    }
}

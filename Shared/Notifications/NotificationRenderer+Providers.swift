import Domain
import Foundation

extension NotificationRenderer {
    /// PagerDuty Events API v2: `trigger` with `dedup_key` = the incident's alert id (the alert itself, or for a
    /// follow-up the alert that opened its user's incident) and a `payload` (summary, severity, source, timestamp,
    /// custom details); `resolve` with the same `dedup_key` and nothing else.
    func pagerDuty(_ message: NotificationMessage, routingKey: String, source: String) throws -> JSONValue {
        let headline = try message.headline()
        guard let first = message.alerts.first else { return .null }
        if message.kind == .resolve {
            return .object([
                ("routing_key", .string(routingKey)), ("event_action", "resolve"),
                ("dedup_key", .string(message.dedupKey)),
            ])
        }
        let severity: String =
            switch message.highestRisk {
            case .critical: "critical"
            case .high: "error"
            case .medium: "warning"
            case .low: "info"
            }
        let details: JSONValue = .object([
            ("alert_ids", .array(message.alerts.map { .string($0.alertID) })),
            ("risk_level", .string(message.highestRisk.rawValue)),
            ("amount", .string(first.formattedAmount)),
            ("user", .string(first.userPseudonym)),
            ("score", .number(first.score)),
            ("transaction_id", .string(first.transactionID)),
            ("reasons", .array(first.reasons.prefix(3).map { .string("\($0.code): \($0.text)") })),
        ])
        return .object([
            ("routing_key", .string(routingKey)),
            ("event_action", "trigger"),
            ("dedup_key", .string(message.dedupKey)),
            (
                "payload",
                .object([
                    ("summary", .string(String(headline.prefix(1024)))),
                    ("severity", .string(severity)),
                    ("source", .string(source)),
                    ("timestamp", .string(RFC3339.format(millis: first.createdAtMillis))),
                    ("component", "txad-alerts"),
                    ("class", "transaction_anomaly"),
                    ("custom_details", details),
                ])
            ),
            ("client", "txad"),
            ("client_url", .string(link(first))),
            ("links", .array([.object([("href", .string(link(first))), ("text", "Open alert in txad")])])),
        ])
    }

    /// SendGrid v3 mail send: `personalizations` (one, all recipients), `from`, `subject`, plain text then HTML
    /// `content` (the order SendGrid requires).
    func sendGrid(_ message: NotificationMessage, from: String, to: [String]) throws -> JSONValue {
        let headline = try message.headline()
        let lines = message.alerts.map { notice in
            "Alert \(notice.alertID) (\(notice.riskLevel.rawValue)): \(notice.formattedAmount), score \(String(format: "%.3f", notice.score)) — \(link(notice))"
        }
        let reasons = message.alerts.first?.topReasons ?? []
        let text =
            ([headline, ""] + lines + (reasons.isEmpty ? [] : ["", "Top reasons:"] + reasons.map { "- \($0)" }))
            .joined(separator: "\n")
        let html =
            "<p><strong>\(escape(headline))</strong></p><ul>"
            + message.alerts.map { notice in
                "<li><a href=\"\(escape(link(notice)))\">Alert \(escape(notice.alertID))</a> (\(notice.riskLevel.rawValue)): \(escape(notice.formattedAmount))</li>"
            }.joined() + "</ul>"
            + (reasons.isEmpty
                ? "" : "<p>Top reasons:</p><ul>" + reasons.map { "<li>\(escape($0))</li>" }.joined() + "</ul>")
        return .object([
            ("personalizations", .array([.object([("to", .array(to.map { .object([("email", .string($0))]) }))])])),
            ("from", .object([("email", .string(from)), ("name", "txad")])),
            ("subject", .string("[txad] \(String(headline.prefix(200)))")),
            (
                "content",
                .array([
                    .object([("type", "text/plain"), ("value", .string(text))]),
                    .object([("type", "text/html"), ("value", .string(html))]),
                ])
            ),
        ])
    }

    /// Twilio Messages: `To`, `From`, `Body` form-encoded, HTTP basic auth with the account SID and auth token.
    func twilio(
        _ message: NotificationMessage, accountSID: String, authToken: String, from: String, to: String, url: String
    ) throws -> OutgoingRequest {
        var body = try message.headline()
        if let first = message.alerts.first { body += " " + link(first) }
        let form = [("To", to), ("From", from), ("Body", String(body.prefix(1600)))]
            .map { "\($0.0)=\(Self.formEncode($0.1))" }.joined(separator: "&")
        let credentials = Data("\(accountSID):\(authToken)".utf8).base64EncodedString()
        return OutgoingRequest(
            url: url,
            headers: [
                ("Content-Type", "application/x-www-form-urlencoded"), ("Authorization", "Basic \(credentials)"),
                ("User-Agent", "txad-notifications"),
            ],
            body: Array(form.utf8))
    }

    /// Generic webhook: `{"id","type","created","data":{"alerts":[…]}}`, signed with every active secret.
    func webhook(_ message: NotificationMessage, secrets: [String], url: String, now: Int64) throws -> OutgoingRequest {
        _ = try message.headline()
        let alerts: [JSONValue] = message.alerts.map { notice in
            .object([
                ("alert_id", .string(notice.alertID)),
                ("transaction_id", .string(notice.transactionID)),
                ("user", .string(notice.userPseudonym)),
                ("risk_level", .string(notice.riskLevel.rawValue)),
                ("score", .number(notice.score)),
                ("amount", .number(notice.amount)),
                ("currency", .string(notice.currency)),
                (
                    "reasons",
                    .array(
                        notice.reasons.map { reason in
                            .object([("code", .string(reason.code)), ("text", .string(reason.text))])
                        })
                ),
                ("created_at", .string(RFC3339.format(millis: notice.createdAtMillis))),
                ("url", .string(link(notice))),
            ])
        }
        let event: JSONValue = .object([
            ("id", .string(message.eventID)),
            ("type", .string(message.kind.rawValue)),
            ("created", .integer(message.createdUnix)),
            ("data", .object([("alerts", .array(alerts))])),
        ])
        let body = event.bytes
        return OutgoingRequest(
            url: url,
            headers: [
                ("Content-Type", "application/json"), ("User-Agent", "txad-notifications"),
                ("Idempotency-Key", message.eventID),
                (WebhookSignature.headerName, WebhookSignature.header(body: body, timestamp: now, secrets: secrets)),
            ],
            body: body)
    }

    /// `application/x-www-form-urlencoded` (unreserved characters as they are, space as `+`).
    static func formEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "*"):
                out.append(Character(Unicode.Scalar(byte)))
            case UInt8(ascii: " "): out.append("+")
            default: out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

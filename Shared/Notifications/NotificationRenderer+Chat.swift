import Foundation

extension NotificationRenderer {
    /// Slack incoming webhook: `text` (the fallback and notification line) plus Block Kit `blocks`: a header, the
    /// facts as fields, the top reasons and a button linking to the alert.
    func slack(_ message: NotificationMessage) throws -> JSONValue {
        let headline = try message.headline()
        guard let first = message.alerts.first else { return .object([("text", .string(headline))]) }
        var blocks: [JSONValue] = [
            .object([
                ("type", "header"),
                ("text", .object([("type", "plain_text"), ("text", .string(String(headline.prefix(150))))])),
            ])
        ]
        var fields: [JSONValue] = [
            mrkdwn("*Risk*\n\(message.highestRisk.rawValue)"),
            mrkdwn("*Amount*\n\(first.formattedAmount)"),
            mrkdwn("*User*\n\(first.userPseudonym)"),
            mrkdwn("*Score*\n\(String(format: "%.3f", first.score))"),
        ]
        if message.kind == .followUp {
            fields.append(mrkdwn("*Alerts*\n\(message.alerts.map(\.alertID).joined(separator: ", "))"))
        }
        blocks.append(.object([("type", "section"), ("fields", .array(fields))]))
        if message.kind != .resolve, !first.topReasons.isEmpty {
            let lines = first.topReasons.map { "• \($0)" }.joined(separator: "\n")
            blocks.append(.object([("type", "section"), ("text", mrkdwn("*Top reasons*\n\(lines)"))]))
        }
        blocks.append(
            .object([
                ("type", "actions"),
                (
                    "elements",
                    .array([
                        .object([
                            ("type", "button"),
                            ("text", .object([("type", "plain_text"), ("text", "Open alert")])),
                            ("url", .string(link(first))),
                        ])
                    ])
                ),
            ]))
        return .object([("text", .string(headline)), ("blocks", .array(blocks))])
    }

    /// Microsoft Teams incoming webhook: a `message` with one Adaptive Card attachment (title, fact set, reasons,
    /// an Open URL action).
    func teams(_ message: NotificationMessage) throws -> JSONValue {
        let headline = try message.headline()
        guard let first = message.alerts.first else { return .null }
        var body: [JSONValue] = [
            .object([
                ("type", "TextBlock"), ("text", .string(headline)), ("weight", "Bolder"), ("size", "Medium"),
                ("wrap", .bool(true)),
            ]),
            .object([
                ("type", "FactSet"),
                (
                    "facts",
                    .array([
                        fact("Risk", message.highestRisk.rawValue), fact("Amount", first.formattedAmount),
                        fact("User", first.userPseudonym), fact("Score", String(format: "%.3f", first.score)),
                        fact("Alerts", message.alerts.map(\.alertID).joined(separator: ", ")),
                    ])
                ),
            ]),
        ]
        if message.kind != .resolve, !first.topReasons.isEmpty {
            body.append(
                .object([
                    ("type", "TextBlock"),
                    ("text", .string(first.topReasons.map { "- \($0)" }.joined(separator: "\n"))),
                    ("wrap", .bool(true)),
                ]))
        }
        let card: JSONValue = .object([
            ("$schema", "http://adaptivecards.io/schemas/adaptive-card.json"),
            ("type", "AdaptiveCard"),
            ("version", "1.4"),
            ("body", .array(body)),
            (
                "actions",
                .array([.object([("type", "Action.OpenUrl"), ("title", "Open alert"), ("url", .string(link(first)))])])
            ),
        ])
        return .object([
            ("type", "message"),
            (
                "attachments",
                .array([
                    .object([
                        ("contentType", "application/vnd.microsoft.card.adaptive"), ("contentUrl", .null),
                        ("content", card),
                    ])
                ])
            ),
        ])
    }

    private func mrkdwn(_ text: String) -> JSONValue { .object([("type", "mrkdwn"), ("text", .string(text))]) }

    private func fact(_ title: String, _ value: String) -> JSONValue {
        .object([("title", .string(title)), ("value", .string(value))])
    }
}

extension JSONValue: ExpressibleByStringLiteral {
    /// A string literal.
    public init(stringLiteral value: String) { self = .string(value) }
}

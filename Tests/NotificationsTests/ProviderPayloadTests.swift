import AsyncHTTPClient
import Domain
import Foundation
import HTTPSink
import Notifications
import Testing

/// Each provider's request, rendered, sent with the real sender to a real local sink, and checked field by field as
/// the receiver got it.
@Suite(.timeLimit(.minutes(2)))
struct ProviderPayloadTests {
    static let reasons = [
        Reason(
            code: "AMOUNT_HIGH", feature: "amount_ratio_user", value: 14.2, text: "Amount is 14.2× this user's average"),
        Reason(code: "NEW_COUNTRY", feature: "is_new_country", value: 1, text: "First transaction from \"BR\""),
    ]

    static func notice(_ id: String, risk: RiskLevel = .critical, amount: Double = 1250) -> AlertNotice {
        AlertNotice(
            alertID: id, transactionID: "tx-\(id)", userPseudonym: "u_00000000deadbeef", riskLevel: risk, score: 0.987,
            amount: amount, currency: "EUR", merchantCategory: "electronics", reasons: reasons,
            createdAtMillis: 1_714_000_000_000)
    }

    static let message = NotificationMessage(
        eventID: "6f1c2e64-1f7b-4bd4-9b57-0b1cbb0f9a11", kind: .alert, alerts: [notice("42")],
        createdUnix: 1_714_000_000)

    static let renderer = NotificationRenderer(linkBaseURL: "https://txad.example/")

    /// Renders `message` for `channel` (URL pointed at a fresh sink), sends it, returns what the sink received.
    static func deliver(
        _ message: NotificationMessage = message, settings: ChannelConfiguration.Settings, type: ChannelType,
        path: String = "/hook"
    ) async throws -> (HTTPSink.Request, DeliveryAttemptResult) {
        let sink = try await HTTPSink.start { _, _ in .status(202, body: "accepted") }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let channel = ChannelConfiguration(name: "test", type: type, url: sink.url(path), settings: settings)
        let request = try renderer.render(message, for: channel, now: 1_714_000_005)
        let result = await NotificationSender(client: client).send(request, timeout: .seconds(30))
        try await client.shutdown()
        try await sink.stop()
        let received = try #require(sink.requests.first)
        #expect(sink.requests.count == 1)
        return (received, result)
    }

    static func json(_ request: HTTPSink.Request) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
    }

    @Test func slackIncomingWebhookTextAndBlocks() async throws {
        let (request, result) = try await Self.deliver(settings: .slack, type: .slack, path: "/services/T0/B0/X")
        #expect(result == .response(status: 202, retryAfter: nil, body: "accepted"))
        #expect(request.method == "POST" && request.path == "/services/T0/B0/X")
        #expect(request.header("Content-Type") == "application/json")
        let body = try Self.json(request)
        let text = try #require(body["text"] as? String)
        #expect(text == "Critical risk alert 42: 1250.00 EUR by user u_00000000deadbeef (score 0.987)")
        let blocks = try #require(body["blocks"] as? [[String: Any]])
        #expect(blocks.map { $0["type"] as? String } == ["header", "section", "section", "actions"])
        let header = try #require(blocks[0]["text"] as? [String: Any])
        #expect(header["type"] as? String == "plain_text" && header["text"] as? String == text)
        let fields = try #require(blocks[1]["fields"] as? [[String: Any]]).compactMap { $0["text"] as? String }
        #expect(
            fields == ["*Risk*\ncritical", "*Amount*\n1250.00 EUR", "*User*\nu_00000000deadbeef", "*Score*\n0.987"])
        let reasons = try #require((blocks[2]["text"] as? [String: Any])?["text"] as? String)
        #expect(reasons == "*Top reasons*\n• Amount is 14.2× this user's average\n• First transaction from \"BR\"")
        let button = try #require((blocks[3]["elements"] as? [[String: Any]])?.first)
        #expect(button["type"] as? String == "button" && button["url"] as? String == "https://txad.example/alerts/42")
    }

    @Test func teamsAdaptiveCardMessage() async throws {
        let (request, _) = try await Self.deliver(settings: .teams, type: .teams)
        let body = try Self.json(request)
        #expect(body["type"] as? String == "message")
        let attachment = try #require((body["attachments"] as? [[String: Any]])?.first)
        #expect(attachment["contentType"] as? String == "application/vnd.microsoft.card.adaptive")
        #expect(attachment["contentUrl"] is NSNull)
        let card = try #require(attachment["content"] as? [String: Any])
        #expect(card["type"] as? String == "AdaptiveCard" && card["version"] as? String == "1.4")
        #expect(card["$schema"] as? String == "http://adaptivecards.io/schemas/adaptive-card.json")
        let cardBody = try #require(card["body"] as? [[String: Any]])
        #expect(cardBody[0]["type"] as? String == "TextBlock")
        #expect((cardBody[0]["text"] as? String)?.hasPrefix("Critical risk alert 42") == true)
        let facts = try #require(cardBody[1]["facts"] as? [[String: String]])
        #expect(facts.first == ["title": "Risk", "value": "critical"])
        #expect(facts.contains(["title": "Amount", "value": "1250.00 EUR"]))
        let action = try #require((card["actions"] as? [[String: Any]])?.first)
        #expect(
            action["type"] as? String == "Action.OpenUrl"
                && action["url"] as? String == "https://txad.example/alerts/42")
    }

    @Test func pagerDutyTriggerAndResolve() async throws {
        let settings = ChannelConfiguration.Settings.pagerDuty(
            routingKey: Secret(value: "R0UTINGKEY", variable: "PD"), source: "txad-test")
        let (trigger, _) = try await Self.deliver(settings: settings, type: .pagerDuty, path: "/v2/enqueue")
        let body = try Self.json(trigger)
        #expect(trigger.path == "/v2/enqueue")
        #expect(body["routing_key"] as? String == "R0UTINGKEY")
        #expect(body["event_action"] as? String == "trigger")
        #expect(body["dedup_key"] as? String == "42")
        let payload = try #require(body["payload"] as? [String: Any])
        #expect((payload["summary"] as? String)?.hasPrefix("Critical risk alert 42") == true)
        #expect(payload["severity"] as? String == "critical")
        #expect(payload["source"] as? String == "txad-test")
        #expect(payload["timestamp"] as? String == "2024-04-24T23:06:40Z")
        let details = try #require(payload["custom_details"] as? [String: Any])
        #expect(details["alert_ids"] as? [String] == ["42"] && details["user"] as? String == "u_00000000deadbeef")
        #expect((body["links"] as? [[String: String]])?.first?["href"] == "https://txad.example/alerts/42")

        var resolve = Self.message
        resolve.kind = .resolve
        let (resolved, _) = try await Self.deliver(resolve, settings: settings, type: .pagerDuty)
        let resolveBody = try Self.json(resolved)
        #expect(resolveBody.count == 3)
        #expect(resolveBody["event_action"] as? String == "resolve")
        #expect(resolveBody["dedup_key"] as? String == "42" && resolveBody["routing_key"] as? String == "R0UTINGKEY")
    }

    @Test func pagerDutySeverityFollowsRisk() async throws {
        let settings = ChannelConfiguration.Settings.pagerDuty(
            routingKey: Secret(value: "k", variable: "PD"), source: "s")
        for (risk, severity) in [(RiskLevel.high, "error"), (.medium, "warning")] {
            let message = NotificationMessage(
                eventID: "e", kind: .alert, alerts: [Self.notice("7", risk: risk)], createdUnix: 0)
            let (request, _) = try await Self.deliver(message, settings: settings, type: .pagerDuty)
            #expect((try Self.json(request)["payload"] as? [String: Any])?["severity"] as? String == severity)
        }
    }

    @Test func sendGridMailSend() async throws {
        let settings = ChannelConfiguration.Settings.sendGrid(
            apiKey: Secret(value: "SG.abc", variable: "SG"), from: "alerts@txad.example",
            to: ["a@txad.example", "b@txad.example"])
        let followUp = NotificationMessage(
            eventID: "e-1", kind: .followUp, alerts: [Self.notice("42"), Self.notice("43", risk: .high, amount: 10)],
            createdUnix: 1, groupWindowSeconds: 3600)
        let (request, _) = try await Self.deliver(followUp, settings: settings, type: .sendGrid, path: "/v3/mail/send")
        #expect(request.header("Authorization") == "Bearer SG.abc")
        let body = try Self.json(request)
        let personalization = try #require((body["personalizations"] as? [[String: Any]])?.first)
        #expect(
            (personalization["to"] as? [[String: String]]) == [
                ["email": "a@txad.example"], ["email": "b@txad.example"],
            ])
        #expect((body["from"] as? [String: String])?["email"] == "alerts@txad.example")
        #expect(
            body["subject"] as? String
                == "[txad] 2 more alerts for user u_00000000deadbeef within 60 min (highest risk critical, 1260.00 EUR in total)"
        )
        let content = try #require(body["content"] as? [[String: String]])
        #expect(content.map { $0["type"] } == ["text/plain", "text/html"])
        #expect(content[0]["value"]?.contains("Alert 43 (high): 10.00 EUR") == true)
        #expect(content[1]["value"]?.contains("<a href=\"https://txad.example/alerts/43\">Alert 43</a>") == true)
        #expect(content[1]["value"]?.contains("&quot;BR&quot;") == true)
    }

    @Test func twilioFormEncodedWithBasicAuth() async throws {
        let settings = ChannelConfiguration.Settings.twilio(
            accountSID: "AC123", authToken: Secret(value: "tok", variable: "TW"), from: "+15005550006",
            to: "+15005550010")
        let (request, _) = try await Self.deliver(
            settings: settings, type: .twilio, path: "/2010-04-01/Accounts/AC123/Messages.json")
        #expect(request.header("Content-Type") == "application/x-www-form-urlencoded")
        #expect(request.header("Authorization") == "Basic " + Data("AC123:tok".utf8).base64EncodedString())
        var form: [String: String] = [:]
        for pair in request.text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            form[parts[0]] = parts[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        #expect(form["To"] == "+15005550010" && form["From"] == "+15005550006")
        #expect(
            form["Body"]
                == "Critical risk alert 42: 1250.00 EUR by user u_00000000deadbeef (score 0.987) https://txad.example/alerts/42"
        )
    }

    @Test func webhookEventHeadersAndBody() async throws {
        let settings = ChannelConfiguration.Settings.webhook(secrets: [
            Secret(value: "old-secret", variable: "A"), Secret(value: "new-secret", variable: "B"),
        ])
        let (request, _) = try await Self.deliver(settings: settings, type: .webhook)
        #expect(request.header("Idempotency-Key") == Self.message.eventID)
        let body = try Self.json(request)
        #expect(body["id"] as? String == Self.message.eventID)
        #expect(body["type"] as? String == "alert.created")
        #expect(body["created"] as? Int == 1_714_000_000)
        let alert = try #require(((body["data"] as? [String: Any])?["alerts"] as? [[String: Any]])?.first)
        #expect(
            alert["alert_id"] as? String == "42" && alert["amount"] as? Double == 1250
                && alert["currency"] as? String == "EUR")
        #expect(alert["user"] as? String == "u_00000000deadbeef" && alert["risk_level"] as? String == "critical")
        #expect(
            (alert["reasons"] as? [[String: String]])?.first == [
                "code": "AMOUNT_HIGH", "text": "Amount is 14.2× this user's average",
            ])
        let signature = try #require(request.header("Txad-Signature"))
        #expect(signature.hasPrefix("t=1714000005,v1="))
        #expect(signature.components(separatedBy: ",v1=").count == 3)
        for secret in ["old-secret", "new-secret"] {
            #expect(WebhookSignature.verify(header: signature, body: request.body, secret: secret, now: 1_714_000_005))
        }
        #expect(!WebhookSignature.verify(header: signature, body: request.body, secret: "other", now: 1_714_000_005))
        #expect(
            !WebhookSignature.verify(
                header: signature, body: request.body, secret: "new-secret", now: 1_714_000_305 + 1))
        #expect(
            !WebhookSignature.verify(
                header: signature, body: request.body + [0x20], secret: "new-secret", now: 1_714_000_005))
    }
}

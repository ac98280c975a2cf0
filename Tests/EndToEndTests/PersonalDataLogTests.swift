import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// No raw user id, location, e-mail address or phone number reaches any service's log, at any level: a full run at
/// `trace` (single and batch scoring, validation errors, the review API with a user filter, a decision whose note
/// holds contact data, notifications that fail) is grepped for every raw value it sent.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct PersonalDataLogTests {
    static let user = "pii-user-QX7Z9"
    static let merchant = "pii-merchant-QX7Z9"
    static let latitude = "48.858370"
    static let longitude = "2.294481"
    static let email = "ana.pii.QX7Z9@example.com"
    static let phone = "+33612345678"

    @Test("a trace-level end-to-end run logs none of the personal values it was sent")
    func noPersonalDataInLogs() async throws {
        let model = try await TestModel.prepared()
        let root = NSTemporaryDirectory() + "txad-pii-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        // Every risk level notifies a webhook that refuses connections: delivery errors are logged too.
        let routing = root + "/routing.yaml"
        try """
        channels:
          hook:
            type: webhook
            url: http://127.0.0.1:1/hook
            secret_env: [PII_TEST_WEBHOOK_SECRET]
        routes:
          critical: { channels: [hook] }
          high: { channels: [hook] }
          medium: { channels: [hook] }
        """.write(toFile: routing, atomically: true, encoding: .utf8)
        let cluster = try await LocalCluster(
            modelDirectory: model.modelDirectory, logLevel: "trace",
            environment: [
                "TXAD_ROUTING_FILE": routing, "PII_TEST_WEBHOOK_SECRET": "pii-test-secret-0123456789abcdef",
                "TXAD_NOTIFICATION_LEASE_SECONDS": "60",
            ])
        do {
            try await cluster.start()
            try await exercise(cluster)
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stopServices()
        let logs = cluster.logs()
        await cluster.stop()

        let all = logs.values.joined(separator: "\n")
        // The run was logged (trace level reaches every service), so an empty grep means something.
        for (service, text) in logs { #expect(text.split(separator: "\n").count > 5, "\(service) logged almost nothing") }
        for raw in [Self.user, Self.merchant, Self.latitude, Self.longitude, Self.email, Self.phone] {
            let lines = all.split(separator: "\n").filter { $0.contains(raw) }
            #expect(lines.isEmpty, "'\(raw)' is in the logs:\n\(lines.prefix(5).joined(separator: "\n"))")
        }
        // The same value with its last digit dropped is what a careless formatter would print for a coordinate.
        #expect(!all.contains("48.85837"), "a rounded latitude is in the logs")
    }

    private func exercise(_ cluster: LocalCluster) async throws {
        let g = cluster.gatewayURL
        func transaction(_ id: String, amount: String) -> String {
            """
            {"transaction_id":"\(id)","user_id":"\(Self.user)","timestamp":"2024-05-01T03:12:00Z","amount":\(amount),\
            "merchant_id":"\(Self.merchant)","merchant_category":"electronics","channel":"online",\
            "latitude":\(Self.latitude),"longitude":\(Self.longitude),"country":"FR"}
            """
        }
        var alertIDs: [String] = []
        for i in 0..<12 {
            let (data, status) = try await HTTP.post(g + "/predict", body: Data(transaction("pii-\(i)", amount: "\(99_999 - i)").utf8))
            #expect(status == 200, "\(String(decoding: data, as: UTF8.self))")
        }
        // Validation errors name the field; the user id travels with them.
        let bad = try await HTTP.post(g + "/predict", body: Data(transaction("pii-bad", amount: "-5").utf8))
        #expect(bad.1 == 422)
        let csv = """
            transaction_id,user_id,timestamp,amount,merchant_id,latitude,longitude
            pii-b1,\(Self.user),2024-05-01T04:00:00Z,25000,\(Self.merchant),\(Self.latitude),\(Self.longitude)
            pii-b2,\(Self.user),not-a-time,12,\(Self.merchant),\(Self.latitude),\(Self.longitude)
            """
        let batch = try await HTTP.post(g + "/predict/batch", body: Data(csv.utf8), contentType: "text/csv")
        #expect([200, 207, 422].contains(batch.1))
        // The review API, filtered by the raw user id, then a decision whose note holds contact data.
        for _ in 0..<50 where alertIDs.isEmpty {
            var request = URLRequest(url: URL(string: g + "/alerts?user_id=\(Self.user)&limit=5")!)
            request.setValue("ana", forHTTPHeaderField: "X-Analyst")
            let (data, status) = try await HTTP.send(request)
            #expect(status == 200)
            let items = (try HTTP.json(data)["alerts"] as? [[String: Any]]) ?? []
            alertIDs = items.compactMap { ($0["alert_id"] as? Int).map(String.init) ?? $0["alert_id"] as? String }
            if alertIDs.isEmpty { try await Task.sleep(for: .milliseconds(200)) }
        }
        let alert = try #require(alertIDs.first, "the amounts sent should have raised an alert")
        var detail = URLRequest(url: URL(string: g + "/alerts/\(alert)")!)
        detail.setValue("ana", forHTTPHeaderField: "X-Analyst")
        #expect(try await HTTP.send(detail).1 == 200)
        let note = "called the cardholder at \(Self.phone), wrote to \(Self.email)"
        var decide = URLRequest(url: URL(string: g + "/reviews/\(alert)/decision")!)
        decide.httpMethod = "POST"
        decide.setValue("ana", forHTTPHeaderField: "X-Analyst")
        decide.setValue("pii-decision-1", forHTTPHeaderField: "Idempotency-Key")
        decide.setValue("application/json", forHTTPHeaderField: "Content-Type")
        decide.httpBody = try JSONSerialization.data(withJSONObject: ["decision": "fraud", "note": note])
        let decided = try await HTTP.send(decide)
        #expect(decided.1 == 200, "\(String(decoding: decided.0, as: UTF8.self))")
        // A bad decision body echoes nothing personal into the logs either.
        decide.setValue("pii-decision-2", forHTTPHeaderField: "Idempotency-Key")
        decide.httpBody = Data(#"{"decision":"maybe","note":"\#(Self.email)"}"#.utf8)
        #expect(try await HTTP.send(decide).1 == 422)
        // Let the dispatcher try (and fail) a few deliveries.
        try await Task.sleep(for: .seconds(3))
    }
}

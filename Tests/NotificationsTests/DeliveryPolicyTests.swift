import AsyncHTTPClient
import Foundation
import HTTPSink
import Notifications
import Testing

/// Retry rules, and the real failures a sink produces on purpose, as the sender reports them.
@Suite(.timeLimit(.minutes(2)))
struct DeliveryPolicyTests {
    let policy = DeliveryPolicy(baseDelay: .seconds(2), maximumDelay: .seconds(600))

    @Test func onlyNetworkErrorsTimeouts429And5xxAreRetried() {
        let retried: [DeliveryAttemptResult] = [
            .failure("network error: connection refused"), .failure("timeout"),
            .response(status: 429, retryAfter: nil, body: ""), .response(status: 500, retryAfter: nil, body: ""),
            .response(status: 503, retryAfter: nil, body: ""),
        ]
        for result in retried {
            guard case .retry = policy.decide(result, attempt: 1, maxAttempts: 8, jitter: 0) else {
                Issue.record("\(result) not retried")
                continue
            }
        }
        for status in [400, 401, 403, 404, 410, 413, 422, 301, 100] {
            let decision = policy.decide(
                .response(status: status, retryAfter: nil, body: "no"), attempt: 1, maxAttempts: 8)
            #expect(decision == .dead(status: status, error: "HTTP \(status): no"))
        }
        #expect(
            policy.decide(.response(status: 202, retryAfter: nil, body: ""), attempt: 8, maxAttempts: 8)
                == .delivered(status: 202))
    }

    @Test func deadAfterMaxAttempts() {
        let decision = policy.decide(.response(status: 500, retryAfter: nil, body: ""), attempt: 8, maxAttempts: 8)
        #expect(decision == .dead(status: 500, error: "HTTP 500 (gave up after 8 attempts)"))
    }

    @Test func exponentialBackoffWithJitterAndCap() {
        #expect(policy.backoff(afterAttempt: 1, jitter: 1) == .seconds(2))
        #expect(policy.backoff(afterAttempt: 1, jitter: 0) == .seconds(1))
        #expect(policy.backoff(afterAttempt: 4, jitter: 1) == .seconds(16))
        #expect(policy.backoff(afterAttempt: 4, jitter: 0.5) == .seconds(12))
        #expect(policy.backoff(afterAttempt: 30, jitter: 1) == .seconds(600))
        let spread = Set((0..<50).map { _ in policy.backoff(afterAttempt: 3, jitter: Double.random(in: 0...1)) })
        #expect(spread.count > 1 && spread.allSatisfy { $0 >= .seconds(4) && $0 <= .seconds(8) })
    }

    @Test func retryAfterIsHonoured() {
        let seconds = policy.decide(
            .response(status: 429, retryAfter: "7", body: ""), attempt: 1, maxAttempts: 8, jitter: 0)
        #expect(seconds == .retry(after: .seconds(7), status: 429, error: "HTTP 429"))
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let date = policy.decide(
            .response(status: 429, retryAfter: "Tue, 14 Nov 2023 22:14:20 GMT", body: ""), attempt: 1, maxAttempts: 8,
            jitter: 0, now: now)
        #expect(date == .retry(after: .seconds(60), status: 429, error: "HTTP 429"))
        let capped = policy.decide(.response(status: 429, retryAfter: "86400", body: ""), attempt: 1, maxAttempts: 8)
        #expect(capped == .retry(after: .seconds(600), status: 429, error: "HTTP 429"))
    }

    /// The sink fails each way on purpose; the sender reports it and the policy decides.
    @Test func realFailuresFromASink() async throws {
        let sink = try await HTTPSink.start { request, _ in
            switch request.path {
            case "/500": .status(500, body: "boom")
            case "/429": .status(429, headers: [("Retry-After", "3")])
            case "/slow": .delayed(.seconds(5), .status(200))
            case "/reset": .reset
            case "/400": .status(400, body: "bad payload")
            default: .status(200)
            }
        }
        // The dispatcher's client configuration: a refused connection fails at once, so no step waits for a
        // timeout except the one that is about a timeout.
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: NotificationSender.clientConfiguration(connectionsPerHost: 8))
        let sender = NotificationSender(client: client)
        func attempt(
            _ path: String, timeout: Duration = .seconds(30), on url: String? = nil
        ) async -> DeliveryDecision {
            let result = await sender.send(
                OutgoingRequest(url: url ?? sink.url(path), headers: [], body: Array("{}".utf8)), timeout: timeout)
            return policy.decide(result, attempt: 1, maxAttempts: 8, jitter: 0)
        }
        // The client and the sink are shut down whatever happens (an unshut client traps in its deinit and would
        // hide the failure).
        do {
            #expect(await attempt("/500") == .retry(after: .seconds(1), status: 500, error: "HTTP 500: boom"))
            #expect(await attempt("/429") == .retry(after: .seconds(3), status: 429, error: "HTTP 429"))
            #expect(await attempt("/400") == .dead(status: 400, error: "HTTP 400: bad payload"))
            #expect(await attempt("/ok") == .delivered(status: 200))
            if case .retry(_, nil, let slow) = await attempt("/slow", timeout: .milliseconds(300)) {
                #expect(slow.contains("timeout"), "\(slow)")
            } else {
                Issue.record("a slow answer past the timeout was not retried")
            }
            if case .retry(_, nil, let reset) = await attempt("/reset") {
                #expect(reset.contains("network error"), "\(reset)")
            } else {
                Issue.record("a reset connection was not retried")
            }
            // A receiver that is down: a sink that listened on its port and stopped (connections are refused). The
            // working sink is not stopped and restarted here: right after a stop its port can stay taken for a while
            // on a loaded machine; a receiver that comes back is covered by the outbox's sink-down test.
            let down = try await HTTPSink.start()
            try await down.stop()
            if case .retry(_, nil, let refused) = await attempt("/ok", on: down.url("/ok")) {
                #expect(refused.contains("network error"), "\(refused)")
            } else {
                Issue.record("a refused connection was not retried")
            }
            // The same client still delivers to a receiver that answers.
            #expect(await attempt("/ok") == .delivered(status: 200))
        } catch {
            Issue.record(error)
        }
        try await client.shutdown()
        try? await sink.stop()
    }
}

import Foundation

/// What one delivery attempt came to.
public enum DeliveryAttemptResult: Sendable, Equatable {
    /// The provider answered with `status`; `retryAfter` is its `Retry-After` header, `body` the start of its answer.
    case response(status: Int, retryAfter: String?, body: String)
    /// No answer: the connection failed, was reset, or the request timed out.
    case failure(String)
}

/// What to do with a delivery after an attempt.
public enum DeliveryDecision: Sendable, Equatable {
    /// 2xx: done.
    case delivered(status: Int)
    /// Try again after `delay` (network error, timeout, 429, 5xx, with attempts left).
    case retry(after: Duration, status: Int?, error: String)
    /// Give up: any other 4xx (or 1xx/3xx), or a retryable failure on the last attempt.
    case dead(status: Int?, error: String)
}

/// Retry rules: only network errors, timeouts, 429 (honouring `Retry-After`) and 5xx are retried, with exponential
/// backoff and jitter, until `maxAttempts`; any other answer outside 2xx is final.
public struct DeliveryPolicy: Sendable {
    /// Delay before the second attempt (before jitter). Default 2 s.
    public var baseDelay: Duration
    /// No delay exceeds this (also caps `Retry-After`). Default 10 min.
    public var maximumDelay: Duration

    /// Creates a policy.
    public init(baseDelay: Duration = .seconds(2), maximumDelay: Duration = .seconds(600)) {
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
    }

    /// The decision after attempt number `attempt` (1-based) of at most `maxAttempts`; `jitter` in 0…1 (random
    /// in production, fixed in tests); `now` for HTTP-date `Retry-After` values.
    public func decide(
        _ result: DeliveryAttemptResult, attempt: Int, maxAttempts: Int, jitter: Double = Double.random(in: 0...1),
        now: Date = Date()
    ) -> DeliveryDecision {
        let status: Int?
        let error: String
        var requested: Duration?
        switch result {
        case .failure(let message):
            status = nil
            error = message
        case .response(let code, let retryAfter, let body):
            if (200..<300).contains(code) { return .delivered(status: code) }
            status = code
            error = "HTTP \(code)" + (body.isEmpty ? "" : ": \(body)")
            guard code == 429 || (500..<600).contains(code) else { return .dead(status: code, error: error) }
            if code == 429, let retryAfter { requested = Self.parseRetryAfter(retryAfter, now: now) }
        }
        guard attempt < maxAttempts else {
            return .dead(status: status, error: "\(error) (gave up after \(attempt) attempt\(attempt == 1 ? "" : "s"))")
        }
        let delay = requested.map { min($0, maximumDelay) } ?? backoff(afterAttempt: attempt, jitter: jitter)
        return .retry(after: delay, status: status, error: error)
    }

    /// `baseDelay · 2^(attempt−1)`, capped, scaled by 0.5…1 with `jitter` ("equal jitter": never less than half,
    /// so retries spread out without collapsing to zero).
    public func backoff(afterAttempt attempt: Int, jitter: Double) -> Duration {
        let exponent = Double(min(max(attempt - 1, 0), 30))
        let base = min(baseDelay.inSeconds * pow(2, exponent), maximumDelay.inSeconds)
        let factor = 0.5 + 0.5 * min(max(jitter, 0), 1)
        return .milliseconds(Int64((base * factor * 1000).rounded()))
    }

    /// `Retry-After` as delay-seconds or an HTTP-date; nil when it is neither.
    public static func parseRetryAfter(_ value: String, now: Date) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(text) { return seconds >= 0 ? .seconds(seconds) : nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: text) else { return nil }
        return .milliseconds(Int64(max(0, date.timeIntervalSince(now)) * 1000))
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

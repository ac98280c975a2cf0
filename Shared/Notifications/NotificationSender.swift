import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Sends rendered requests with one shared `HTTPClient` and reports what happened, never throwing: every outcome
/// (an answer, a refused connection, a timeout) is a ``DeliveryAttemptResult`` for ``DeliveryPolicy`` to judge.
public struct NotificationSender: Sendable {
    /// The process's shared client (its lifecycle belongs to the caller).
    public let client: HTTPClient
    /// How much of a provider's answer is kept for `last_error`.
    public var maximumKeptBody: Int

    /// Creates a sender over `client`.
    public init(client: HTTPClient, maximumKeptBody: Int = 512) {
        self.client = client
        self.maximumKeptBody = maximumKeptBody
    }

    /// The `HTTPClient` configuration notifications are sent with: keep-alive connections, up to
    /// `connectionsPerHost` per host (more requests queue in the client, still bounded by their timeout), no
    /// redirects (a provider answers; it does not send elsewhere), and a connection that cannot be established
    /// fails its requests at once — a network error that ``DeliveryPolicy`` retries with its own backoff — instead
    /// of the client retrying the connection until each request's timeout ran out.
    public static func clientConfiguration(connectionsPerHost: Int) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(1, connectionsPerHost)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        return configuration
    }

    /// Sends `request`, giving up after `timeout`.
    public func send(_ request: OutgoingRequest, timeout: Duration) async -> DeliveryAttemptResult {
        var http = HTTPClientRequest(url: request.url)
        http.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { http.headers.add(name: name, value: value) }
        http.body = .bytes(ByteBuffer(bytes: request.body))
        let milliseconds = Int64(timeout.inSeconds * 1000)
        do {
            let response = try await client.execute(http, timeout: .milliseconds(milliseconds))
            var kept: [UInt8] = []
            // Read the answer so the connection can be reused, keep only its start, and stop reading (dropping the
            // connection) past 64 KiB: a provider's answer is small, an endless one must not hold the dispatcher.
            var read = 0
            for try await chunk in response.body {
                if kept.count < maximumKeptBody {
                    kept.append(contentsOf: chunk.readableBytesView.prefix(maximumKeptBody - kept.count))
                }
                read += chunk.readableBytes
                if read > 65_536 { break }
            }
            return .response(
                status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"),
                body: String(decoding: kept, as: UTF8.self))
        } catch {
            return .failure(Self.describe(error))
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            if error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
                return "timeout (\(error))"
            }
        }
        return "network error: \(error)"
    }
}

import Logging
import ServiceLifecycle

/// Runs ``APIKeyAuthenticator/refresh()`` every refresh interval until the service group shuts down, so hot keys
/// are re-validated (and their use recorded) off the request path.
public struct APIKeyCacheRefresher: Service {
    private let authenticator: APIKeyAuthenticator
    private let logger: Logger

    /// A refresher for `authenticator`.
    public init(authenticator: APIKeyAuthenticator, logger: Logger) {
        self.authenticator = authenticator
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                try await authenticator.refresh()
            } catch {
                logger.warning("API key cache refresh failed", metadata: ["error": "\(error)"])
            }
            let interval = authenticator.refreshInterval
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }
}

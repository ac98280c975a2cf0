import Detection
import Logging
import ServiceLifecycle
import Synchronization

/// The feature extractor in service, built from the priors of the active model bundle.
///
/// Priors are fitted at training and stored in the bundle; preprocessing must use the same ones as the model it
/// feeds, so it follows the active bundle: ``refresh()`` reloads when the active version changed.
public final class ExtractorProvider: Sendable {
    /// What the provider reads: the active version and its priors, or nil when no bundle is active.
    public typealias Source = @Sendable () throws -> (version: String, priors: FeaturePriors)?

    private let source: Source
    private let state: Mutex<(version: String?, extractor: FeatureExtractor)>
    private let logger: Logger

    /// Loads the active bundle's priors now; with none, neutral priors are used until one appears.
    public init(source: @escaping Source, logger: Logger) {
        self.source = source
        self.logger = logger
        self.state = Mutex((nil, FeatureExtractor(priors: .neutral)))
        refresh()
    }

    /// The extractor to use for the next batch.
    public var current: FeatureExtractor { state.withLock { $0.extractor } }

    /// The model version whose priors are in use, nil when neutral priors are.
    public var version: String? { state.withLock { $0.version } }

    /// Reloads the priors when the active version changed; keeps the old ones when the new bundle is unreadable.
    public func refresh() {
        do {
            guard let (version, priors) = try source() else { return }
            let changed = state.withLock { current -> Bool in
                guard current.version != version else { return false }
                current = (version, FeatureExtractor(priors: priors))
                return true
            }
            if changed { logger.info("feature priors loaded", metadata: ["model_version": "\(version)"]) }
        } catch {
            logger.error("could not load feature priors; keeping the current ones", metadata: ["error": "\(error)"])
        }
    }
}

/// Polls the model directory so preprocessing follows promotions and rollbacks.
public struct ExtractorRefresher: Service {
    let provider: ExtractorProvider
    let interval: Duration

    public init(provider: ExtractorProvider, interval: Duration) {
        self.provider = provider
        self.interval = interval
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: interval)
            provider.refresh()
        }
    }
}

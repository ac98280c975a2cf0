import Detection
import Logging
import Metrics
import Registry
import ServiceLifecycle
import Stores

/// Keeps an ``InferenceService``'s models equal to the registry's champion, canary and shadow.
///
/// It re-reads the registry's serving plan on every `NOTIFY txad_model_registry` (a promotion is served within
/// about the time to load the bundle), every `pollInterval` as a fallback when notifications are lost or the
/// listening connection is down, and when the listener (re)connects. A version whose bundle (checksum + the bundle
/// loader's checks) fails is refused and remembered by checksum, not retried each poll: a refused champion leaves
/// the previous champion serving; a refused canary or shadow leaves that role empty (the champion answers).
public actor RegistrySync: Service {
    private let registry: BundleRegistry
    private let listener: PostgresListener?
    private let pollInterval: Duration
    private let service: InferenceService
    private let logger: Logger
    /// Checksums refused once; not loaded again.
    private var refusedChecksums: Set<String> = []
    /// The latest loaded models by checksum (at most ``cacheSize``), so a rollback to a recent version or a
    /// promotion from canary/shadow swaps without loading again.
    private var recent: [(checksum: String, model: LoadedModel)] = []
    static let cacheSize = 4
    private let syncFailures = Counter(label: "txad_inference_registry_sync_failures_total")

    /// A sync for `service`; `listener` nil uses polling only.
    public init(
        registry: BundleRegistry, listener: PostgresListener?, pollInterval: Duration, service: InferenceService,
        logger: Logger
    ) {
        self.registry = registry
        self.listener = listener
        self.pollInterval = pollInterval
        self.service = service
        self.logger = logger
    }

    /// Follows the registry until graceful shutdown.
    public func run() async throws {
        let (triggers, trigger) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let listener = self.listener
        let interval = pollInterval
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                if let listener {
                    group.addTask {
                        for await _ in listener.events() { trigger.yield() }
                    }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        trigger.yield()
                    }
                }
                group.addTask {
                    for await _ in triggers {
                        if Task.isCancelled { break }
                        try? await self.syncOnce()
                    }
                }
                await group.next()
                group.cancelAll()
                trigger.finish()
            }
        }
    }

    /// Reads the plan and applies it; throws when the registry cannot be read (the models in service stay).
    public func syncOnce() async throws {
        let plan: ServingPlan
        do {
            plan = try await registry.servingPlan()
        } catch {
            syncFailures.increment()
            logger.warning(
                "cannot read the model registry; the models in service stay", metadata: ["error": "\(error)"])
            throw error
        }
        let current = service.models
        let loaded = [current.champion, current.canary, current.shadow].compactMap { $0 }
        var next = ServingModels()
        next.champion = await resolve(plan.champion, loaded: loaded) ?? current.champion
        if let canary = plan.canary, let model = await resolve(canary.entry, loaded: loaded) {
            next.canary = model
            next.canaryShare = canary.share
        }
        next.shadow = await resolve(plan.shadow, loaded: loaded)
        service.apply(next)
    }

    /// The loaded model for `entry`: reused when already loaded with the same checksum, else loaded and verified;
    /// nil when there is no entry or it was refused.
    private func resolve(_ entry: ServingPlan.Entry?, loaded: [LoadedModel]) async -> LoadedModel? {
        guard let entry else { return nil }
        if let model = loaded.first(where: { $0.version == entry.version && $0.checksum == entry.checksum }) {
            return model
        }
        if let cached = recent.first(where: { $0.checksum == entry.checksum && $0.model.version == entry.version }) {
            return cached.model
        }
        if refusedChecksums.contains(entry.checksum) { return nil }
        do {
            let bundle = try await registry.loadBundle(entry.version)
            let model = LoadedModel(scorer: AnomalyScorer(bundle: bundle), checksum: entry.checksum)
            recent.insert((entry.checksum, model), at: 0)
            if recent.count > Self.cacheSize { recent.removeLast(recent.count - Self.cacheSize) }
            return model
        } catch {
            if error.code == .corruptBundle || error.code == .notFound {
                refusedChecksums.insert(entry.checksum)
                service.recordRefusal(version: entry.version, reason: error.message)
            } else {
                syncFailures.increment()
                logger.warning("cannot load \(entry.version) now; will retry", metadata: ["error": "\(error)"])
            }
            return nil
        }
    }
}

import Detection
import Domain
import Foundation
import Logging
import Metrics
import Synchronization
import Wire

/// `txad.v1.Inference`: scores feature vectors with the models in service; stateless, so replicas scale out.
///
/// Models come from one of two sources:
/// - **directory** (`TXAD_MODEL_DIR`): the active bundle is loaded at start; `Reload` loads a bundle next to the
///   one in service and swaps only when it loaded and validated.
/// - **registry** (`DATABASE_URL`): ``RegistrySync`` loads champion, canary and shadow from PostgreSQL and calls
///   ``apply(_:)``; `Reload` asks it to re-read the registry at once.
///
/// Without a champion the service reports `NOT_SERVING` and answers `Score` with FAILED_PRECONDITION. The models are
/// one value swapped atomically and read once per request, so every vector of a request is scored against the same
/// set (the champion, or the canary for the canary's users).
public final class InferenceService: Inference.ServiceProtocol {
    /// Where the models come from.
    public enum Source: String, Sendable {
        case directory
        case registry
    }

    private struct State: Sendable {
        var models = ServingModels()
        /// "version: reason", latest first.
        var refused: [String] = []
        var reloadHook: (@Sendable () async throws -> Void)?
    }

    /// The source this service was created for.
    public let source: Source
    /// Score distribution per version against training (PSI) and live alert rate.
    public let drift = DriftTracker()
    private let registry: ModelRegistry?
    private let state: Mutex<State>
    private let shadowScorer: ShadowScorer?
    private let logger: Logger
    private let scoredCounter = Counter(label: "txad_inference_scored_total")
    private let metrics = InferenceMetrics()
    private let refusedCounter = Counter(label: "txad_inference_bundle_refused_total")
    private let switchCounter = Counter(label: "txad_inference_model_switches_total")
    /// Called with whether a model is in service, to drive the health status.
    private let onModelChange: @Sendable (Bool) -> Void

    /// Loads the active bundle of `modelDirectory` if there is one (a failure is logged and leaves no model).
    public init(modelDirectory: String, logger: Logger, onModelChange: @escaping @Sendable (Bool) -> Void = { _ in }) {
        self.source = .directory
        self.registry = ModelRegistry(root: modelDirectory)
        self.shadowScorer = nil
        self.logger = logger
        self.onModelChange = onModelChange
        self.state = Mutex(State(models: ServingModels(champion: Self.loadActive(modelDirectory, logger: logger))))
    }

    /// The active bundle of `directory` as a champion, nil (logged) when there is none or it does not load.
    private static func loadActive(_ directory: String, logger: Logger) -> LoadedModel? {
        let registry = ModelRegistry(root: directory)
        do {
            guard try registry.activeVersion() != nil else {
                logger.warning("no active model in \(directory); train one with `txad train`")
                return nil
            }
            let model = LoadedModel(scorer: AnomalyScorer(bundle: try registry.loadActive()))
            logger.info("model loaded", metadata: ["model_version": "\(model.version)", "directory": "\(directory)"])
            return model
        } catch {
            logger.error("could not load the active model", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// A service whose models the registry sets (``apply(_:)``); shadow scores go to `shadowScorer`.
    ///
    /// Until the registry names a champion, the active bundle of `fallbackDirectory` (when given and present)
    /// answers, so a fresh cluster serves its directory model before anything was registered.
    public init(
        registrySourceWith shadowScorer: ShadowScorer?, fallbackDirectory: String? = nil, logger: Logger,
        onModelChange: @escaping @Sendable (Bool) -> Void = { _ in }
    ) {
        self.source = .registry
        self.registry = nil
        self.shadowScorer = shadowScorer
        self.logger = logger
        self.onModelChange = onModelChange
        let fallback = fallbackDirectory.flatMap { Self.loadActive($0, logger: logger) }
        self.state = Mutex(State(models: ServingModels(champion: fallback)))
    }

    /// The champion's version, nil when none.
    public var modelVersion: String? { state.withLock { $0.models.champion?.version } }

    /// The models in service.
    public var models: ServingModels { state.withLock { $0.models } }

    /// Refusals so far, `version: reason`, latest first.
    public var refused: [String] { state.withLock { $0.refused } }

    /// Reports the initial model state to the health callback and the model gauges (`txad_inference_model_loaded`,
    /// `txad_inference_model_info`: a model loaded at start never went through ``apply(_:)``); call once the server
    /// is listening.
    public func announce() {
        let version = modelVersion
        metrics.modelChanged(to: version)
        onModelChange(version != nil)
    }

    /// Replaces the models in service (one atomic swap).
    public func apply(_ models: ServingModels) {
        let previous = state.withLock { state -> ServingModels in
            defer { state.models = models }
            return state.models
        }
        let changed =
            previous.champion?.version != models.champion?.version || previous.canary?.version != models.canary?.version
            || previous.canaryShare != models.canaryShare || previous.shadow?.version != models.shadow?.version
        if changed {
            switchCounter.increment()
            logger.info(
                "models switched",
                metadata: [
                    "champion": "\(models.champion?.version ?? "-")", "canary": "\(models.canary?.version ?? "-")",
                    "canary_share": "\(models.canaryShare)", "shadow": "\(models.shadow?.version ?? "-")",
                ])
        }
        metrics.modelChanged(to: models.champion?.version)
        onModelChange(models.champion != nil)
    }

    /// Records that `version` was refused (checksum, archive or schema check) and counts it.
    public func recordRefusal(version: String, reason: String) {
        refusedCounter.increment()
        logger.error(
            "bundle refused; the models in service stay", metadata: ["version": "\(version)", "error": "\(reason)"])
        state.withLock { state in
            state.refused.insert("\(version): \(reason)", at: 0)
            if state.refused.count > 10 { state.refused.removeLast(state.refused.count - 10) }
        }
    }

    /// What `Reload` does in registry mode (re-read the registry now).
    public func setReloadHook(_ hook: @escaping @Sendable () async throws -> Void) {
        state.withLock { $0.reloadHook = hook }
    }

    public func score(_ request: ScoreRequest, context: RPCContext) async throws -> ScoreResponse {
        let models = state.withLock { $0.models }
        guard models.champion != nil else {
            throw RPCError(code: .failedPrecondition, message: "no model is loaded; train or promote one and reload")
        }
        do {
            let (scores, championPositions) = try models.score(request.vectors)
            scoredCounter.increment(by: scores.count)
            metrics.scored(scores)
            drift.observe(scores)
            if let shadow = models.shadow, let shadowScorer {
                let positions = championPositions
                shadowScorer.offer(
                    shadow: shadow.scorer, vectors: positions.map { request.vectors[$0] },
                    champion: positions.map { scores[$0] }, drift: drift)
            }
            return ScoreResponse(scores: scores)
        } catch {
            let code: RPCStatusCode = error.code == .schemaMismatch ? .failedPrecondition : .invalidArgument
            throw RPCError(code: code, message: error.message)
        }
    }

    public func modelInfo(_ request: ModelInfoRequest, context: RPCContext) async throws -> ModelInfoResponse {
        let (models, refused) = state.withLock { ($0.models, $0.refused) }
        guard let champion = models.champion?.scorer else {
            throw RPCError(
                code: .failedPrecondition,
                message: "no model is loaded" + (refused.first.map { "; last refusal: \($0)" } ?? ""))
        }
        let manifest = champion.bundle.manifest
        if request.driftOnly {
            // /stats asks every replica on every call: the versions and counts only, not the 100 KB manifest.
            return ModelInfoResponse(
                version: manifest.version, source: source.rawValue, canaryVersion: models.canary?.version ?? "",
                canaryShare: models.canary == nil ? 0 : models.canaryShare, shadowVersion: models.shadow?.version ?? "",
                refused: refused, shadowDropped: shadowScorer?.droppedTotal ?? 0,
                drift: Self.versionDrift(drift.snapshot()))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(manifest)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return ModelInfoResponse(
            version: manifest.version, created: manifest.created,
            featureSchemaVersion: manifest.featureSchema.version, featureNames: manifest.featureSchema.names,
            threshold: champion.anomalyThreshold,
            weightIsolationForest: manifest.ensemble.weights.isolationForest,
            weightAutoencoder: manifest.ensemble.weights.autoencoder, manifestJSON: json, source: source.rawValue,
            canaryVersion: models.canary?.version ?? "", canaryShare: models.canary == nil ? 0 : models.canaryShare,
            shadowVersion: models.shadow?.version ?? "", refused: refused,
            shadowDropped: shadowScorer?.droppedTotal ?? 0, drift: Self.versionDrift(drift.snapshot()))
    }

    /// The tracker's counts as `ModelInfo`'s `drift`, by version.
    static func versionDrift(_ counts: [String: DriftTracker.Counts]) -> [VersionDrift] {
        counts.sorted { $0.key < $1.key }.map { version, c in
            VersionDrift(
                version: version, observed: UInt64(c.total), alerts: UInt64(c.alerts),
                isolationForestBuckets: c.isolationForest.map { UInt64($0) },
                autoencoderBuckets: c.autoencoder.map { UInt64($0) }, sinceMillis: c.firstObservedMillis)
        }
    }

    public func reload(_ request: ReloadRequest, context: RPCContext) async throws -> ReloadResponse {
        let previous = modelVersion ?? ""
        guard let registry else {
            // Registry mode: the registry decides the versions; re-read it now.
            let hook = state.withLock { $0.reloadHook }
            do {
                try await hook?()
            } catch {
                throw RPCError(code: .unavailable, message: "model registry: \(error)")
            }
            return ReloadResponse(previousVersion: previous, version: modelVersion ?? "")
        }
        let bundle: ModelBundle
        do {
            if request.version.isEmpty {
                bundle = try registry.loadActive()
            } else {
                try ModelBundle.validate(version: request.version)
                bundle = try ModelBundle.load(from: registry.directory(of: request.version))
            }
        } catch {
            refusedCounter.increment()
            metrics.reloaded(success: false)
            context.logger.error("reload refused; keeping the model in service", metadata: ["error": "\(error)"])
            throw RPCError(
                code: error.code == .invalidArgument ? .invalidArgument : .failedPrecondition,
                message:
                    "bundle refused, \(previous.isEmpty ? "no model" : previous) stays in service: \(error.message)")
        }
        apply(ServingModels(champion: LoadedModel(scorer: AnomalyScorer(bundle: bundle))))
        metrics.reloaded(success: true)
        context.logger.info("model reloaded", metadata: ["from": "\(previous)", "to": "\(bundle.version)"])
        return ReloadResponse(previousVersion: previous, version: bundle.version)
    }
}

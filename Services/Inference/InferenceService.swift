import Detection
import Domain
import Foundation
import Logging
import Metrics
import Synchronization
import Wire

/// `txad.v1.Inference`: scores feature vectors with the active model bundle; stateless, so replicas scale out.
///
/// The bundle is loaded from the model directory at start; without one the service reports `NOT_SERVING` and
/// answers `Score` with FAILED_PRECONDITION. `Reload` loads a bundle next to the one in service and swaps only when
/// it loaded and validated, so a corrupt or mismatched bundle never replaces a good one.
public final class InferenceService: Inference.ServiceProtocol {
    private let registry: ModelRegistry
    private let scorer: Mutex<AnomalyScorer?>
    private let logger: Logger
    private let scoredCounter = Counter(label: "txad_inference_scored_total")
    private let metrics = InferenceMetrics()
    /// Called with whether a model is in service, to drive the health status.
    private let onModelChange: @Sendable (Bool) -> Void

    /// Loads the active bundle of `modelDirectory` if there is one (a failure is logged and leaves no model).
    public init(modelDirectory: String, logger: Logger, onModelChange: @escaping @Sendable (Bool) -> Void = { _ in }) {
        self.registry = ModelRegistry(root: modelDirectory)
        self.logger = logger
        self.onModelChange = onModelChange
        var initial: AnomalyScorer?
        do {
            if try registry.activeVersion() != nil {
                initial = AnomalyScorer(bundle: try registry.loadActive())
                logger.info("model loaded", metadata: ["model_version": "\(initial?.version ?? "")"])
            } else {
                logger.warning("no active model in \(modelDirectory); train one with `txad train`")
            }
        } catch {
            logger.error("could not load the active model", metadata: ["error": "\(error)"])
        }
        self.scorer = Mutex(initial)
        metrics.modelChanged(to: initial?.version)
    }

    /// The version in service, nil when none.
    public var modelVersion: String? { scorer.withLock { $0?.version } }

    /// Reports the initial model state to the health callback; call once the server is listening.
    public func announce() { onModelChange(modelVersion != nil) }

    private func current() throws(RPCError) -> AnomalyScorer {
        guard let scorer = scorer.withLock({ $0 }) else {
            throw RPCError(code: .failedPrecondition, message: "no model is loaded; train one and reload")
        }
        return scorer
    }

    public func score(_ request: ScoreRequest, context: RPCContext) async throws -> ScoreResponse {
        let scorer = try current()
        do {
            let scores = try scorer.score(request.vectors)
            scoredCounter.increment(by: scores.count)
            metrics.scored(scores)
            return ScoreResponse(scores: scores)
        } catch {
            let code: RPCStatusCode = error.code == .schemaMismatch ? .failedPrecondition : .invalidArgument
            throw RPCError(code: code, message: error.message)
        }
    }

    public func modelInfo(_ request: ModelInfoRequest, context: RPCContext) async throws -> ModelInfoResponse {
        let scorer = try current()
        let manifest = scorer.bundle.manifest
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(manifest)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return ModelInfoResponse(
            version: manifest.version, created: manifest.created,
            featureSchemaVersion: manifest.featureSchema.version, featureNames: manifest.featureSchema.names,
            threshold: manifest.ensemble.anomalyThreshold, weightIsolationForest: manifest.ensemble.weights.isolationForest,
            weightAutoencoder: manifest.ensemble.weights.autoencoder, manifestJSON: json)
    }

    public func reload(_ request: ReloadRequest, context: RPCContext) async throws -> ReloadResponse {
        let previous = modelVersion ?? ""
        let bundle: ModelBundle
        do {
            if request.version.isEmpty {
                bundle = try registry.loadActive()
            } else {
                try ModelBundle.validate(version: request.version)
                bundle = try ModelBundle.load(from: registry.directory(of: request.version))
            }
        } catch {
            metrics.reloaded(success: false)
            context.logger.error("reload refused; keeping the model in service", metadata: ["error": "\(error)"])
            throw RPCError(
                code: error.code == .invalidArgument ? .invalidArgument : .failedPrecondition,
                message: "bundle refused, \(previous.isEmpty ? "no model" : previous) stays in service: \(error.message)")
        }
        scorer.withLock { $0 = AnomalyScorer(bundle: bundle) }
        onModelChange(true)
        metrics.reloaded(success: true)
        metrics.modelChanged(to: bundle.version)
        context.logger.info("model reloaded", metadata: ["from": "\(previous)", "to": "\(bundle.version)"])
        return ReloadResponse(previousVersion: previous, version: bundle.version)
    }
}

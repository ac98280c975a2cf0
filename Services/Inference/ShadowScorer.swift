import Detection
import Domain
import Logging
import Metrics
import Registry
import ServiceLifecycle
import Synchronization

/// Scores the champion's vectors with the shadow version off the response path and records both scores.
///
/// `offer` only appends to a bounded queue (at most `capacity` vectors waiting); when the shadow falls behind, the
/// vectors that do not fit are dropped and counted (`txad_inference_shadow_dropped_total`), never slowing the
/// answer. The worker drains the whole queue at a time, scores it, and writes the rows to PostgreSQL in one
/// statement per drain (`ShadowScoreStore`); a failed write is logged and counted, its rows lost (shadow scores
/// are evidence for a comparison, not records anyone is owed).
public final class ShadowScorer: Service, Sendable {
    /// One request's worth of work.
    struct Job: Sendable {
        var shadow: AnomalyScorer
        var vectors: [FeatureVector]
        var champion: [Score]
        /// Where the shadow's scores are counted for drift (the service's tracker).
        var drift: DriftTracker?
    }

    private let store: ShadowScoreStore
    private let capacity: Int
    private let logger: Logger
    private let queue = Mutex<(jobs: [Job], vectors: Int)>(([], 0))
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>
    private let droppedCount = Atomic<UInt64>(0)
    private let recordedCount = Atomic<UInt64>(0)
    private let dropped = Counter(label: "txad_inference_shadow_dropped_total")
    private let recorded = Counter(label: "txad_inference_shadow_recorded_total")
    private let failures = Counter(label: "txad_inference_shadow_record_failures_total")
    /// Called after each drain with the rows written (tests; `nil` in service).
    private let onDrain: (@Sendable (Int) -> Void)?

    /// A scorer writing through `store`, holding at most `capacity` vectors in its queue.
    public init(
        store: ShadowScoreStore, capacity: Int = 20_000, logger: Logger, onDrain: (@Sendable (Int) -> Void)? = nil
    ) {
        self.store = store
        self.capacity = max(1, capacity)
        self.logger = logger
        self.onDrain = onDrain
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Shadow scorings dropped since start.
    public var droppedTotal: UInt64 { droppedCount.load(ordering: .relaxed) }
    /// Shadow rows written since start.
    public var recordedTotal: UInt64 { recordedCount.load(ordering: .relaxed) }

    /// Queues `vectors` (with the champion's scores) for `shadow`; drops them when the queue is full.
    func offer(shadow: AnomalyScorer, vectors: [FeatureVector], champion: [Score], drift: DriftTracker? = nil) {
        guard !vectors.isEmpty else { return }
        let accepted = queue.withLock { queue -> Bool in
            guard queue.vectors + vectors.count <= capacity else { return false }
            queue.jobs.append(Job(shadow: shadow, vectors: vectors, champion: champion, drift: drift))
            queue.vectors += vectors.count
            return true
        }
        if accepted {
            wake.yield()
        } else {
            droppedCount.add(UInt64(vectors.count), ordering: .relaxed)
            dropped.increment(by: vectors.count)
        }
    }

    /// Drains the queue until graceful shutdown (then once more).
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in self.wakes {
                await self.drain()
            }
        }
        await drain()
    }

    /// Scores and records everything queued now.
    func drain() async {
        let jobs = queue.withLock { queue -> [Job] in
            defer { queue = ([], 0) }
            return queue.jobs
        }
        guard !jobs.isEmpty else { return }
        var rows: [ShadowScoreRow] = []
        // Jobs of one version are scored together: /predict offers one vector per request, and one batch call
        // (both models over a matrix, no reasons — the shadow's are never shown) costs a fraction of one call per
        // vector, which is CPU the champion's answers need.
        var order: [String] = []
        var byVersion: [String: [Job]] = [:]
        for job in jobs {
            if byVersion[job.shadow.version] == nil { order.append(job.shadow.version) }
            byVersion[job.shadow.version, default: []].append(job)
        }
        for version in order {
            rows += score(byVersion[version] ?? [])
        }
        var written = 0
        for start in stride(from: 0, to: rows.count, by: 5000) {
            let chunk = Array(rows[start..<min(start + 5000, rows.count)])
            do {
                try await store.record(chunk)
                written += chunk.count
            } catch {
                failures.increment()
                logger.warning("shadow scores not recorded", metadata: ["rows": "\(chunk.count)", "error": "\(error)"])
            }
        }
        recordedCount.add(UInt64(written), ordering: .relaxed)
        recorded.increment(by: written)
        onDrain?(written)
    }

    /// The shadow rows of `jobs` (all of one shadow version), scored in one batch; a job with a vector the shadow
    /// refuses (another feature schema) is logged and left out.
    private func score(_ jobs: [Job]) -> [ShadowScoreRow] {
        guard let shadow = jobs.first?.shadow else { return [] }
        var accepted: [Job] = []
        for job in jobs {
            do {
                for vector in job.vectors { try shadow.validate(vector) }
                accepted.append(job)
            } catch {
                logger.warning("shadow scoring failed", metadata: ["error": "\(error)"])
            }
        }
        let matrix = AnomalyScorer.unscaledMatrix(accepted.flatMap(\.vectors), columns: shadow.schema.count)
        let scores: AnomalyScorer.BatchScores
        do {
            scores = try shadow.scores(unscaled: matrix)
        } catch {
            logger.warning("shadow scoring failed", metadata: ["error": "\(error)"])
            return []
        }
        var rows: [ShadowScoreRow] = []
        rows.reserveCapacity(scores.ensemble.count)
        let threshold = shadow.anomalyThreshold
        let risk = shadow.risk
        accepted.first?.drift?.observe(
            version: shadow.version, isolationForest: scores.isolationForest, autoencoder: scores.autoencoder,
            alerts: scores.ensemble.map { risk.level($0) != .low })
        var start = 0
        for job in accepted {
            defer { start += job.vectors.count }
            for (offset, champion) in zip(job.vectors.indices, job.champion) {
                let final = scores.ensemble[start + offset]
                rows.append(
                    ShadowScoreRow(
                        transactionID: champion.transactionID, championVersion: champion.modelVersion,
                        challengerVersion: shadow.version, championScore: champion.ensemble,
                        challengerScore: final, championRisk: champion.riskLevel.rawValue,
                        challengerRisk: risk.level(final).rawValue, championAnomaly: champion.isAnomaly,
                        challengerAnomaly: final >= threshold))
            }
        }
        return rows
    }
}

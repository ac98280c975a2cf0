import Detection
import Domain
import Foundation
import Logging
import Stores
import Testing
import Wire

@testable import InferenceService
@testable import Registry

/// Inference replicas following the registry in PostgreSQL: reload, refusal, canary, shadow.
@Suite(.timeLimit(.minutes(10)))
struct ModelLifecycleTests {
    static let logger = LifecycleFixtures.logger
    static let context = RPCContext(method: "txad.v1.Inference/Score")

    /// A replica (service + sync) over `client`; `listen` false polls only.
    static func replica(_ client: PostgresClient, listen: Bool, poll: Duration, shadow: ShadowScorer? = nil) throws
        -> (InferenceService, RegistrySync)
    {
        let service = InferenceService(registrySourceWith: shadow, logger: logger)
        let listener =
            listen
            ? try PostgresListener(configuration: client.configuration, channel: RegistrySchema.notifyChannel) : nil
        let sync = RegistrySync(
            registry: BundleRegistry(client: client), listener: listener, pollInterval: poll, service: service,
            logger: logger)
        return (service, sync)
    }

    /// Promotes v2 to champion with two replicas following, and checks both switch and every request is scored
    /// wholly by one version.
    static func switchesTwoReplicas(listen: Bool, poll: Duration) async throws -> [Duration] {
        let bundles = try await LifecycleFixtures.bundles()
        return try await LifecycleFixtures.withRegistry { registry, client, _ in
            try await LifecycleFixtures.seed(registry, bundles)
            let replicas = try (0..<2).map { _ in try replica(client, listen: listen, poll: poll) }
            for (_, sync) in replicas { try await sync.syncOnce() }
            #expect(replicas.allSatisfy { $0.0.modelVersion == "v1" })
            return try await withThrowingTaskGroup(of: Void.self) { group in
                for (_, sync) in replicas { group.addTask { try await sync.run() } }
                // Let the listeners connect before the change (a notification sent earlier is not delivered).
                try await Task.sleep(for: .milliseconds(500))
                let vectors = Array(bundles.vectors.prefix(50))
                try await registry.promote("v2", to: .champion, by: "alice")
                var took: [Duration] = []
                for (service, _) in replicas {
                    let time = await LifecycleFixtures.eventually {
                        // Each response comes from exactly one version.
                        let scores = try? await service.score(ScoreRequest(vectors: vectors), context: context).scores
                        #expect(Set(scores?.map(\.modelVersion) ?? []).count == 1)
                        return service.modelVersion == "v2"
                    }
                    #expect(time != nil, "replica did not switch to v2")
                    took.append(time ?? .zero)
                }
                group.cancelAll()
                return took
            }
        }
    }

    @Test("two replicas switch on NOTIFY; every response scored by one version")
    func reloadOnNotify() async throws {
        // Polling every 10 minutes: only the notification can explain a switch.
        let took = try await Self.switchesTwoReplicas(listen: true, poll: .seconds(600))
        print("switch after NOTIFY: \(took)")
    }

    @Test("two replicas switch by polling when there is no listener")
    func reloadOnPolling() async throws {
        let took = try await Self.switchesTwoReplicas(listen: false, poll: .milliseconds(300))
        print("switch by polling: \(took)")
    }

    @Test("a corrupt bundle promoted to champion is refused; the old champion keeps serving, visibly")
    func corruptChampionRefused() async throws {
        let bundles = try await LifecycleFixtures.bundles()
        try await LifecycleFixtures.withRegistry { registry, client, _ in
            try await LifecycleFixtures.seed(registry, bundles)
            let (service, sync) = try Self.replica(client, listen: false, poll: .seconds(600))
            try await sync.syncOnce()
            #expect(service.modelVersion == "v1")
            try await registry.promote("v2", to: .champion, by: "alice")
            // Bytes damaged in storage after registration.
            try await client.execute(
                "UPDATE model_versions SET bundle = overlay(bundle placing '\\x00'::bytea from 300) WHERE version = 'v2'"
            )
            try await sync.syncOnce()
            #expect(service.modelVersion == "v1")
            #expect(service.refused.first?.hasPrefix("v2: ") == true)
            let info = try await service.modelInfo(ModelInfoRequest(), context: Self.context)
            #expect(info.version == "v1")
            #expect(info.source == "registry")
            #expect(info.refused.first?.contains("checksum") == true)
            let scores = try await service.score(
                ScoreRequest(vectors: Array(bundles.vectors.prefix(5))), context: Self.context
            ).scores
            #expect(scores.allSatisfy { $0.modelVersion == "v1" })
        }
    }

    @Test("canary: a share of users within ±2 % over 10,000 users, stable per user, never split")
    func canaryShare() async throws {
        let users = (0..<10_000).map { "user_\($0)" }
        for share in [0.05, 0.1, 0.5] {
            let inCanary = users.filter { CanaryRouter.isCanary(userID: $0, share: share) }.count
            #expect(abs(Double(inCanary) / 10_000 - share) <= 0.02, "share \(share): \(inCanary)")
        }
        // A larger share keeps the users already in the canary.
        let atTen = Set(users.filter { CanaryRouter.isCanary(userID: $0, share: 0.1) })
        let atTwenty = Set(users.filter { CanaryRouter.isCanary(userID: $0, share: 0.2) })
        #expect(atTen.isSubset(of: atTwenty))
        #expect(!CanaryRouter.isCanary(userID: "", share: 0.99))

        let bundles = try await LifecycleFixtures.bundles()
        try await LifecycleFixtures.withRegistry { registry, client, _ in
            try await LifecycleFixtures.seed(registry, bundles)
            try await registry.promote("v2", to: .canary(share: 0.3), by: "alice")
            let (service, sync) = try Self.replica(client, listen: false, poll: .seconds(600))
            try await sync.syncOnce()
            #expect(service.models.canary?.version == "v2")
            let vectors = Array(bundles.vectors.prefix(600))
            let first = try await service.score(ScoreRequest(vectors: vectors), context: Self.context).scores
            let again = try await service.score(ScoreRequest(vectors: vectors.reversed()), context: Self.context).scores
            var versionByUser: [String: Set<String>] = [:]
            for (vector, score) in Array(zip(vectors, first)) + Array(zip(vectors.reversed(), again)) {
                let expected = CanaryRouter.isCanary(userID: vector.userID, share: 0.3) ? "v2" : "v1"
                #expect(score.modelVersion == expected)
                #expect(score.transactionID == vector.transactionID)
                versionByUser[vector.userID, default: []].insert(score.modelVersion)
            }
            #expect(versionByUser.values.allSatisfy { $0.count == 1 })
            #expect(Set(first.map(\.modelVersion)) == ["v1", "v2"])
        }
    }

    @Test("shadow: scores recorded beside the champion's in PostgreSQL; compare reports on them")
    func shadowRecordedAndCompared() async throws {
        let bundles = try await LifecycleFixtures.bundles()
        try await LifecycleFixtures.withRegistry { registry, client, _ in
            try await LifecycleFixtures.seed(registry, bundles)
            try await registry.promote("v2", to: .shadow, by: "alice")
            let shadow = ShadowScorer(store: ShadowScoreStore(client: client), logger: Self.logger)
            let (service, sync) = try Self.replica(client, listen: false, poll: .seconds(600), shadow: shadow)
            try await sync.syncOnce()
            #expect(service.models.shadow?.version == "v2")
            let vectors = Array(bundles.vectors.prefix(400))
            // Half in one request, half one per request as /predict sends them: one drain scores them together.
            var answered = try await service.score(
                ScoreRequest(vectors: Array(vectors.prefix(200))), context: Self.context
            ).scores
            for vector in vectors.suffix(200) {
                answered += try await service.score(ScoreRequest(vectors: [vector]), context: Self.context).scores
            }
            #expect(answered.count == 400)
            #expect(answered.allSatisfy { $0.modelVersion == "v1" })
            await shadow.drain()
            #expect(shadow.recordedTotal == 400)
            // The shadow's scores are counted for drift (ModelInfo, /stats) beside the champion's.
            let shadowDrift = try #require(service.drift.counts(of: "v2"))
            #expect(shadowDrift.total == 400 && service.drift.counts(of: "v1")?.total == 400)
            let expectedShadow = try bundles.second.scorer().score(vectors)
            #expect(shadowDrift.alerts == expectedShadow.filter { $0.riskLevel != .low }.count)
            #expect(shadowDrift.isolationForest.reduce(0, +) == 400)
            let info = try await service.modelInfo(ModelInfoRequest(), context: Self.context)
            #expect(info.drift.map(\.version) == ["v1", "v2"] && info.drift.map(\.observed) == [400, 400])
            #expect(!info.manifestJSON.isEmpty && !info.featureNames.isEmpty)
            // /stats asks for the versions and drift only: the same figures without the manifest.
            let brief = try await service.modelInfo(ModelInfoRequest(driftOnly: true), context: Self.context)
            #expect(brief.drift == info.drift && brief.version == "v1" && brief.shadowVersion == "v2")
            #expect(brief.manifestJSON.isEmpty && brief.featureNames.isEmpty)
            let rows = try await client.query(
                "SELECT count(*) AS n, count(DISTINCT transaction_id) AS ids FROM model_shadow_scores "
                    + "WHERE champion_version = 'v1' AND challenger_version = 'v2'")
            #expect(try rows.first?.int("n") == 400)

            // Exactly what the shadow scores each vector alone (score, risk, anomaly), beside the champion's answer.
            let expected = try bundles.second.scorer().score(vectors)
            let recorded = try await client.query(
                "SELECT transaction_id, challenger_score, challenger_risk, challenger_anomaly, champion_score "
                    + "FROM model_shadow_scores ORDER BY transaction_id")
            #expect(recorded.count == 400)
            let byID = Dictionary(uniqueKeysWithValues: expected.map { ($0.transactionID, $0) })
            let championByID = Dictionary(uniqueKeysWithValues: answered.map { ($0.transactionID, $0.ensemble) })
            for row in recorded {
                let id = try #require(try row.string("transaction_id"))
                let alone = try #require(byID[id])
                #expect(try row.double("challenger_score") == alone.ensemble)
                #expect(try row.string("challenger_risk") == alone.riskLevel.rawValue)
                #expect(try row.bool("challenger_anomaly") == alone.isAnomaly)
                #expect(try row.double("champion_score") == championByID[id])
            }

            let comparison = try await ModelComparison.compute(
                client: client, champion: "v1", challenger: "v2", sinceSeconds: 3600)
            #expect(comparison.transactions == 400)
            #expect(comparison.levels.map(\.count).reduce(0, +) == 400)
            let correlation = try #require(comparison.correlation)
            #expect(correlation > 0.5)
            #expect(comparison.decidedAlerts == 0)
        }
    }

    @Test("a shadow that falls behind drops and counts, never holding up the answer")
    func slowShadowDrops() async throws {
        let bundles = try await LifecycleFixtures.bundles()
        try await LifecycleFixtures.withRegistry { registry, client, _ in
            try await LifecycleFixtures.seed(registry, bundles)
            try await registry.promote("v2", to: .shadow, by: "alice")
            // Capacity 100 vectors and no worker running: the queue never drains during the requests.
            let shadow = ShadowScorer(store: ShadowScoreStore(client: client), capacity: 100, logger: Self.logger)
            let (service, sync) = try Self.replica(client, listen: false, poll: .seconds(600), shadow: shadow)
            try await sync.syncOnce()
            for start in stride(from: 0, to: 500, by: 50) {
                let vectors = Array(bundles.vectors[start..<start + 50])
                let scores = try await service.score(ScoreRequest(vectors: vectors), context: Self.context).scores
                #expect(scores.count == 50)
            }
            #expect(shadow.droppedTotal == 400)
            let info = try await service.modelInfo(ModelInfoRequest(), context: Self.context)
            #expect(info.shadowDropped == 400)
            #expect(info.shadowVersion == "v2")
            await shadow.drain()
            #expect(shadow.recordedTotal == 100)
        }
    }
}

extension ModelBundle {
    fileprivate func scorer() -> AnomalyScorer { AnomalyScorer(bundle: self) }
}

@Suite(.timeLimit(.minutes(10)))
struct DriftTests {
    @Test("PSI against training stays small on training-like vectors and grows when the inputs shift")
    func psiMovesWithTheInputs() async throws {
        let bundles = try await LifecycleFixtures.bundles()
        let context = RPCContext(method: "txad.v1.Inference/Score")
        func service() -> InferenceService {
            let service = InferenceService(registrySourceWith: nil, logger: LifecycleFixtures.logger)
            service.apply(ServingModels(champion: LoadedModel(scorer: AnomalyScorer(bundle: bundles.first))))
            return service
        }
        let steady = service()
        _ = try await steady.score(ScoreRequest(vectors: bundles.vectors), context: context)
        let shifted = service()
        let moved = bundles.vectors.map { vector in
            var copy = vector
            copy.values = copy.values.map { $0 * 3 + 2 }
            return copy
        }
        _ = try await shifted.score(ScoreRequest(vectors: moved), context: context)
        let before = try #require(steady.drift.counts(of: "v1"))
        let after = try #require(shifted.drift.counts(of: "v1"))
        #expect(before.total == bundles.vectors.count)
        let steadyPSI = try #require(before.isolationForestPSI)
        let shiftedPSI = try #require(after.isolationForestPSI)
        print("PSI isolation forest: training-like \(steadyPSI), shifted \(shiftedPSI)")
        #expect(steadyPSI < 0.1)
        #expect(shiftedPSI > 0.25)
        #expect(after.alertRate > before.alertRate)
    }

    @Test("txad models drift reads the recorded predictions of one version")
    func driftReportFromPredictions() async throws {
        try await LifecycleFixtures.withRegistry { _, client, _ in
            // The columns of the alerts service's predictions table that drift reads.
            try await client.execute(
                """
                CREATE TABLE predictions (model_version text, isolation_forest float8, autoencoder float8,
                    risk_level text, is_anomaly boolean, scored_at timestamptz)
                """)
            try await client.execute(
                """
                INSERT INTO predictions
                SELECT 'v1', (i % 10) / 10.0 + 0.05, 0.95, CASE WHEN i % 4 = 0 THEN 'high' ELSE 'low' END, i % 8 = 0, now()
                FROM generate_series(0, 999) AS i
                """)
            try await client.execute(
                "INSERT INTO predictions VALUES ('v1', 0.5, 0.5, 'low', false, now() - interval '3 days')")
            let report = try await ScoreDrift.report(client: client, version: "v1", sinceSeconds: 86_400)
            #expect(report.predictions == 1000)
            #expect(report.isolationForestCounts == [Int](repeating: 100, count: 10))
            #expect(report.autoencoderCounts == [Int](repeating: 0, count: 9) + [1000])
            #expect(try #require(report.isolationForestPSI) < 0.000_001)
            #expect(try #require(report.autoencoderPSI) > 2)
            #expect(report.alertRate == 0.25)
            #expect(report.anomalyRate == 0.125)
        }
    }
}

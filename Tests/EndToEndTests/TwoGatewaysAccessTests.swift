import EmbeddedStores
import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Authentication across two real gateway processes sharing one PostgreSQL and one Redis: a key made with
/// `txad keys create` works on both, `txad keys revoke` is refused by both within 5 s, and a role's rate limit is one
/// bucket for the pair, not one per replica.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct TwoGatewaysAccessTests {
    @Test("keys and rate limits hold across two gateway processes")
    func keysAndLimitsAcrossReplicas() async throws {
        let model = try await TestModel.prepared()
        // scorer: burst 6, refilled at one request per 10 s — one bucket for both gateways, through Redis.
        let cluster = try await LocalCluster(
            modelDirectory: model.modelDirectory,
            environment: ["TXAD_AUTH": "on", "TXAD_RATE_LIMIT_SCORER": "0.1/6"])
        let secondPort = try Loopback.freePort()
        do {
            try await cluster.start()
            try cluster.startService("gateway", instance: "gateway-2", port: secondPort)
            let gateways = [cluster.gatewayURL, "http://127.0.0.1:\(secondPort)"]
            try await cluster.waitFor(gateways[1] + "/health", service: "gateway-2")

            let key = try await keys(["create", "--name", "e2e-scorer", "--role", "scorer", "--by", "e2e"], cluster)
            #expect(key.hasPrefix("txad_live_"))
            func predict(_ gateway: String, _ id: String) async throws -> Int {
                let body = #"{"transaction_id":"\#(id)","user_id":"u-ka","timestamp":"2024-05-01T12:00:00Z","amount":12.5}"#
                return try await HTTP.post(gateway + "/predict", body: Data(body.utf8), headers: ["X-API-Key": key]).1
            }
            // Both replicas accept the key; anonymous callers are refused.
            #expect(try await HTTP.post(gateways[1] + "/predict", body: Data("{}".utf8)).1 == 401)

            // One shared bucket: 12 requests alternating between the replicas get the burst (6, plus one refill if
            // they take over 10 s), not 12 (which two per-replica buckets of 6 would allow).
            var statuses: [Int] = []
            for i in 0..<12 { statuses.append(try await predict(gateways[i % 2], "ka-\(i)")) }
            let allowed = statuses.filter { $0 == 200 }.count
            #expect(statuses.allSatisfy { [200, 429].contains($0) }, "\(statuses)")
            #expect(allowed >= 6 && allowed <= 7, "shared bucket: \(statuses)")
            #expect(statuses.prefix(6).allSatisfy { $0 == 200 }, "both replicas accept the key: \(statuses)")

            // Revocation reaches both replicas within 5 s: every request a replica receives 5 s or more after
            // `txad keys revoke` returned is refused (a refused key is 401 whatever its bucket holds). Checked at the
            // deadline rather than by polling, so a slow machine cannot stretch the measured time.
            _ = try await keys(["revoke", "e2e-scorer"], cluster)
            let revokedAt = ContinuousClock.now
            try await Task.sleep(until: revokedAt + .seconds(5))
            for (i, gateway) in gateways.enumerated() {
                let status = try await predict(gateway, "kr-\(i)")
                #expect(status == 401, "replica \(i) answered \(status) to the key revoked 5 s before")
            }
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }

    /// Runs `txad keys …` against the cluster's database; returns its standard output.
    private func keys(_ arguments: [String], _ cluster: LocalCluster) async throws -> String {
        try await Command.txad(["keys"] + arguments + ["--database-url", cluster.postgres.url]).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

import Auth
import EmbeddedStores
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Stores
import Testing

@testable import GatewayService
@testable import Registry

/// The `/models` routes over real HTTP (Hummingbird's live test server) on a registry in a real PostgreSQL.
@Suite(.timeLimit(.minutes(5)))
struct ModelRoutesHTTPTests {
    static let logger = Logger(label: "test.gateway.models")

    /// An application with the model routes over `registry`, identified by `X-Analyst` as the gateway is today.
    static func application(_ registry: BundleRegistry?) -> some ApplicationProtocol {
        let router = Router(context: GatewayRequestContext.self)
        router.middlewares.add(RequestIDMiddleware())
        router.middlewares.add(DevelopmentIdentityMiddleware<GatewayRequestContext>())
        ModelRoutes(registry: registry, selfApprovalAllowed: false).register(on: GuardedRouter(router))
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    static func call(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, as principal: String,
        body: String? = nil
    ) async throws -> (status: Int, json: [String: Any]) {
        try await client.execute(
            uri: uri, method: method, headers: [.analyst: principal, .contentType: "application/json"],
            body: body.map { ByteBuffer(string: $0) }
        ) { response in
            let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
            return (Int(response.status.code), object ?? [:])
        }
    }

    @Test func lifecycleOverREST() async throws {
        let url = try await TestStores.postgresURL()
        let schema = "gw_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let admin = try PostgresClient(url: url, logger: Self.logger)
        try await admin.execute("CREATE SCHEMA \(schema)")
        let client = try PostgresClient(url: url + "?options=-csearch_path%3D\(schema)", logger: Self.logger)
        do {
            try await PostgresMigrator(client: client, migrations: RegistrySchema.migrations, logger: Self.logger)
                .migrate()
            let registry = BundleRegistry(client: client)
            // Stored archives that are not bundles: everything but loading works on them.
            for version in ["g1", "g2"] {
                try await registry.register(
                    version: version, manifestJSON: "{}", archive: Array("not a bundle".utf8), dataDigest: "d",
                    by: "alice", mlflowRunID: nil)
            }
            try await Self.application(registry).test(.live) { http in
                var reply = try await Self.call(http, .get, "/models", as: "erin")
                #expect(reply.status == 200)
                #expect((reply.json["versions"] as? [Any])?.count == 2)
                reply = try await Self.call(
                    http, .post, "/models/g1/promote", as: "erin", body: #"{"stage":"champion"}"#)
                #expect(reply.status == 409)
                #expect(reply.json["title"] as? String == "Approval required")
                reply = try await Self.call(http, .post, "/models/g1/approve", as: "alice")
                #expect(reply.status == 403)
                reply = try await Self.call(http, .post, "/models/g1/approve", as: "bob", body: "")
                #expect(reply.status == 200)
                #expect(reply.json["approved_by"] as? String == "bob")
                reply = try await Self.call(
                    http, .post, "/models/g1/approve", as: "alice", body: #"{"self_approve":true}"#)
                #expect(reply.status == 403)
                reply = try await Self.call(
                    http, .post, "/models/g1/promote", as: "erin", body: #"{"stage":"champion"}"#)
                #expect(reply.status == 200)
                #expect(reply.json["stage"] as? String == "champion")
                reply = try await Self.call(
                    http, .post, "/models/g2/promote", as: "erin", body: #"{"stage":"canary","canary_percent":10}"#)
                #expect(reply.json["canary_share"] as? Double == 0.1)
                reply = try await Self.call(http, .post, "/models/g2/promote", as: "erin", body: #"{"stage":"canary"}"#)
                #expect(reply.status == 422)
                _ = try await Self.call(http, .post, "/models/g2/approve", as: "bob")
                reply = try await Self.call(
                    http, .post, "/models/g2/promote", as: "erin", body: #"{"stage":"champion"}"#)
                #expect(reply.status == 200)
                // Rolling back to g1 checks its stored bundle first: it is not one, so nothing changes.
                reply = try await Self.call(http, .post, "/models/rollback", as: "erin")
                #expect(reply.status == 409)
                #expect(reply.json["title"] as? String == "Bundle refused")
                reply = try await Self.call(http, .get, "/models/g2", as: "erin")
                #expect(reply.json["stage"] as? String == "champion")
                let history = reply.json["history"] as? [[String: Any]] ?? []
                #expect(history.map { $0["by"] as? String ?? "" } == ["alice", "erin", "bob", "erin"])
                reply = try await Self.call(http, .get, "/models/nope", as: "erin")
                #expect(reply.status == 404)
            }
            try await Self.application(nil).test(.live) { http in
                let reply = try await Self.call(http, .get, "/models", as: "erin")
                #expect(reply.status == 503)
            }
        } catch {
            await client.shutdown()
            _ = try? await admin.execute("DROP SCHEMA \(schema) CASCADE")
            await admin.shutdown()
            throw error
        }
        await client.shutdown()
        try await admin.execute("DROP SCHEMA \(schema) CASCADE")
        await admin.shutdown()
    }
}

import Auth
import Foundation
import Hummingbird
import Testing
import Wire

@testable import GatewayService

/// Every review route is registered for role analyst and documented in openapi.json with its status codes.
@Suite struct ReviewRoutesDocumentationTests {
    private static func document() throws -> [String: Any] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Services/Gateway/Resources/openapi.json")
        let object = try JSONSerialization.jsonObject(with: try Data(contentsOf: url))
        return try #require(object as? [String: Any])
    }

    @Test func everyReviewRouteIsForAnalystsAndDocumented() async throws {
        let rpc = RPCClient(configuration: .init(targets: [.init(host: "127.0.0.1", port: 1)]))
        let guarded = GuardedRouter(Router(context: GatewayRequestContext.self))
        ReviewRoutes(reviews: ReviewsClient(wrapping: rpc), deadline: .seconds(1), bulkDeadline: .seconds(1))
            .register(on: guarded)
        await rpc.close()
        #expect(
            Set(guarded.declared.map(\.description)) == [
                "GET /alerts [analyst]", "GET /alerts/{alert_id} [analyst]", "GET /reviews [analyst]",
                "POST /reviews/next [analyst]", "POST /reviews/decisions [analyst]",
                "POST /reviews/{alert_id}/claim [analyst]", "POST /reviews/{alert_id}/decision [analyst]",
            ])
        let paths = try #require(try Self.document()["paths"] as? [String: [String: Any]])
        for route in guarded.declared {
            let operation = paths[route.path]?[route.method.rawValue.lowercased()] as? [String: Any]
            let responses = try #require(operation?["responses"] as? [String: Any], "\(route) is not documented")
            for status in ["200", "401", "403", "503"] {
                #expect(responses[status] != nil, "\(route) documents no \(status)")
            }
        }
        let decision = try #require(paths["/reviews/{alert_id}/decision"]?["post"] as? [String: Any])
        let codes = Set((decision["responses"] as? [String: Any] ?? [:]).keys)
        #expect(codes.isSuperset(of: ["400", "404", "409", "413", "415", "422"]))
    }
}

import EmbeddedStores
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import GatewayService

@Suite("Gateway over HTTPS")
struct GatewayHTTPSTests {
    @Test("with a certificate and key the gateway serves HTTPS, security headers included")
    func servesHTTPS() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gw-tls-\(UUID().uuidString)").path
        let ca = try LocalCertificateAuthority(directory: folder)
        let issued = try ca.issue("gateway")
        let harness = try await GatewayHarness.make(access: GatewayHarness.jwtAccess)
        let app = Application(
            router: harness.guarded.router,
            server: try GatewayHTTPS.server((issued.certificateFile, issued.privateKeyFile)),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.ahc(.https)) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
            }
        }
        await harness.close()
        try? FileManager.default.removeItem(atPath: folder)
    }

    @Test("unreadable certificate files are refused with the file named")
    func badFiles() {
        #expect(throws: GatewayTLSError.self) { _ = try GatewayHTTPS.server(("/nonexistent/c.pem", "/nonexistent/k.pem")) }
    }
}

import EmbeddedStores
import Foundation
import Testing

@testable import Wire

@Suite("Mutual TLS on frame connections")
struct MutualTLSTests {
    /// Two throwaway CAs: the cluster's and a stranger's.
    struct PKI {
        let cluster: LocalCertificateAuthority
        let stranger: LocalCertificateAuthority

        init() throws {
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("txad-pki-\(UUID().uuidString)").path
            cluster = try LocalCertificateAuthority(directory: root + "/cluster", name: "txad test cluster CA")
            stranger = try LocalCertificateAuthority(directory: root + "/stranger", name: "someone else's CA")
        }

        func tls(_ issued: LocalCertificateAuthority.Issued, trusting ca: LocalCertificateAuthority) -> WireTLSConfiguration {
            WireTLSConfiguration(
                certificateFile: issued.certificateFile, privateKeyFile: issued.privateKeyFile,
                trustedCAFile: ca.certificateFile)
        }
    }

    static func client(port: Int, tls: WireTLSConfiguration?) -> RPCClient {
        RPCClient(
            configuration: .init(
                targets: [.init(host: "127.0.0.1", port: port)], connectionsPerTarget: 1,
                defaultDeadline: .seconds(5), backoff: Backoff(initial: .milliseconds(50), maximum: .milliseconds(200)),
                maximumAttempts: 1, tls: tls),
            logger: .quiet)
    }

    @Test("a client with a certificate from the cluster CA is served; plain and wrong-CA clients are refused")
    func acceptanceAndRefusal() async throws {
        let pki = try PKI()
        let serverTLS = pki.tls(try pki.cluster.issue("inference"), trusting: pki.cluster)
        try await withServer(services: [], configuration: RPCServer.Configuration(tls: serverTLS)) { _, port in
            let good = Self.client(port: port, tls: pki.tls(try pki.cluster.issue("gateway"), trusting: pki.cluster))
            #expect(try await HealthClient(wrapping: good).check().status == .serving)
            await good.close()

            let plain = Self.client(port: port, tls: nil)
            await #expect(throws: RPCError.self) { try await HealthClient(wrapping: plain).check() }
            await plain.close()

            // A certificate signed by another CA (the client even trusts the right CA): refused by the server.
            let intruder = Self.client(port: port, tls: pki.tls(try pki.stranger.issue("intruder"), trusting: pki.cluster))
            await #expect(throws: RPCError.self) { try await HealthClient(wrapping: intruder).check() }
            await intruder.close()

            // A client that trusts only another CA refuses this server.
            let suspicious = Self.client(
                port: port, tls: pki.tls(try pki.cluster.issue("gateway"), trusting: pki.stranger))
            await #expect(throws: RPCError.self) { try await HealthClient(wrapping: suspicious).check() }
            await suspicious.close()
        }
    }

    @Test("a TLS client talking to a plain server fails instead of hanging")
    func tlsClientPlainServer() async throws {
        let pki = try PKI()
        try await withServer(services: []) { _, port in
            let client = Self.client(port: port, tls: pki.tls(try pki.cluster.issue("gateway"), trusting: pki.cluster))
            await #expect(throws: RPCError.self) { try await HealthClient(wrapping: client).check() }
            await client.close()
        }
    }

    @Test("unreadable certificate files are refused at listen with the file named")
    func badFiles() async throws {
        let server = RPCServer(
            configuration: .init(
                tls: WireTLSConfiguration(
                    certificateFile: "/nonexistent/cert.pem", privateKeyFile: "/nonexistent/key.pem",
                    trustedCAFile: "/nonexistent/ca.pem")),
            services: [], logger: .quiet)
        let error = await #expect(throws: RPCError.self) { try await server.listen() }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("/nonexistent/cert.pem") == true)
    }
}

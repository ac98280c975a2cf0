import Foundation
import TestSupport
import Testing

/// `txad up` as a newcomer runs it (issue: operations): from a folder only its owner can enter, supervised, with
/// authentication on; and `txad up --tls` (issue: security).
@Suite(.serialized, .timeLimit(.minutes(10)))
struct UpCommandTests {
    @Test func runsFromAPrivateFolderRestartsAKilledServiceAndStopsCleanlyOnInterrupt() async throws {
        let model = try await TestModel.prepared()
        let up = try UpProcess(modelDirectory: model.modelDirectory)
        defer { up.cleanUp() }
        let root = up.root
        let gatewayPort = up.gatewayPort

        try await up.wait(for: "txad is up.")
        if geteuid() == 0 {
            let line = try #require(up.output().split(separator: "\n").first { $0.contains("PostgreSQL: started") })
            #expect(!line.contains(root), "PostgreSQL data should have moved out of the private folder: \(line)")
            #expect(up.output().contains("cannot enter"))
        }
        let (_, healthy) = try await HTTP.get("http://127.0.0.1:\(gatewayPort)/health")
        #expect(healthy == 200)

        // The admin key printed once is saved (0600) and is the only way in.
        let key = try up.adminKey()
        #expect(up.output().contains(key), "the new admin key is shown once")
        let mode = try FileManager.default.attributesOfItem(atPath: root + "/state/admin-key")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let anonymous = #"{"transaction_id":"up-0","user_id":"u1","timestamp":"2024-05-01T12:00:00Z","amount":12.5}"#
        #expect(try await HTTP.post("http://127.0.0.1:\(gatewayPort)/predict", body: Data(anonymous.utf8)).1 == 401)

        // A crashed service is restarted and the cluster serves again.
        let inference = try #require(UpProcess.pid(ofProcessWithArguments: "--port \(up.basePort + 1) "))
        Foundation.kill(inference, SIGKILL)
        try await up.wait(for: "txad-inference: restarted (restart 1)", timeout: .seconds(60))
        try await up.wait(for: "txad-inference: ready", timeout: .seconds(60))
        // The gateway reconnects to the new process with backoff: scoring works again within seconds.
        var scored = 0
        for attempt in 1...60 where scored != 200 {
            let transaction =
                #"{"transaction_id":"up-\#(attempt)","user_id":"u1","timestamp":"2024-05-01T12:00:00Z","amount":12.5}"#
            scored = try await HTTP.post(
                "http://127.0.0.1:\(gatewayPort)/predict", body: Data(transaction.utf8), headers: ["X-API-Key": key]
            ).1
            if scored != 200 { try await Task.sleep(for: .milliseconds(500)) }
        }
        #expect(scored == 200)

        // Ctrl-C stops everything and exits 0; no service is left behind.
        let status = try await up.interrupt()
        #expect(status == 0, "\(up.output())")
        #expect(up.output().contains("txad up: restarts — txad-inference 1"))
        #expect(UpProcess.pid(ofProcessWithArguments: "--port \(up.basePort + 1) ") == nil)
        #expect(UpProcess.pid(ofProcessWithArguments: "--port \(gatewayPort) ") == nil)
    }

    @Test func tlsEverywhere() async throws {
        let model = try await TestModel.prepared()
        let up = try UpProcess(modelDirectory: model.modelDirectory, arguments: ["--tls"])
        defer { up.cleanUp() }
        try await up.wait(for: "txad is up.")
        let ca = up.root + "/state/tls/ca.pem"
        let gateway = "https://127.0.0.1:\(up.gatewayPort)"
        #expect(up.output().contains(gateway + "/"))
        #expect(up.output().contains("--cacert"))
        // HTTPS with the local CA; scoring crosses every internal connection, all mutual TLS.
        let key = try up.adminKey()
        let body = #"{"transaction_id":"tls-1","user_id":"u1","timestamp":"2024-05-01T12:00:00Z","amount":12.5}"#
        let scored = try await Self.curl([
            "--cacert", ca, "-H", "X-API-Key: \(key)", "-H", "Content-Type: application/json", "-d", body,
            gateway + "/predict",
        ])
        #expect(scored.status == "200", "\(scored)")
        #expect(scored.body.contains("\"risk_level\""))
        // HTTP/2 by ALPN.
        let version = try await Command.run(
            "/usr/bin/curl", ["-s", "-m", "5", "-o", "/dev/null", "-w", "%{http_version}", "--cacert", ca, "--http2",
            gateway + "/health"]).output
        #expect(version == "2")
        // Without the CA the certificate is not trusted; plain HTTP gets no answer.
        #expect(try await Self.curl([gateway + "/health"]).exit != 0)
        #expect(try await Self.curl(["http://127.0.0.1:\(up.gatewayPort)/health"]).status != "200")
        // Every internal connection is mutual TLS (refusals of other peers: WireTests.MutualTLSTests).
        let gatewayLog = try String(contentsOfFile: up.root + "/state/logs/txad-gateway.log", encoding: .utf8)
        #expect(gatewayLog.contains("mutual (CA"), "gateway configuration: \(gatewayLog.prefix(2000))")
        let status = try await up.interrupt()
        #expect(status == 0, "\(up.output())")
    }

    /// `curl -s` with a 5 s limit: exit code, HTTP status (`-w`), body.
    private static func curl(_ arguments: [String]) async throws -> (exit: Int32, status: String, body: String) {
        let marker = "\n--status:"
        let result = try await Command.run("/usr/bin/curl", ["-s", "-m", "5", "-w", marker + "%{http_code}"] + arguments)
        let parts = result.output.components(separatedBy: marker)
        let status = parts.count > 1 ? String(parts[1].prefix(3)) : ""
        let rest = parts.count > 1 ? String(parts[1].dropFirst(3)) : ""
        return (result.status, status, parts[0] + rest)
    }
}

import EmbeddedStores
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A real `mlflow server` (pinned in `.ci/requirements/mlflow.txt`) on a free loopback port, with a SQLite backend
/// and proxied artifacts in a temporary directory; stopped with its whole process group (it forks workers).
final class MLflowServer: @unchecked Sendable {
    // @unchecked: `process` is set once in init and only read afterwards.
    let url: String
    let root: String
    private let process: Process

    /// The venv's bin directory from `.ci/python-venv mlflow` (built on first use, cached outside the clone), or
    /// why it could not be built.
    static let venv: Result<String, ServerError> = {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: repo + "/.ci/python-venv")
        process.arguments = ["mlflow"]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do {
            try process.run()
        } catch {
            return .failure(ServerError("cannot run .ci/python-venv mlflow: \(error)"))
        }
        let bin = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let path = bin.trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, FileManager.default.isExecutableFile(atPath: path + "/mlflow") else {
            return .failure(ServerError(".ci/python-venv mlflow failed (pip unreachable?):\n\(log)"))
        }
        return .success(path)
    }()

    /// True when the pinned venv exists (the tests need it; `make test` builds it first).
    static var available: Bool {
        if case .failure(let error) = venv {
            print("TrackingTests: skipped, the mlflow venv could not be built: \(error.message)")
            return false
        }
        return true
    }

    /// Starts a server and waits until `/health` answers (it takes 10–20 s offline).
    init() async throws {
        let bin = try Self.venv.get()
        root = NSTemporaryDirectory() + "txad-mlflow-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root + "/artifacts", withIntermediateDirectories: true)
        let port = try Loopback.freePort()
        url = "http://127.0.0.1:\(port)"
        process = Process()
        // A session of its own (setsid, unless already a group leader), so stop() can signal every worker.
        process.executableURL = URL(fileURLWithPath: bin + "/python")
        process.arguments = [
            // The test process blocks SIGTERM in its threads and children inherit the mask: unblock it, or the
            // server never hears stop().
            "-c",
            "import os, signal, sys\nsignal.pthread_sigmask(signal.SIG_SETMASK, [])\ntry:\n    os.setsid()\n"
                + "except OSError:\n    pass\nos.execv(sys.argv[1], sys.argv[1:])",
            bin + "/mlflow", "server", "--backend-store-uri", "sqlite:///\(root)/mlflow.db", "--artifacts-destination",
            root + "/artifacts", "--host", "127.0.0.1", "--port", String(port), "--workers", "1",
        ]
        _ = FileManager.default.createFile(atPath: root + "/server.log", contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: root + "/server.log"))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        for _ in 0..<600 {
            if let request = URL(string: url + "/health"),
                let (_, response) = try? await URLSession.shared.data(from: request),
                (response as? HTTPURLResponse)?.statusCode == 200
            {
                return
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let text = (try? String(contentsOfFile: root + "/server.log", encoding: .utf8)) ?? ""
        stop()
        throw ServerError("mlflow server did not become healthy at \(url):\n\(text.suffix(2000))")
    }

    /// Stops the server's process group and removes its files.
    func stop() {
        let pid = process.processIdentifier
        if pid > 0 {
            // The server is its process group's leader (a session of its own, or Foundation's own group).
            kill(-pid, SIGTERM)
            for _ in 0..<150 where process.isRunning { usleep(100_000) }
            // Whatever did not stop in 15 s (and workers left behind) is killed.
            kill(-pid, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: root)
    }
}

struct ServerError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

import AsyncHTTPClient
import Detection
import Foundation
import Tracking

/// `txad train`'s MLflow step: logs the run when a tracking URI is given, and never fails the training for it.
enum TrainingTracker {
    /// Logs the bundle to MLflow at `uri` (else `MLFLOW_TRACKING_URI`); returns the run id, or nil when no server
    /// is configured or it failed (then a warning says so and training is still done).
    static func track(uri: String?, experiment: String?, bundleDirectory: String, manifest: BundleManifest) async
        -> String?
    {
        let environment = ProcessInfo.processInfo.environment
        guard let uri = uri ?? environment["MLFLOW_TRACKING_URI"], !uri.isEmpty else { return nil }
        let name = experiment ?? environment["MLFLOW_EXPERIMENT_NAME"] ?? "txad"
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let runID = await log(uri: uri, experiment: name, bundleDirectory: bundleDirectory, manifest: manifest, http: http)
        try? await http.shutdown()
        return runID
    }

    private static func log(
        uri: String, experiment name: String, bundleDirectory: String, manifest: BundleManifest, http: HTTPClient
    ) async -> String? {
        let environment = ProcessInfo.processInfo.environment
        do {
            let client = try MLflowClient(trackingURI: uri, http: http)
            let run = try await TrainingTracking.log(
                bundleDirectory: bundleDirectory, manifest: manifest, client: client, experiment: name,
                txadVersion: environment["TXAD_VERSION"] ?? "dev")
            print("MLflow: run \(run.runID) in experiment '\(name)' at \(uri) (params, metrics, bundle artifacts)")
            return run.runID
        } catch {
            FileHandle.standardError.write(
                Data("warning: MLflow tracking failed, the bundle is trained but not logged: \(error.message)\n".utf8))
            return nil
        }
    }
}

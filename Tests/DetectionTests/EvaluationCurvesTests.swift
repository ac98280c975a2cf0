import Foundation
import Testing

@testable import Detection

/// The manifest keeps thinned evaluation curves for the dashboard, and reads manifests written before it did.
@Suite struct EvaluationCurvesTests {
    @Test func trainingWithAHoldoutStoresThinnedCurvesPerModel() throws {
        let manifest = BundleFixtures.outcome.bundle.manifest
        let curves = try #require(manifest.evaluationCurves)
        #expect(Set(curves.keys) == Set(try #require(manifest.evaluation).keys))
        let ensemble = try #require(curves["ensemble"])
        #expect((2...EvaluationCurves.maximumPoints).contains(ensemble.roc.count))
        #expect((1...EvaluationCurves.maximumPoints).contains(ensemble.precisionRecall.count))
        #expect(ensemble.roc.first == [0, 0])
        #expect(ensemble.roc.last == [1, 1])
        #expect(ensemble.rocPoints.count == ensemble.roc.count)
        #expect(ensemble.histogram.normal.reduce(0, +) + ensemble.histogram.anomaly.reduce(0, +) > 0)
        #expect(ensemble.threshold == manifest.ensemble.anomalyThreshold)
    }

    @Test func curvesSurviveJSONAndOldManifestsStillDecode() throws {
        let manifest = BundleFixtures.outcome.bundle.manifest
        let data = try JSONEncoder().encode(manifest)
        let decoded = try JSONDecoder().decode(BundleManifest.self, from: data)
        #expect(decoded.evaluationCurves == manifest.evaluationCurves)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"evaluation_curves\""))
        // A manifest written before the curves were stored: the key is absent (here: renamed, so ignored).
        let older = text.replacingOccurrences(of: "\"evaluation_curves\"", with: "\"x_unknown\"")
        let old = try JSONDecoder().decode(BundleManifest.self, from: Data(older.utf8))
        #expect(old.evaluationCurves == nil)
        #expect(old.evaluation == manifest.evaluation)
    }
}

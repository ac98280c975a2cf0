import Domain
import Foundation
import Testing

@testable import Detection

@Suite struct EnsembleCalibrationTests {
    static func fitted(weights: EnsembleCalibration.Weights = .init(), contamination: Double = 0.05) throws
        -> (EnsembleCalibration, [Float], [Float])
    {
        var rng = Xoshiro256StarStar(seed: 1)
        let forest = (0..<20_000).map { _ in Float(0.4 + 0.05 * rng.nextGaussian()) }
        let network = (0..<20_000).map { _ in Float(exp(rng.nextGaussian())) }
        let calibration = try EnsembleCalibration(
            isolationForestScores: forest, autoencoderScores: network, weights: weights, contamination: contamination)
        return (calibration, forest, network)
    }

    @Test func flagsTheContaminationShareOfTrainingRows() throws {
        let (calibration, forest, network) = try Self.fitted()
        let flagged = zip(forest, network).filter {
            calibration.calibrate(isolationForest: $0.0, autoencoder: $0.1).ensemble >= calibration.anomalyThreshold
        }.count
        #expect(abs(Double(flagged) / 20_000 - 0.05) < 0.003)
    }

    @Test func calibratedScoresAreMonotoneAndInTheUnitInterval() throws {
        let (calibration, _, _) = try Self.fitted()
        var previous = -1.0
        for step in 0...2000 {
            let raw = Float(step) / 1000
            let c = calibration.calibrate(isolationForest: raw, autoencoder: raw * 10)
            #expect((0...1).contains(c.isolationForest) && (0...1).contains(c.autoencoder) && (0...1).contains(c.ensemble))
            #expect(c.ensemble >= previous)
            previous = c.ensemble
        }
    }

    @Test func riskLevelsFollowTheirPercentilesAndNeverOverlap() throws {
        let (calibration, forest, network) = try Self.fitted()
        let risk = calibration.risk
        #expect(risk.medium == calibration.anomalyThreshold)
        #expect(risk.medium <= risk.high && risk.high <= risk.critical)
        var counts: [RiskLevel: Int] = [:]
        for (a, b) in zip(forest, network) {
            counts[risk.level(calibration.calibrate(isolationForest: a, autoencoder: b).ensemble), default: 0] += 1
        }
        #expect(abs(Double(counts[.critical] ?? 0) / 20_000 - 0.005) < 0.002)
        #expect(abs(Double((counts[.critical] ?? 0) + (counts[.high] ?? 0)) / 20_000 - 0.02) < 0.003)
        // Contamination 1 % puts medium above the 98th percentile: high then starts where medium does.
        let (strict, _, _) = try Self.fitted(contamination: 0.01)
        #expect(strict.risk.high == strict.risk.medium)
        #expect(strict.risk.level(strict.anomalyThreshold) == .high)
    }

    @Test func weightsAreNormalisedAndValidated() throws {
        let (calibration, _, _) = try Self.fitted(weights: .init(isolationForest: 3, autoencoder: 1))
        #expect(calibration.weights.isolationForest == 0.75)
        #expect(calibration.weights.autoencoder == 0.25)
        #expect(throws: DetectionError.self) { try Self.fitted(weights: .init(isolationForest: 0, autoencoder: 0)) }
        #expect(throws: DetectionError.self) { try Self.fitted(weights: .init(isolationForest: -1, autoencoder: 1)) }
        #expect(throws: DetectionError.self) { try Self.fitted(contamination: 0) }
    }
}

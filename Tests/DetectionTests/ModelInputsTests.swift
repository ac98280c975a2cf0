import Foundation
import Testing

@testable import Detection

@Suite struct TailSurpriseTests {
    @Test func surpriseIsMinusLogSurvivalAtTheKnots() throws {
        // 10,000 distinct values 0…9999: P(X ≥ 9900) = 1 %, so the surprise there is ln 100.
        let table = try TailSurprise(fitting: (0..<10_000).map { Float($0) }.shuffled(), direction: 1)
        #expect(table.knots.count == 4 * TailSurprise.knotsPerDecade + 1)
        #expect(table.surprise(-5) == 0)
        #expect(table.surprise(0) == 0)
        #expect(abs(table.surprise(9900) - Float(log(100.0))) < 1e-4)
        #expect(abs(table.surprise(5000) - Float(log(2.0))) < 0.05)
    }

    @Test func isMonotoneAndKeepsOrderAboveTheTrainingMaximumWithinABound() throws {
        var rng = Xoshiro256StarStar(seed: 5)
        let values = (0..<20_000).map { _ in Float(rng.nextGaussian()) }
        let table = try TailSurprise(fitting: values, direction: 1)
        var previous: Float = 0
        var x: Float = -6
        while x < 40 {
            let s = table.surprise(x)
            #expect(s >= previous)
            previous = s
            x += 0.01
        }
        let top = table.knots.last ?? 0
        #expect(table.surprise(top + 1) > table.surprise(top))
        let cap = Float(table.knots.count - 1 + 4 * TailSurprise.knotsPerDecade) * Float(log(10.0)) / 16
        #expect(abs(table.surprise(1e6) - cap) < 1e-3)
    }

    @Test func aRareFlagGetsTheSurpriseOfItsShare() throws {
        // A flag set on 0.1 % of rows: 1 is as surprising as its share, 0 not at all.
        let values = (0..<100_000).map { $0 % 1000 == 0 ? Float(1) : 0 }
        let table = try TailSurprise(fitting: values, direction: 1)
        #expect(table.surprise(0) == 0)
        #expect(abs(table.surprise(1) - Float(log(1000.0))) < 0.15)
    }

    @Test func lowValuesAreRiskyWithDirectionMinusOne() throws {
        let table = try TailSurprise(fitting: (0..<1000).map { Float($0) }, direction: -1)
        #expect(table.surprise(999) == 0)
        #expect(table.surprise(5) > table.surprise(500))
        #expect(table.surprise(-100) > table.surprise(0))
    }

    @Test func refusesBadInputAndBadStoredTables() {
        #expect(throws: DetectionError.self) { try TailSurprise(fitting: [], direction: 1) }
        #expect(throws: DetectionError.self) { try TailSurprise(fitting: [1, .nan], direction: 1) }
        #expect(throws: DetectionError.self) { try TailSurprise(fitting: [1, 2], direction: 2) }
        #expect(throws: DetectionError.self) { try TailSurprise(direction: 1, knots: [2, 1]) }
        #expect(throws: DetectionError.self) { try TailSurprise(direction: 1, knots: []) }
        #expect(throws: DetectionError.self) { try TailSurprise(direction: 0, knots: [1]) }
    }
}

@Suite struct ModelInputsTests {
    @Test func everySchemaColumnHasARoleAndTheRiskSignalsAreTails() {
        let roles = FeatureSchema.current.inputRoles
        #expect(roles.count == FeatureSchema.current.count)
        let schema = FeatureSchema.current
        #expect(roles[schema.index(of: "amount_z_user") ?? -1] == .riskHigh)
        #expect(roles[schema.index(of: "log_seconds_since_last") ?? -1] == .riskLow)
        #expect(roles[schema.index(of: "channel_online") ?? -1] == .context)
        #expect(roles[schema.index(of: "history_log_count") ?? -1] == .ignored)
    }

    @Test func transformsEachColumnByItsRoleAndRoundTripsThroughJSON() throws {
        var rng = Xoshiro256StarStar(seed: 9)
        let rows = 2000
        var values: [Float] = []
        for _ in 0..<rows { values += [Float(rng.nextGaussian()), Float(rng.nextGaussian()), 3, 4] }
        let matrix = FeatureMatrix(columns: 4, values: values)
        let inputs = try ModelInputs.fit(matrix, roles: [.riskHigh, .riskLow, .context, .ignored])
        var transformed = matrix
        try inputs.transform(&transformed)
        for r in 0..<rows {
            #expect(transformed[r, 0] >= 0)
            #expect(transformed[r, 1] >= 0)
            #expect(transformed[r, 2] == 3)
            #expect(transformed[r, 3] == 0)
        }
        let decoded = try JSONDecoder().decode(ModelInputs.self, from: JSONEncoder().encode(inputs))
        #expect(decoded == inputs)
        var wrongWidth = FeatureMatrix(columns: 3, values: [1, 2, 3])
        #expect(throws: DetectionError.self) { try inputs.transform(&wrongWidth) }
    }

    @Test func refusesAnUnknownColumnUse() {
        let json = Data(#"[{"use":"standardised"},{"use":"squared"}]"#.utf8)
        #expect(throws: (any Error).self) { try JSONDecoder().decode(ModelInputs.self, from: json) }
    }
}

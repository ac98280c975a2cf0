import Foundation
import Testing

@testable import Detection

@Suite struct StandardScalerTests {
    let matrix = FeatureMatrix(columns: 3, values: [1, 5, 10, 3, 5, 20, 5, 5, 30])

    @Test func fitsMeansAndPopulationScales() throws {
        let scaler = try StandardScaler.fit(matrix)
        #expect(scaler.means == [3, 5, 20])
        #expect(abs(scaler.scales[0] - (8.0 / 3).squareRoot()) < 1e-12)
        #expect(scaler.scales[1] == 1)  // constant column: no division by zero
        var m = matrix
        try scaler.transform(&m)
        #expect(m.values.allSatisfy { $0.isFinite })
        #expect((0..<3).map { m[$0, 1] } == [0, 0, 0])
        #expect(abs((0..<3).map { Double(m[$0, 0]) }.reduce(0, +)) < 1e-6)
        var row: [Float] = [1, 5, 10]
        try scaler.transform(row: &row)
        #expect(row == Array(m[row: 0]))
    }

    @Test func codableAndMismatches() throws {
        let scaler = try StandardScaler.fit(matrix)
        let decoded = try JSONDecoder().decode(StandardScaler.self, from: JSONEncoder().encode(scaler))
        #expect(decoded == scaler)
        var wide = FeatureMatrix(columns: 4, values: [1, 2, 3, 4])
        #expect(throws: DetectionError.self) { try scaler.transform(&wide) }
        #expect(throws: DetectionError.self) { _ = try StandardScaler.fit(FeatureMatrix(columns: 2)) }
        #expect(throws: DetectionError.self) { _ = try StandardScaler(means: [0], scales: [0]) }
        let bad = Data(#"{"means":[0,1],"scales":[1]}"#.utf8)
        #expect(throws: DetectionError.self) { _ = try JSONDecoder().decode(StandardScaler.self, from: bad) }
    }
}

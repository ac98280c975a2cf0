import Foundation
import TestSupport
import Testing

/// `txad bench reload` and `txad bench shadow` run end to end on a tiny setup (few promotions, seconds of load):
/// they start their own stack, switch versions across replicas and print their rows. Figures are not asserted
/// (speed is measured in benchmarks, on release builds), only that each mode measured what it names.
@Suite(.serialized, .timeLimit(.minutes(15)))
struct LifecycleBenchTests {
    /// Runs `txad ARGUMENTS`; its standard output, or an error with standard error when it fails.
    private func txad(_ arguments: [String]) async throws -> String {
        try await Command.txad(arguments).output
    }

    /// The numbers in the table row after `header`.
    private func row(after header: String, in output: String) throws -> [Double] {
        let lines = output.split(separator: "\n").map(String.init)
        let index = try #require(lines.firstIndex { $0.hasPrefix(header) }, "no \(header) in:\n\(output)")
        try #require(lines.count > index + 2, "\(output)")
        return lines[index + 2].split(separator: "|").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    }

    @Test func reloadBenchPromotesAcrossTwoReplicas() async throws {
        let model = try await TestModel.prepared()
        let output = try await txad([
            "bench", "reload", "--model", model.modelDirectory, "--promotions", "4", "--replicas", "2",
        ])
        let values = try row(after: "| promotions | replicas |", in: output)
        try #require(values.count == 6, "\(output)")
        #expect(values[0] == 4 && values[1] == 2)
        #expect(values[2...].allSatisfy { $0 > 0 }, "p50, p99, max, first switch: \(values)")
        #expect(values[2] <= values[3] && values[3] <= values[4], "p50 ≤ p99 ≤ max")
    }

    @Test func shadowBenchMeasuresWithAndWithoutAShadow() async throws {
        let model = try await TestModel.prepared()
        let json = NSTemporaryDirectory() + "txad-shadow-bench-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: json) }
        let output = try await txad([
            "bench", "shadow", "--model", model.modelDirectory, "--duration", "3", "--rounds", "1", "--connections",
            "4",
            "--threads", "1", "--traffic-rows", "2000", "--json", json,
        ])
        #expect(output.contains("no shadow, round 1") && output.contains("shadow bench-shadow-"), "\(output)")
        let result = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        let runs = try #require(result["runs"] as? [[String: Any]])
        #expect(runs.count == 2)
        #expect(runs.map { $0["shadow"] as? Bool } == [false, true])
        #expect(runs.allSatisfy { ($0["requests"] as? Int ?? 0) > 0 && ($0["non_2xx"] as? Int) == 0 }, "\(runs)")
        #expect((result["mean_rps_without_shadow"] as? Double ?? 0) > 0)
        #expect((result["mean_rps_with_shadow"] as? Double ?? 0) > 0)
        // The shadow really scored: its scores were recorded (or, when it fell behind, dropped and counted).
        let recorded = result["shadow_recorded"] as? Int ?? 0
        let dropped = result["shadow_dropped"] as? Int ?? 0
        #expect(recorded > 0, "recorded \(recorded), dropped \(dropped)")
    }
}

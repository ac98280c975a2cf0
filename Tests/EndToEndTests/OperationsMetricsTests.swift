import Foundation
import HTTPSink
import Testing

/// The Grafana dashboards and Prometheus rules under `compose/` only name metrics the running services expose
/// (issue 14): a cluster serves some traffic, every `/metrics` is read, and each metric name a dashboard query or an
/// alert rule uses must be among them — or listed in `compose/grafana/pending-metrics.txt` with the issue adding it.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct OperationsMetricsTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func dashboardsAndRulesUseOnlyExposedOrPendingMetrics() async throws {
        let model = try await TestModel.prepared()
        // With channels (pointed at a local sink), so the alerts service exposes its notification counters too.
        let sink = try await HTTPSink.start()
        defer { Task { try? await sink.stop() } }
        let folder = NSTemporaryDirectory() + "txad-metrics-routing-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cluster = try await LocalCluster(
            modelDirectory: model.modelDirectory,
            environment: try RoutingSmokeTests.routingEnvironment(root: folder, sink: sink.url("")))
        do {
            // Alerts notify a webhook so the outbox and delivery metrics exist: the gateway itself is the peer (a
            // real HTTP server answering 404, so every delivery is dead-lettered, which is a delivery outcome too).
            let routing = cluster.root + "/routing.yaml"
            try """
            channels:
              probe: {type: webhook, url: "\(cluster.gatewayURL)/notification-probe", secret_env: TXAD_PROBE_SECRET}
            routes:
              medium: [probe]
              high: [probe]
              critical: [probe]
            """.write(toFile: routing, atomically: true, encoding: .utf8)
            cluster.serviceEnvironment["alerts"] = ["TXAD_ROUTING_FILE": routing, "TXAD_PROBE_SECRET": "probe-secret"]
            try await cluster.start()
            let exposed = try await exposedNames(cluster, model: model)
            try check(exposed: exposed)
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }

    /// Serves a batch and a few single predictions, then collects every sample name of the four `/metrics`.
    private func exposedNames(_ cluster: LocalCluster, model: TestModel.Prepared) async throws -> Set<String> {
        let transactions = model.rows.prefix(50).map(\.transaction)
        let body = try JSONSerialization.data(withJSONObject: transactions.map(\.json))
        let (_, status) = try await HTTP.post(cluster.gatewayURL + "/predict/batch", body: body)
        #expect(status == 200)
        for row in model.rows[50..<55] {
            let (_, single) = try await HTTP.post(cluster.gatewayURL + "/predict", body: row.transaction.jsonData)
            #expect(single == 200)
        }
        // Anomalies become alerts, alerts become deliveries: wait for the dispatcher's first attempts.
        let anomalies = model.rows.dropFirst(55).filter { $0.label?.isAnomaly == true }.prefix(30).map(\.transaction)
        let (_, anomalous) = try await HTTP.post(
            cluster.gatewayURL + "/predict/batch", body: try JSONSerialization.data(withJSONObject: anomalies.map(\.json)))
        #expect(anomalous == 200)
        let alertsMetrics = "http://127.0.0.1:\(cluster.ports["alerts"]!.admin)/metrics"
        for _ in 0..<120 {
            let (data, _) = try await HTTP.get(alertsMetrics)
            if String(decoding: data, as: UTF8.self).contains("txad_notification_deliveries_total{") { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        var urls = [cluster.gatewayURL + "/metrics"]
        for name in ["preprocessing", "inference", "alerts"] {
            urls.append("http://127.0.0.1:\(cluster.ports[name]!.admin)/metrics")
        }
        var names = Set<String>()
        for url in urls {
            let (data, status) = try await HTTP.get(url)
            #expect(status == 200, "GET \(url)")
            let text = String(decoding: data, as: UTF8.self)
            let own = MetricNames.exposed(in: text)
            #expect(own.contains("process_resident_memory_bytes"), "\(url) lacks the process metrics")
            names.formUnion(own)
        }
        return names
    }

    private func check(exposed: Set<String>) throws {
        let pendingText = try String(
            contentsOf: Self.repository.appendingPathComponent("compose/grafana/pending-metrics.txt"), encoding: .utf8)
        let pending = MetricNames.pending(in: pendingText)
        #expect(!pending.isEmpty)
        for name in pending.sorted() where exposed.contains(name) {
            Issue.record("\(name) is exposed now: remove it from compose/grafana/pending-metrics.txt")
        }
        // Names recorded by the rules (`job:txad_http_requests:rate5m`) are series Prometheus makes itself.
        let rulesText = try String(
            contentsOf: Self.repository.appendingPathComponent("compose/prometheus/rules/txad.rules.yml"), encoding: .utf8)
        let recorded = MetricNames.recorded(in: rulesText)
        let known = exposed.union(pending).union(recorded)

        let dashboards = Self.repository.appendingPathComponent("compose/grafana/dashboards")
        let files = try FileManager.default.contentsOfDirectory(atPath: dashboards.path).filter { $0.hasSuffix(".json") }
        #expect(!files.isEmpty)
        for file in files {
            let data = try Data(contentsOf: dashboards.appendingPathComponent(file))
            let object = try JSONSerialization.jsonObject(with: data)
            let dashboard = try #require(object as? [String: Any], "\(file) is not a JSON object")
            #expect(dashboard["uid"] is String, "\(file) has no uid")
            let expressions = MetricNames.expressions(in: dashboard)
            #expect(expressions.count >= 10, "\(file): \(expressions.count) queries")
            for expression in expressions {
                for name in MetricNames.used(in: expression) where !known.contains(name) {
                    Issue.record("\(file): \(name) (in `\(expression)`) is neither exposed nor pending")
                }
            }
        }
        for expression in MetricNames.ruleExpressions(in: rulesText) {
            for name in MetricNames.used(in: expression) where !known.contains(name) {
                Issue.record("txad.rules.yml: \(name) (in `\(expression)`) is neither exposed nor pending")
            }
        }
    }
}

/// Metric names in Prometheus expositions, PromQL expressions, dashboards and rule files.
enum MetricNames {
    /// Sample names of a text exposition (`name{labels} value` and `name value` lines).
    static func exposed(in exposition: String) -> Set<String> {
        var names = Set<String>()
        for line in exposition.split(separator: "\n") where !line.hasPrefix("#") {
            let name = line.prefix { $0 != "{" && $0 != " " }
            if !name.isEmpty { names.insert(String(name)) }
        }
        return names
    }

    /// First column of the non-comment lines of pending-metrics.txt.
    static func pending(in text: String) -> Set<String> {
        Set(
            text.split(separator: "\n").compactMap { line -> String? in
                guard !line.hasPrefix("#"), let first = line.split(separator: " ").first else { return nil }
                return String(first)
            })
    }

    /// Names defined by `record:` lines.
    static func recorded(in rules: String) -> Set<String> {
        Set(
            rules.split(separator: "\n").compactMap { line -> String? in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                guard trimmed.hasPrefix("- record:") else { return nil }
                return trimmed.dropFirst("- record:".count).trimmingCharacters(in: .whitespaces)
            })
    }

    /// The `expr:` of every rule, block scalars (`expr: |`) joined into one line.
    static func ruleExpressions(in rules: String) -> [String] {
        var expressions: [String] = []
        let lines = rules.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var index = 0
        while index < lines.count {
            let line = lines[index]
            index += 1
            guard let range = line.range(of: "expr:") else { continue }
            let rest = line[range.upperBound...].trimmingCharacters(in: .whitespaces)
            if rest != "|" {
                expressions.append(rest)
                continue
            }
            let indent = line.prefix { $0 == " " }.count
            var block: [String] = []
            while index < lines.count, lines[index].prefix(while: { $0 == " " }).count > indent {
                block.append(lines[index].trimmingCharacters(in: .whitespaces))
                index += 1
            }
            expressions.append(block.joined(separator: " "))
        }
        return expressions
    }

    /// Every `expr` of every panel target, rows' nested panels included.
    static func expressions(in dashboard: [String: Any]) -> [String] {
        var expressions: [String] = []
        func visit(_ panels: [[String: Any]]) {
            for panel in panels {
                for target in panel["targets"] as? [[String: Any]] ?? [] {
                    if let expr = target["expr"] as? String { expressions.append(expr) }
                }
                visit(panel["panels"] as? [[String: Any]] ?? [])
            }
        }
        visit(dashboard["panels"] as? [[String: Any]] ?? [])
        return expressions
    }

    static let keywords: Set<String> = [
        "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset",
        "inf", "nan",
    ]

    /// The metric names a PromQL expression selects: identifiers that are not functions, keywords, label names
    /// (inside `{…}` or `by (…)`) or strings; recording-rule names (with `:`) are returned as they are.
    static func used(in expression: String) -> Set<String> {
        var text = expression
        // Strings, label matchers and ranges carry no metric names.
        for pattern in [#""(?:[^"\\]|\\.)*""#, #"\{[^}]*\}"#, #"\[[^\]]*\]"#] {
            text = text.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        // Label lists of grouping modifiers: by (a, b), without (…), on (…), ignoring (…), group_left (…).
        text = text.replacingOccurrences(
            of: #"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)"#, with: " ",
            options: .regularExpression)
        var names = Set<String>()
        let scalars = Array(text.unicodeScalars)
        var index = 0
        func isStart(_ c: Unicode.Scalar) -> Bool { c == "_" || c == ":" || CharacterSet.letters.contains(c) }
        func isPart(_ c: Unicode.Scalar) -> Bool { isStart(c) || CharacterSet.decimalDigits.contains(c) }
        while index < scalars.count {
            let c = scalars[index]
            if CharacterSet.decimalDigits.contains(c) || c == "." {
                // A number (1, 0.5, 1e3): skip it whole so its exponent is not read as a name.
                while index < scalars.count, isPart(scalars[index]) || scalars[index] == "." { index += 1 }
                continue
            }
            guard isStart(c), c != ":" else {
                index += 1
                continue
            }
            let start = index
            while index < scalars.count, isPart(scalars[index]) { index += 1 }
            let name = String(String.UnicodeScalarView(scalars[start..<index]))
            var next = index
            while next < scalars.count, scalars[next] == " " { next += 1 }
            let isFunction = next < scalars.count && scalars[next] == "("
            if !isFunction && !keywords.contains(name.lowercased()) { names.insert(name) }
        }
        return names
    }
}

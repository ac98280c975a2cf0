import ArgumentParser
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `txad bench dashboard`: how long each dashboard page takes to answer on a running gateway with many alerts.
///
/// Tops the alerts up to `--alerts` first (scoring night-time, far-away, large transactions through
/// `POST /predict/batch`, which the model flags), then times `--requests` sequential GETs of every page and prints
/// median, p95 and max. The time is the whole answer seen from loopback: the page's API calls (RPCs to the alerts
/// service, PostgreSQL queries) plus the rendering. Figures depend on the machine and its load; nothing asserts them.
struct DashboardBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard", abstract: "Time every dashboard page on a running gateway with --alerts alerts.")

    @Option(help: "Gateway base URL.") var gateway = "http://127.0.0.1:8080"
    @Option(help: "Alerts the database should hold before timing (topped up through /predict/batch).")
    var alerts = 10_000
    @Option(help: "Timed requests per page.") var requests = 20
    @Option(
        help: "An admin API key (env TXAD_API_KEY; `txad up` saves one in .txad/admin-key); none with TXAD_AUTH=off.")
    var apiKey: String?
    @Option(help: "Write the results as JSON here as well.") var json: String?

    struct PageTiming: Codable {
        var page: String
        var status: Int
        var bytes: Int
        var medianMs: Double
        var p95Ms: Double
        var maxMs: Double
    }

    func validate() throws {
        guard (1...1000).contains(requests) else { throw ValidationError("--requests must be 1…1000") }
        guard (0...1_000_000).contains(alerts) else { throw ValidationError("--alerts must be 0…1000000") }
    }

    func run() async throws {
        let held = try await topUp()
        let first = try await firstAlertID()
        let pages = [
            "/dashboard", "/dashboard/reviews", "/dashboard/reviews?min_risk=high&offset=50", "/dashboard/alerts",
            "/dashboard/alerts?status=pending&risk_level=critical", first.map { "/dashboard/alerts/\($0)" },
            "/dashboard/predict", "/dashboard/batch", "/dashboard/model",
            "/dashboard/explorer?size=5000&seed=42&anomaly_rate=0.05",
        ].compactMap { $0 }
        var results: [PageTiming] = []
        for page in pages {
            _ = try await get(page)  // warm-up (the Overview's hourly chart is cached for 30 s)
            var times: [Double] = []
            var last = (status: 0, bytes: 0)
            for _ in 0..<requests {
                let started = ContinuousClock.now
                last = try await get(page)
                let elapsed = ContinuousClock.now - started
                times.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
            }
            times.sort()
            results.append(
                PageTiming(
                    page: page, status: last.status, bytes: last.bytes, medianMs: times[times.count / 2],
                    p95Ms: times[min(times.count - 1, Int(Double(times.count) * 0.95))], maxMs: times.last ?? 0))
        }
        print("dashboard pages on \(gateway) with \(held) alerts, \(requests) sequential requests each:")
        print("page".padding(toLength: 56, withPad: " ", startingAt: 0) + "status    bytes  median     p95     max")
        for r in results {
            print(
                r.page.padding(toLength: 56, withPad: " ", startingAt: 0) + String(r.status).leftPad(6)
                    + String(r.bytes).leftPad(9) + Self.ms(r.medianMs) + Self.ms(r.p95Ms) + Self.ms(r.maxMs))
        }
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(results).write(to: URL(fileURLWithPath: json))
        }
    }

    private static func ms(_ value: Double) -> String {
        String(format: "%6.1f ms", value).leftPad(10)
    }

    /// Scores flagged transactions until `/stats` counts `alerts` alerts; the count reached.
    private func topUp() async throws -> Int {
        var held = try await alertCount()
        var round = 0
        let runID = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        while held < alerts {
            let size = min(1000, max(100, (alerts - held) * 11 / 10))
            var items: [String] = []
            for i in 0..<size {
                let n = round * 1000 + i
                items.append(
                    "{\"transaction_id\":\"bench-\(runID)-\(n)\",\"user_id\":\"bench_user_\(n % 500)\","
                        + "\"timestamp\":\"2026-12-03T03:\(String(format: "%02d", n % 60)):00Z\","
                        + "\"amount\":\(4000 + (n % 97) * 53).5,\"merchant_category\":\"electronics\","
                        + "\"channel\":\"online\",\"latitude\":\(-33.9 + Double(n % 50) * 0.01),\"longitude\":151.2,"
                        + "\"country\":\"AU\"}")
            }
            let status = try await post("/predict/batch", body: "[" + items.joined(separator: ",") + "]")
            guard status == 200 else { throw ValidationError("POST /predict/batch answered \(status) while seeding") }
            let now = try await alertCount()
            FileHandle.standardError.write(Data("seeding alerts: \(now) of \(alerts)\n".utf8))
            if now == held && round > 3 { throw ValidationError("the model flags none of the seeding transactions") }
            held = now
            round += 1
        }
        return held
    }

    private func alertCount() async throws -> Int {
        let (data, status) = try await fetch("/stats")
        guard status == 200, let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let count = object["alerts"] as? Int
        else { throw ValidationError("GET /stats answered \(status); is `txad up` running at \(gateway)?") }
        return count
    }

    private func firstAlertID() async throws -> String? {
        let (data, _) = try await fetch("/alerts?limit=1")
        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        return ((object?["alerts"] as? [[String: Any]])?.first?["alert_id"]) as? String
    }

    private func get(_ path: String) async throws -> (status: Int, bytes: Int) {
        let (data, status) = try await fetch(path)
        return (status, data.count)
    }

    private func fetch(_ path: String) async throws -> (Data, Int) {
        try await send(path, body: nil)
    }

    private func post(_ path: String, body: String) async throws -> Int {
        try await send(path, body: Data(body.utf8)).1
    }

    /// A GET (no body) or a JSON POST with the API key, if any.
    private func send(_ path: String, body: Data?) async throws -> (Data, Int) {
        guard let url = URL(string: gateway + path) else { throw ValidationError("bad URL \(gateway + path)") }
        var request = URLRequest(url: url)
        request.timeoutInterval = 120
        if let key = apiKey ?? ProcessInfo.processInfo.environment["TXAD_API_KEY"] {
            request.setValue(key, forHTTPHeaderField: "X-API-Key")
        }
        if let body {
            request.httpMethod = "POST"
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return (data, (response as? HTTPURLResponse)?.statusCode ?? 0)
    }
}

extension String {
    fileprivate func leftPad(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Polls an HTTP endpoint until it answers 200.
enum ReadinessProbe {
    /// True once `url` answered 200 within `timeout`; false otherwise. Stops early when `keepWaiting` says so.
    static func waitUntilReady(
        _ url: String, timeout: Duration, keepWaiting: @Sendable () -> Bool = { true }
    ) async -> Bool {
        guard let endpoint = URL(string: url) else { return false }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, keepWaiting() {
            if await status(of: endpoint) == 200 { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    /// The HTTP status of a GET, nil when nothing answered.
    static func status(of url: URL) async -> Int? {
        var request = URLRequest(url: url)
        request.timeoutInterval = 1
        guard let (_, response) = try? await URLSession.shared.data(for: request) else { return nil }
        return (response as? HTTPURLResponse)?.statusCode
    }
}

import Synchronization

/// The Overview's refresh answer, shared by every open page for `lifetime`.
///
/// Its numbers (`GET /stats`, the active model) are the same for every analyst, and one refresh costs the stack
/// about 24 ms of CPU (gateway, inference, PostgreSQL; `docs/handover/bench-s7`): without sharing, twenty open
/// overviews refreshing every 5 s would take a tenth of a core. With it, any number of open pages cost one
/// computation per lifetime per gateway replica; requests that arrive while one is running wait for it.
final class OverviewRefreshCache: Sendable {
    private struct State {
        var value: String?
        var computedAt: ContinuousClock.Instant?
        var running: Task<String, Never>?
    }

    private let lifetime: Duration
    private let state = Mutex(State())

    /// A cache whose answers are reused for `lifetime` after they were computed.
    init(lifetime: Duration) {
        self.lifetime = lifetime
    }

    /// The cached answer while it is younger than the lifetime; else the one being computed, or a new one from
    /// `compute`.
    func value(compute: @escaping @Sendable () async -> String) async -> String {
        let now = ContinuousClock.now
        enum Next {
            case cached(String)
            case wait(Task<String, Never>)
        }
        let next = state.withLock { state -> Next in
            if let value = state.value, let at = state.computedAt, now - at < lifetime { return .cached(value) }
            if let running = state.running { return .wait(running) }
            let task = Task { await compute() }
            state.running = task
            return .wait(task)
        }
        switch next {
        case .cached(let value):
            return value
        case .wait(let task):
            let value = await task.value
            state.withLock { state in
                if state.running == task {
                    state.running = nil
                    state.value = value
                    state.computedAt = .now
                }
            }
            return value
        }
    }
}

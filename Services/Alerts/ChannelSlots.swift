import Synchronization

/// Per-channel concurrency accounting of one dispatcher: how many of a channel's rows are claimed and not yet
/// answered, against the channel's `max_concurrency`.
///
/// A worker ``reserve(upTo:)``s slots before it claims, so it never claims more rows of a channel than may be in
/// flight — a claimed row is sent at once, never parked behind a limit while its lease runs out. Unused
/// reservations and finished sends are given back with ``release(_:count:)``. When a worker found a channel full
/// (``waitForSlotsIfFull()``), the release that frees a quarter of that channel's limit then signals `wakeup`, so the
/// worker claims again in batches instead of once per finished request.
final class ChannelSlots: Sendable {
    private struct State {
        var inFlight: [String: Int] = [:]
        var waiting = false
    }

    /// `max_concurrency` per channel name.
    let limits: [String: Int]
    private let wakeup: OutboxWakeup
    private let state = Mutex(State())

    init(limits: [String: Int], wakeup: OutboxWakeup) {
        self.limits = limits
        self.wakeup = wakeup
    }

    /// Takes up to `batch` free slots of every channel that has any; returns what was taken (channels with 0 are
    /// left out).
    func reserve(upTo batch: Int) -> [String: Int] {
        state.withLock { state in
            var taken: [String: Int] = [:]
            for (channel, limit) in limits {
                let free = min(batch, limit - state.inFlight[channel, default: 0])
                guard free > 0 else { continue }
                state.inFlight[channel, default: 0] += free
                taken[channel] = free
            }
            return taken
        }
    }

    /// Gives back `count` slots of `channel`: a send that finished (`wakes`: may wake a worker that found the
    /// channel full), or an unused reservation (`wakes: false` — the worker that held it looks again by itself if
    /// a `NOTIFY` came meanwhile, so waking the others would only send them after rows it already took).
    func release(_ channel: String, count: Int = 1, wakes: Bool = true) {
        guard count > 0, let limit = limits[channel] else { return }
        let signal = state.withLock { state -> Bool in
            let now = max(0, state.inFlight[channel, default: 0] - count)
            state.inFlight[channel] = now
            guard wakes, state.waiting, limit - now >= Self.threshold(limit) else { return false }
            state.waiting = false
            return true
        }
        if signal { wakeup.signal() }
    }

    /// When some channel has fewer free slots than its wake-up threshold (a claim would be cut short by it), asks
    /// the release that frees that threshold to signal the wakeup, and returns true; checked and set under one
    /// lock, so a release in between is never missed.
    func waitForSlotsIfFull() -> Bool {
        state.withLock { state in
            let full = limits.contains { channel, limit in
                limit - state.inFlight[channel, default: 0] < Self.threshold(limit)
            }
            if full { state.waiting = true }
            return full
        }
    }

    /// Slots in flight on `channel` now.
    func inFlight(_ channel: String) -> Int { state.withLock { $0.inFlight[channel, default: 0] } }

    /// Free slots that make a full channel worth claiming for again: a quarter of its limit, at least 1.
    static func threshold(_ limit: Int) -> Int { max(1, limit / 4) }
}

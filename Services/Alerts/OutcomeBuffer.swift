import Synchronization

/// Finished sends waiting to be recorded: senders ``append(_:)`` as answers arrive, one recorder takes everything
/// gathered so far with ``next()`` and writes it in one statement, so the outbox gets one `UPDATE` per batch of
/// answers, however many requests are in flight.
final class OutcomeBuffer<Element: Sendable>: Sendable {
    private struct State {
        var items: [Element] = []
        var finished = false
        var consumer: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    init() {}

    /// Adds one outcome (wakes the recorder).
    func append(_ item: Element) {
        let consumer = state.withLock { state in
            state.items.append(item)
            defer { state.consumer = nil }
            return state.consumer
        }
        consumer?.resume()
    }

    /// No more outcomes will come: ``next()`` returns what is left, then nil.
    func finish() {
        let consumer = state.withLock { state in
            state.finished = true
            defer { state.consumer = nil }
            return state.consumer
        }
        consumer?.resume()
    }

    /// Puts outcomes back at the front (a write that failed, to be tried again).
    func putBack(_ items: [Element]) {
        state.withLock { $0.items.insert(contentsOf: items, at: 0) }
    }

    /// Everything gathered so far, waiting until there is something; nil once finished and empty. One consumer only.
    func next() async -> [Element]? {
        while true {
            let taken = state.withLock { state -> [Element]?? in
                if !state.items.isEmpty {
                    defer { state.items = [] }
                    return .some(state.items)
                }
                return state.finished ? .some(nil) : nil
            }
            if let taken { return taken }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if !state.items.isEmpty || state.finished { return true }
                    state.consumer = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        }
    }
}

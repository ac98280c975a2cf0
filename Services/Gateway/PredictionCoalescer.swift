import Domain
import Metrics
import NIOConcurrencyHelpers

/// Scores concurrent single predictions together.
///
/// Every `POST /predict` would otherwise cost its own cache round trip, three internal calls and a cache write. Here
/// a request joins a queue; while fewer than ``maximumInFlight`` groups are being scored, the queue is taken at once
/// as one group, otherwise it waits for the next free slot and goes with everything that queued meanwhile. Nothing
/// waits on a timer: an idle gateway scores a lone request immediately, a busy one sends larger groups. Each request
/// keeps its own request id (recorded with its prediction, and in its error responses) and its own deadline.
final class PredictionCoalescer: Sendable {
    private struct Waiting {
        var item: PredictionItem
        var deadline: ContinuousClock.Instant
        var continuation: CheckedContinuation<ItemOutcome, Never>
    }

    private struct State {
        var queue: [Waiting] = []
        var inFlight = 0
    }

    private let pipeline: PredictionPipeline
    private let maximumInFlight: Int
    private let maximumGroup: Int
    private let state = NIOLockedValueBox(State())
    /// Groups scored and the requests in them: their ratio is the mean group size.
    private let groupsCounter = Counter(label: "txad_gateway_coalesced_groups_total")
    private let requestsCounter = Counter(label: "txad_gateway_coalesced_requests_total")

    /// - Parameters:
    ///   - maximumInFlight: groups scored at the same time (each is one set of internal calls).
    ///   - maximumGroup: the most requests scored together.
    init(pipeline: PredictionPipeline, maximumInFlight: Int, maximumGroup: Int) {
        precondition(maximumInFlight > 0 && maximumGroup > 0)
        self.pipeline = pipeline
        self.maximumInFlight = maximumInFlight
        self.maximumGroup = maximumGroup
    }

    /// Scores one valid transaction, together with whatever else arrives at the same moment.
    func predict(_ transaction: Transaction, requestID: String, deadline: Duration) async -> ItemOutcome {
        let due = ContinuousClock.now + deadline
        return await withCheckedContinuation { continuation in
            let waiting = Waiting(
                item: PredictionItem(transaction: transaction, requestID: requestID), deadline: due,
                continuation: continuation)
            let group = state.withLockedValue { state -> [Waiting]? in
                state.queue.append(waiting)
                guard state.inFlight < maximumInFlight else { return nil }
                state.inFlight += 1
                return takeGroup(from: &state)
            }
            if let group { Task { await run(group) } }
        }
    }

    /// Scores `group`, answers its requests, then keeps taking queued groups until the queue is empty.
    private func run(_ first: [Waiting]) async {
        var group = first
        while true {
            groupsCounter.increment()
            requestsCounter.increment(by: group.count)
            let now = ContinuousClock.now
            let budget = group.map { $0.deadline - now }.min() ?? .zero
            let outcomes = await pipeline.predict(
                group.map(\.item), requestID: group[0].item.requestID, deadline: max(budget, .milliseconds(1)))
            for (waiting, outcome) in zip(group, outcomes) { waiting.continuation.resume(returning: outcome) }
            let next = state.withLockedValue { state -> [Waiting]? in
                guard !state.queue.isEmpty else {
                    state.inFlight -= 1
                    return nil
                }
                return takeGroup(from: &state)
            }
            guard let next else { return }
            group = next
        }
    }

    private func takeGroup(from state: inout State) -> [Waiting] {
        guard state.queue.count > maximumGroup else {
            defer { state.queue.removeAll(keepingCapacity: true) }
            return state.queue
        }
        let group = Array(state.queue.prefix(maximumGroup))
        state.queue.removeFirst(maximumGroup)
        return group
    }
}

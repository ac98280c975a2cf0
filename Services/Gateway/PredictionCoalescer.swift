import Domain
import Metrics
import NIOConcurrencyHelpers

/// Scores concurrent single predictions together.
///
/// Every `POST /predict` would otherwise cost its own cache round trip, three internal calls and a cache write. Here
/// a request joins a queue; while fewer than ``maximumInFlight`` groups are being scored, the queue is taken at once
/// as one group, otherwise it waits for the next free slot and goes with everything that queued meanwhile. Nothing
/// waits on a timer: an idle gateway scores a lone request immediately, a busy one sends larger groups. Each request
/// keeps its own request id (recorded with its prediction, and in its error responses) and its own deadline: one
/// whose deadline passed while it queued is answered 503 without being scored. At most `maximumQueued` requests
/// wait; more are refused at once with 429.
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
    /// Requests allowed to wait; beyond that a request is refused at once with 429.
    private let maximumQueued: Int
    private let state = NIOLockedValueBox(State())
    /// Groups scored and the requests in them: their ratio is the mean group size.
    private let groupsCounter = Counter(label: "txad_gateway_coalesced_groups_total")
    private let requestsCounter = Counter(label: "txad_gateway_coalesced_requests_total")

    /// - Parameters:
    ///   - maximumInFlight: groups scored at the same time (each is one set of internal calls).
    ///   - maximumGroup: the most requests scored together.
    ///   - maximumQueued: requests allowed to wait for a group (429 beyond).
    init(pipeline: PredictionPipeline, maximumInFlight: Int, maximumGroup: Int, maximumQueued: Int = 10_000) {
        precondition(maximumInFlight > 0 && maximumGroup > 0 && maximumQueued > 0)
        self.pipeline = pipeline
        self.maximumInFlight = maximumInFlight
        self.maximumGroup = maximumGroup
        self.maximumQueued = maximumQueued
    }

    /// Scores one valid transaction, together with whatever else arrives at the same moment.
    func predict(_ transaction: Transaction, requestID: String, deadline: Duration) async -> ItemOutcome {
        let due = ContinuousClock.now + deadline
        return await withCheckedContinuation { continuation in
            let waiting = Waiting(
                item: PredictionItem(transaction: transaction, requestID: requestID), deadline: due,
                continuation: continuation)
            enum Next { case run([Waiting]), wait, overloaded }
            let next = state.withLockedValue { state -> Next in
                guard state.queue.count < maximumQueued else { return .overloaded }
                state.queue.append(waiting)
                guard state.inFlight < maximumInFlight else { return .wait }
                state.inFlight += 1
                return .run(takeGroup(from: &state))
            }
            switch next {
            case .run(let group): Task { await run(group) }
            case .wait: break
            case .overloaded:
                continuation.resume(
                    returning: .failure(
                        ProblemDetails(
                            status: 429, title: "Overloaded",
                            detail: "\(maximumQueued) predictions are already waiting; retry shortly",
                            requestID: requestID, retryAfterSeconds: 1)))
            }
        }
    }

    /// Scores `group`, answers its requests, then keeps taking queued groups until the queue is empty.
    private func run(_ first: [Waiting]) async {
        var group = first
        while true {
            let now = ContinuousClock.now
            // Requests whose deadline passed while they queued are answered at once, not scored late.
            let (live, expired) = (group.filter { $0.deadline > now }, group.filter { $0.deadline <= now })
            for waiting in expired {
                waiting.continuation.resume(
                    returning: .failure(
                        ProblemDetails(
                            status: 503, title: "Dependency too slow",
                            detail: "the request's deadline passed while it waited to be scored",
                            requestID: waiting.item.requestID, retryAfterSeconds: 1)))
            }
            if !live.isEmpty {
                groupsCounter.increment()
                requestsCounter.increment(by: live.count)
                let budget = live.map { $0.deadline - now }.min() ?? .zero
                // Requests are answered as soon as their own outcome is settled, not when the whole group is: an id
                // that another request is scoring right now must not hold up the rest of the group.
                let unanswered = NIOLockedValueBox(
                    Dictionary(grouping: live, by: \.item.transaction.transactionID))
                let outcomes = await pipeline.predict(
                    live.map(\.item), requestID: live[0].item.requestID, deadline: budget
                ) { settled in
                    Self.answer(settled, from: unanswered)
                }
                Self.answer(
                    Dictionary(zip(live.map(\.item.transaction.transactionID), outcomes)) { first, _ in first },
                    from: unanswered)
            }
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

    /// Resumes the requests of every settled id that has not been answered yet, each exactly once.
    private static func answer(_ settled: [String: ItemOutcome], from unanswered: NIOLockedValueBox<[String: [Waiting]]>) {
        let due = unanswered.withLockedValue { waiting in
            settled.compactMap { id, outcome in waiting.removeValue(forKey: id).map { ($0, outcome) } }
        }
        for (requests, outcome) in due {
            for waiting in requests { waiting.continuation.resume(returning: outcome) }
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

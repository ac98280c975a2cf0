import Dispatch
import Synchronization

/// A reusable meeting point for exactly two threads that step through many short rounds together (the autoencoder
/// trainer's two row partitions, once per mini-batch).
///
/// A round lasts tens of microseconds, less than it takes to wake a sleeping thread, so a waiter first spins; only
/// when its partner is late (descheduled on a busy machine) does it sleep on a semaphore, so a late partner costs
/// a short spin rather than a spinning core.
final class LockstepBarrier: Sendable {
    /// Arrivals so far over all rounds; round r (1-based) is complete at 2r.
    private let arrivals = Atomic<Int>(0)
    private let slots = [SleepSlot(), SleepSlot()]
    /// Completion checks before a waiter sleeps; roughly a few tens of microseconds.
    private static let spins = 20_000

    /// Where party p sleeps: the arrival count it waits for (0 when awake) and the semaphore it waits on. Keyed by
    /// the target, so a wake-up meant for one round can never release a later one.
    private final class SleepSlot: Sendable {
        let target = Atomic<Int>(0)
        let semaphore = DispatchSemaphore(value: 0)
    }

    /// One party's view: its index (0 or 1) and the round it is in.
    struct Party {
        let barrier: LockstepBarrier
        let index: Int
        private var round = 0

        init(barrier: LockstepBarrier, index: Int) {
            self.barrier = barrier
            self.index = index
        }

        /// Returns once both parties have called `wait()` as often as this one has.
        mutating func wait() {
            round += 1
            barrier.arriveAndWait(party: index, until: 2 * round)
        }
    }

    /// Runs `body` twice at once (``ParallelRows/concurrentPair(_:)``), as parties 0 and 1 of one fresh barrier;
    /// returns when both calls have returned.
    static func runPair(_ body: (inout Party) -> Void) {
        let barrier = LockstepBarrier()
        ParallelRows.concurrentPair { index in
            var party = Party(barrier: barrier, index: index)
            body(&party)
        }
    }

    private func arriveAndWait(party: Int, until target: Int) {
        let (_, arrived) = arrivals.add(1, ordering: .sequentiallyConsistent)
        if arrived >= target {
            // Last to arrive: wake the partner if it sleeps on this round.
            let partner = slots[1 - party]
            if partner.target.compareExchange(expected: target, desired: 0, ordering: .sequentiallyConsistent)
                .exchanged
            {
                partner.semaphore.signal()
            }
            return
        }
        var spins = 0
        while spins < Self.spins {
            if arrivals.load(ordering: .sequentiallyConsistent) >= target { return }
            spins += 1
        }
        let slot = slots[party]
        slot.target.store(target, ordering: .sequentiallyConsistent)
        if arrivals.load(ordering: .sequentiallyConsistent) >= target,
            slot.target.compareExchange(expected: target, desired: 0, ordering: .sequentiallyConsistent).exchanged
        {
            return
        }
        // Either the round is still open, or the partner claimed the slot and signals (or has signalled).
        slot.semaphore.wait()
    }
}


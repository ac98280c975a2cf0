import NIOCore

/// The deadlines of the calls in flight on one connection, earliest first, so that one event-loop timer per
/// connection can serve them all.
///
/// Why not one NIO timer per call: scheduling and cancelling a task allocates and cancelling scans the loop's
/// timer queue, which is too slow for tens of thousands of calls per second. Here an insert is a heap push and a
/// completed call costs nothing: its entry stays until it reaches the top (and is skipped), and the heap is rebuilt
/// from the live calls when stale entries outnumber them, so its size stays within twice the number in flight.
struct DeadlineQueue {
    private struct Entry {
        var deadline: NIODeadline
        var callID: UInt64
    }

    private var heap: [Entry] = []

    /// Number of entries, stale ones included.
    var count: Int { heap.count }

    /// The earliest deadline, possibly of a call that has finished since.
    var earliest: NIODeadline? { heap.first?.deadline }

    /// Adds a call's deadline.
    mutating func insert(callID: UInt64, deadline: NIODeadline) {
        heap.append(Entry(deadline: deadline, callID: callID))
        siftUp(heap.count - 1)
    }

    /// Removes and returns the ids of entries whose deadline is at or before `now`, earliest first (callers skip
    /// ids that are no longer in flight).
    mutating func popExpired(now: NIODeadline) -> [UInt64] {
        var expired: [UInt64] = []
        while let top = heap.first, top.deadline <= now {
            expired.append(top.callID)
            removeTop()
        }
        return expired
    }

    /// Drops stale entries when they outnumber live calls; `isLive` says whether a call is still in flight.
    mutating func compact(liveCount: Int, isLive: (UInt64) -> Bool) {
        guard heap.count > 2 * liveCount + 64 else { return }
        heap.removeAll { !isLive($0.callID) }
        // Re-heapify bottom-up.
        var index = heap.count / 2
        while index > 0 {
            index -= 1
            siftDown(index)
        }
    }

    /// Forgets every entry.
    mutating func removeAll() {
        heap.removeAll(keepingCapacity: false)
    }

    private mutating func removeTop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        siftDown(0)
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].deadline < heap[parent].deadline else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            let right = left + 1
            var smallest = left
            if right < heap.count && heap[right].deadline < heap[left].deadline { smallest = right }
            guard heap[smallest].deadline < heap[parent].deadline else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}

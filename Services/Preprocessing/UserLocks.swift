/// Per-user locks inside one preprocessing replica.
///
/// State writes are optimistic (compare-and-set in Redis). When many requests for the same user arrive at once,
/// optimism alone would let them starve each other; after a first conflict the retry takes these locks, so within a
/// replica one request per user retries at a time and only other replicas can still collide.
actor UserLocks {
    private var held: Set<String> = []
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Waits until none of `users` is held, then holds them all.
    func acquire(_ users: [String]) async {
        while users.contains(where: held.contains) {
            await withCheckedContinuation { waiters.append($0) }
        }
        held.formUnion(users)
    }

    /// Releases `users` and wakes the waiters, which check again.
    func release(_ users: [String]) {
        held.subtract(users)
        let woken = waiters
        waiters = []
        for waiter in woken { waiter.resume() }
    }
}

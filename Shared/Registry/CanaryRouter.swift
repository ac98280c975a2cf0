/// Which users a canary answers for: a deterministic share of users by a hash of the user id, the same on every
/// replica and in every process (FNV-1a 64 with a SplitMix64 finaliser, not Swift's seeded `Hasher`), so one user's
/// traffic is never split between versions while the share stays the same.
public enum CanaryRouter {
    /// Resolution of the share: users fall into one of this many buckets.
    public static let buckets: UInt64 = 1_000_000

    /// The user's bucket in `0..<buckets`.
    public static func bucket(userID: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in userID.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        hash ^= hash >> 30
        hash &*= 0xbf58_476d_1ce4_e5b9
        hash ^= hash >> 27
        hash &*= 0x94d0_49bb_1331_11eb
        hash ^= hash >> 31
        return hash % buckets
    }

    /// True when the canary with `share` (0…1) answers for `userID`. An empty user id (an older sender) always
    /// goes to the champion. Raising the share keeps every user already in the canary there.
    public static func isCanary(userID: String, share: Double) -> Bool {
        guard !userID.isEmpty, share > 0 else { return false }
        return Double(bucket(userID: userID)) < share * Double(buckets)
    }
}

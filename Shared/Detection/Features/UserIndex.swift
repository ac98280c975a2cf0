/// Maps user ids to dense indices for the offline replay: an open-addressing table keyed by a 64-bit FNV-1a hash
/// (verified by comparing the ids), several times cheaper per lookup than `Dictionary<String, Int>`'s SipHash on
/// the one lookup every row needs.
struct UserIndex {
    private var slots: [Int32]
    private var hashes: [UInt64] = []
    private(set) var ids: [String] = []
    private var mask: Int

    init(expectedUsers: Int = 1024) {
        var size = 16
        while size < expectedUsers * 2 { size *= 2 }
        slots = Array(repeating: -1, count: size)
        mask = size - 1
    }

    /// Number of distinct ids.
    var count: Int { ids.count }

    /// The index of `id`, adding it when new (indices are given out 0, 1, 2, … in order of first appearance).
    mutating func index(of id: String) -> Int {
        let h = Self.hash(id)
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = Int(slots[i])
            if s < 0 { break }
            if hashes[s] == h, ids[s] == id { return s }
            i = (i + 1) & mask
        }
        let index = ids.count
        slots[i] = Int32(index)
        hashes.append(h)
        ids.append(id)
        if ids.count * 2 > slots.count { grow() }
        return index
    }

    private mutating func grow() {
        slots = Array(repeating: -1, count: slots.count * 2)
        mask = slots.count - 1
        for (index, h) in hashes.enumerated() {
            var i = Int(truncatingIfNeeded: h) & mask
            while slots[i] >= 0 { i = (i + 1) & mask }
            slots[i] = Int32(index)
        }
    }

    static func hash(_ s: String) -> UInt64 {
        var text = s
        return text.withUTF8 { bytes in
            var h: UInt64 = 0xCBF2_9CE4_8422_2325
            for b in bytes {
                h ^= UInt64(b)
                h = h &* 0x0100_0000_01B3
            }
            // FNV's low bits mix poorly for short keys; fold the high half in before masking.
            return h ^ (h >> 29)
        }
    }
}

/// Sorting of `Float` arrays by LSD radix sort: 4 passes of 8 bits over order-preserving bit patterns.
///
/// Calibration sorts every training score (700,000 and more per model); this is several times faster than the
/// comparison sort and gives the same ascending order for finite values (−0 sorts before +0).
enum FloatRadixSort {
    /// `values` in ascending order; values must not be NaN.
    static func sorted(_ values: [Float]) -> [Float] {
        let n = values.count
        guard n > 1 else { return values }
        // Flip the sign bit of positives and all bits of negatives: unsigned order then equals float order.
        var keys = values.map { v -> UInt32 in
            let bits = v.bitPattern
            return bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
        }
        var scratch = [UInt32](repeating: 0, count: n)
        var counts = [Int](repeating: 0, count: 256)
        for pass in 0..<4 {
            let shift = UInt32(8 * pass)
            for i in 0..<256 { counts[i] = 0 }
            keys.withUnsafeBufferPointer { source in
                scratch.withUnsafeMutableBufferPointer { target in
                    counts.withUnsafeMutableBufferPointer { counts in
                        for key in source { counts[Int((key >> shift) & 0xFF)] += 1 }
                        var offset = 0
                        for i in 0..<256 {
                            let c = counts[i]
                            counts[i] = offset
                            offset += c
                        }
                        for key in source {
                            let bucket = Int((key >> shift) & 0xFF)
                            target[counts[bucket]] = key
                            counts[bucket] += 1
                        }
                    }
                }
            }
            swap(&keys, &scratch)
        }
        return keys.map { key in
            Float(bitPattern: key & 0x8000_0000 != 0 ? key & 0x7FFF_FFFF : ~key)
        }
    }
}

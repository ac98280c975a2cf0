extension RandomNumberGenerator {
    /// A uniform `Float` in [0, 1) from the top 24 bits.
    ///
    /// Converting ``nextUnit()`` to `Float` could round up to exactly 1; model code relies on the half-open range
    /// (a split threshold must stay below the node's maximum).
    mutating func nextFloat() -> Float { Float(next() >> 40) * 0x1.0p-24 }
}

extension RandomNumberGenerator {
    /// A uniform value in `0 ..< 1` made from the top 53 bits of one draw (every such value
    /// is exactly representable as a `Double`), e.g. for retry jitter or a seeded coin flip.
    public mutating func nextFraction() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}

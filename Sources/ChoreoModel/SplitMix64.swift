/// SplitMix64 (Steele, Lea & Flood): a tiny, fast, seedable generator with good statistical
/// quality, for everything that wants repeatable "random" draws — retry jitter, seeded test
/// and fuzz corpora, the demo's order plans, and seeding larger generators.
///
/// Not cryptographically secure. The same seed always gives the same sequence, on every
/// platform, so a failing seeded case replays exactly.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator's whole state; it advances by a fixed odd constant per draw.
    public private(set) var state: UInt64

    /// A generator whose first draw follows `seed` (any value, 0 included).
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

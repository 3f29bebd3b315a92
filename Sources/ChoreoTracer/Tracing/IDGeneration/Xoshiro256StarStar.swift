import ChoreoModel

/// The xoshiro256** pseudo-random generator (Blackman & Vigna): fast, 256 bits of state, good
/// statistical quality. Not cryptographically secure, which trace and span ids do not need.
///
/// A value type without synchronisation: its owner guards it (the OTLP exporter's retry jitter).
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Seeds the state from `seed` through SplitMix64, as the authors recommend, so that any
    /// seed (including 0) yields a valid, non-zero state.
    public init(seed: UInt64) {
        var splitMix = SplitMix64(seed: seed)
        s0 = splitMix.next()
        s1 = splitMix.next()
        s2 = splitMix.next()
        s3 = splitMix.next()
        if s0 | s1 | s2 | s3 == 0 { s0 = 0x9E37_79B9_7F4A_7C15 }
    }

    /// Seeds the state from another generator (e.g. `SystemRandomNumberGenerator`), once.
    public init(seedingFrom source: inout some RandomNumberGenerator) {
        self.init(seed: source.next())
        s0 ^= source.next()
        s1 ^= source.next()
        s2 ^= source.next()
        if s0 | s1 | s2 | s3 == 0 { s0 = 0x9E37_79B9_7F4A_7C15 }
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}

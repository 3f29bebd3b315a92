import ChoreoModel
import Synchronization

/// Generates W3C trace and span ids: random, never all-zero, safe to share between threads,
/// and without a lock.
///
/// The generator is SplitMix64 (Steele, Lea & Flood; Java's `SplittableRandom`) with its state
/// in one atomic word: each id advances the state with a single atomic add of the generator's
/// odd constant and mixes the value it took. Threads never wait for each other, and because the
/// mix is a bijection of the 64-bit state, one generator never hands out the same span id twice
/// (within 2^64 draws) however many threads draw at once. The one state value whose mix is zero
/// is skipped, so ids are never invalid.
///
/// One `SystemRandomNumberGenerator` call costs about 280 ns on Linux (a `getrandom` system
/// call), so the system source is read once, at creation, for the starting state. Not
/// cryptographically secure, which trace and span ids do not need. Create it with
/// ``init(seed:)`` for reproducible ids in tests.
public final class IDGenerator: Sendable {
    private static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15
    private let state: Atomic<UInt64>

    /// A generator seeded once from the system's random source.
    public init() {
        var system = SystemRandomNumberGenerator()
        state = Atomic(system.next())
    }

    /// A deterministic generator: the same seed yields the same sequence of ids.
    public init(seed: UInt64) {
        var splitMix = SplitMix64(seed: seed)
        state = Atomic(splitMix.next())
    }

    /// `count` consecutive states, taken with one atomic add; returns the first.
    @inline(__always)
    private func take(_ count: UInt64) -> UInt64 {
        state.wrappingAdd(Self.gamma &* count, ordering: .relaxed).oldValue &+ Self.gamma
    }

    /// SplitMix64's output function: a bijection of 64-bit values, zero only for zero.
    @inline(__always)
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A new, valid (non-zero) trace id.
    public func nextTraceID() -> TraceID {
        while true {
            let first = take(2)
            let high = Self.mix(first)
            let low = Self.mix(first &+ Self.gamma)
            if high | low != 0 { return TraceID(high: high, low: low) }
        }
    }

    /// A new, valid (non-zero) span id.
    public func nextSpanID() -> SpanID {
        while true {
            let value = Self.mix(take(1))
            if value != 0 { return SpanID(value) }
        }
    }

    /// A trace id and a span id for a new root span, with one atomic add.
    public func nextRootIDs() -> (TraceID, SpanID) {
        let first = take(3)
        let high = Self.mix(first)
        let low = Self.mix(first &+ Self.gamma)
        let span = Self.mix(first &+ Self.gamma &* 2)
        guard high | low != 0, span != 0 else { return (nextTraceID(), nextSpanID()) }
        return (TraceID(high: high, low: low), SpanID(span))
    }
}

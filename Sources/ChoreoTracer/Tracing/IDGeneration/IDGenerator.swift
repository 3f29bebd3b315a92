import ChoreoModel
import Synchronization

/// Generates W3C trace and span ids: random, never all-zero, safe to share between threads.
///
/// One `SystemRandomNumberGenerator` call costs about 280 ns on Linux (a `getrandom` system
/// call), so the generator reads the system source once, at creation, to seed a xoshiro256**
/// generator, and serves every id from that behind an uncontended lock.
/// Create it with ``init(seed:)`` for reproducible ids in tests.
public final class IDGenerator: Sendable {
    private let state: Mutex<Xoshiro256StarStar>

    /// A generator seeded once from the system's random source.
    public init() {
        var system = SystemRandomNumberGenerator()
        state = Mutex(Xoshiro256StarStar(seedingFrom: &system))
    }

    /// A deterministic generator: the same seed yields the same sequence of ids.
    public init(seed: UInt64) {
        state = Mutex(Xoshiro256StarStar(seed: seed))
    }

    /// A new, valid (non-zero) trace id.
    public func nextTraceID() -> TraceID {
        state.withLock { rng in
            while true {
                let high = rng.next()
                let low = rng.next()
                if high | low != 0 { return TraceID(high: high, low: low) }
            }
        }
    }

    /// A new, valid (non-zero) span id.
    public func nextSpanID() -> SpanID {
        state.withLock { rng in
            while true {
                let value = rng.next()
                if value != 0 { return SpanID(value) }
            }
        }
    }

    /// A trace id and a span id for a new root span, under one lock acquisition.
    public func nextRootIDs() -> (TraceID, SpanID) {
        state.withLock { rng in
            var high: UInt64 = 0
            var low: UInt64 = 0
            while high | low == 0 {
                high = rng.next()
                low = rng.next()
            }
            var span: UInt64 = 0
            while span == 0 { span = rng.next() }
            return (TraceID(high: high, low: low), SpanID(span))
        }
    }
}

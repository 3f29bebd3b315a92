/// Exponential backoff with jitter: how long to wait before each retry of something that failed.
///
/// Before retry `n` (1-based) the backoff is `initial * multiplier^(n-1)`, never more than
/// ``maximum``; ``jitter`` then spreads the actual wait so that many senders that failed
/// together do not retry in step. Every value is total: a retry number below 1 counts as the
/// first, a huge one (`Int.max`) gives ``maximum`` without overflowing or looping long, and a
/// fraction outside `0 ... 1` is clamped.
public struct Backoff: Hashable, Sendable {
    /// How the wait is drawn from the backoff `b` (the names of the AWS Architecture Blog's
    /// "Exponential Backoff And Jitter").
    public enum Jitter: Hashable, Sendable {
        /// Exactly `b`: deterministic, e.g. for a bus whose redelivery times tests predict.
        case none
        /// Half fixed, half random: uniform in `b/2 ... b`; never much sooner than `b`.
        case equal
        /// Uniform in `0 ... b`: spreads senders most, but may retry at once.
        case full
    }

    /// The backoff before the first retry.
    public var initial: Duration
    /// The backoff never grows past this.
    public var maximum: Duration
    /// The factor from one retry's backoff to the next (2 doubles); below 2 it stays ``initial``.
    public var multiplier: Int
    /// How the wait is drawn from the backoff.
    public var jitter: Jitter

    /// A backoff from `initial` up to `maximum`, multiplied by `multiplier` per retry.
    public init(initial: Duration, maximum: Duration, multiplier: Int = 2, jitter: Jitter) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.jitter = jitter
    }

    /// The backoff before retry `retry` (1-based), before jitter: `initial * multiplier^(retry-1)`,
    /// at most ``maximum`` (and never negative).
    public func ceiling(beforeRetry retry: Int) -> Duration {
        let cap = Swift.max(maximum, .zero)
        var backoff = Swift.min(Swift.max(initial, .zero), cap)
        guard multiplier >= 2, backoff > .zero else { return backoff }
        var step = 1
        while step < retry, backoff < cap {
            backoff = backoff > cap / multiplier ? cap : backoff * multiplier
            step += 1
        }
        return backoff
    }

    /// The wait before retry `retry` (1-based), with `fraction` (in `0 ..< 1`) as the random part.
    public func delay(beforeRetry retry: Int, fraction: Double) -> Duration {
        let backoff = ceiling(beforeRetry: retry)
        let fraction = fraction.isNaN ? 0 : Swift.min(Swift.max(fraction, 0), 1)
        switch jitter {
        case .none:
            return backoff
        case .equal:
            let half = backoff / 2
            return half + half * fraction
        case .full:
            return backoff * fraction
        }
    }

    /// The wait before retry `retry` (1-based), its random part drawn from `generator`.
    public func delay(beforeRetry retry: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        delay(beforeRetry: retry, fraction: jitter == .none ? 0 : generator.nextFraction())
    }
}

/// Per message type time limits after which a flow waiting for that type is `stuck`.
///
/// Produced by ``LatencyLearner/limits()`` from observed consumption latencies; a type with no
/// limit of its own uses ``fallbackNanos``. Attach to ``FlowOptions/stuckLimits``.
public struct StuckLimits: Hashable, Sendable {
    /// The limit (nanoseconds) of each type that has enough history of its own.
    public var perTypeNanos: [String: UInt64]
    /// The limit (nanoseconds) of every other type.
    public var fallbackNanos: UInt64

    /// Creates limits from explicit values.
    public init(perTypeNanos: [String: UInt64] = [:], fallbackNanos: UInt64) {
        self.perTypeNanos = perTypeNanos
        self.fallbackNanos = fallbackNanos
    }

    /// The limit for a flow waiting for a message of `type`.
    public func limitNanos(for type: String) -> UInt64 {
        perTypeNanos[type] ?? fallbackNanos
    }

    /// The smallest limit of any type: a flow quiet for less than this cannot be stuck.
    public var smallestNanos: UInt64 {
        perTypeNanos.values.reduce(fallbackNanos, min)
    }
}

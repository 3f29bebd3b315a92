import ChoreoModel

/// How ``FlowBuilder`` judges a flow: when it counts as stuck and which message types end it.
public struct FlowOptions: Hashable, Sendable {
    /// A pending flow with no activity for longer than this (nanoseconds) is `stuck`, else `in_flight`.
    public var stuckAfterNanos: UInt64
    /// Message types that end a flow (e.g. `OrderCompleted`, `OrderCancelled`).
    ///
    /// A step of a terminal type needs no delivery to count as settled, and the flow's outcome is
    /// the latest terminal step's type. Empty (the default) means: use the heuristic instead —
    /// every step must be delivered, and the outcome is the latest leaf step that was handled.
    public var terminalTypes: Set<String>

    /// Five minutes, in nanoseconds: the default time limit before a pending flow is `stuck`.
    public static let defaultStuckAfterNanos: UInt64 = 5 * 60 * 1_000_000_000

    /// Creates options; the defaults suit the order-fulfilment choreography.
    public init(stuckAfterNanos: UInt64 = FlowOptions.defaultStuckAfterNanos, terminalTypes: Set<String> = []) {
        self.stuckAfterNanos = stuckAfterNanos
        self.terminalTypes = terminalTypes
    }
}

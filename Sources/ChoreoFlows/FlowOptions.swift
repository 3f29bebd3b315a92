import ChoreoModel

/// How ``FlowBuilder`` judges a flow: when it counts as stuck and which message types end it.
public struct FlowOptions: Hashable, Sendable {
    /// A pending flow with no activity for longer than this (nanoseconds) is `stuck`, else `in_flight`.
    ///
    /// Used when ``stuckLimits`` is nil; otherwise the learned limit of the awaited type applies.
    public var stuckAfterNanos: UInt64
    /// Message types that end a flow (e.g. `OrderCompleted`, `OrderCancelled`).
    ///
    /// A step of a terminal type needs no delivery to count as settled, and the flow's outcome is
    /// the latest terminal step's type. Empty (the default) means: use the heuristic instead —
    /// every step must be delivered, and the outcome is the latest leaf step that was handled.
    public var terminalTypes: Set<String>
    /// Limits per awaited message type (e.g. learned by ``LatencyLearner``); nil means the fixed
    /// ``stuckAfterNanos`` for every type.
    public var stuckLimits: StuckLimits?
    /// An optional flow definition: its terminal types join ``terminalTypes``, its
    /// compensations pair undeclared compensating steps, its transition time limits win over
    /// learned limits, and its transitions drive conformance (``Flow/findings``).
    public var definition: FlowDefinition?
    /// Clock offsets learned across flows (``ClockSkewEstimator``); each span's times are moved
    /// by its source's offset before the flow is built. Nil: only the causal clamp of each
    /// flow's own hops applies (docs/clock-skew.md).
    public var clockOffsets: ClockOffsets?
    /// False builds flows from the times exactly as recorded (no correction at all).
    public var adjustsClocks: Bool
    /// An attribute that names a message's type when the span has neither `choreo.event_type`
    /// nor `cloudevents.event_type` (the collector's `--type-attribute`); without any of them a
    /// step's type is its destination name.
    public var typeAttribute: String?

    /// Five minutes, in nanoseconds: the default time limit before a pending flow is `stuck`.
    public static let defaultStuckAfterNanos: UInt64 = 5 * 60 * 1_000_000_000

    /// Creates options; the defaults suit the order-fulfilment choreography.
    public init(
        stuckAfterNanos: UInt64 = FlowOptions.defaultStuckAfterNanos, terminalTypes: Set<String> = [],
        stuckLimits: StuckLimits? = nil, definition: FlowDefinition? = nil, clockOffsets: ClockOffsets? = nil,
        adjustsClocks: Bool = true, typeAttribute: String? = nil
    ) {
        self.typeAttribute = typeAttribute
        self.clockOffsets = clockOffsets
        self.adjustsClocks = adjustsClocks
        self.definition = definition
        self.stuckAfterNanos = stuckAfterNanos
        self.terminalTypes = terminalTypes
        self.stuckLimits = stuckLimits
    }

    /// The time limit (nanoseconds) of a flow waiting for a message of `type`.
    public func stuckLimitNanos(waitingFor type: String) -> UInt64 {
        if let declared = definition?.stuckLimitsNanos[type] { return declared }
        return stuckLimits?.limitNanos(for: type) ?? stuckAfterNanos
    }

    /// The smallest limit of any type: a flow quiet for less than this is never stuck.
    public var smallestStuckLimitNanos: UInt64 {
        let learned = stuckLimits?.smallestNanos ?? stuckAfterNanos
        return definition?.stuckLimitsNanos.values.reduce(learned, min) ?? learned
    }

    /// ``terminalTypes`` plus the definition's terminal types.
    public var effectiveTerminalTypes: Set<String> {
        guard let definition, !definition.terminal.isEmpty else { return terminalTypes }
        return terminalTypes.union(definition.terminal)
    }
}

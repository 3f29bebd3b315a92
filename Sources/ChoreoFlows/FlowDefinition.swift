/// What a flow is expected to look like, declared in a YAML or JSON file (both parse alike).
///
/// ```yaml
/// name: order-fulfilment
/// start: [OrderPlaced]
/// terminal: [OrderCompleted, OrderCancelled]
/// compensations:            # compensating type: the forward type it undoes
///   RefundPayment: PaymentReceived
/// transitions:              # the expected directly-follows pairs, with optional time limits
///   - {from: OrderPlaced, to: RetrievePayment, within: 30s}
///   - {from: RetrievePayment, to: PaymentReceived}
/// order: [OrderPlaced, RetrievePayment, PaymentReceived]   # shorthand: consecutive transitions
/// ```
///
/// Everything is optional. `terminal` types end a flow (added to ``FlowOptions/terminalTypes``);
/// `compensations` pair a compensating step with the latest earlier unpaired step of the type
/// it undoes, when its publisher did not mark it; `within` (`250ms`, `30s`, `5m`, `1h`, `2d` or a
/// number of seconds) limits how long a flow may wait after a `from` message before it is stuck,
/// and a slower transition is a deviation; `transitions` and `start` drive conformance
/// (``FlowDefinition/deviations(of:)``).
public struct FlowDefinition: Hashable, Sendable {
    /// One expected transition between message types.
    public struct Transition: Hashable, Sendable {
        /// The earlier message type.
        public var from: String
        /// The type expected directly after it.
        public var to: String
        /// The longest expected time from `from`'s publish to `to`'s publish (nanoseconds).
        public var withinNanos: UInt64?

        /// Creates a transition.
        public init(from: String, to: String, withinNanos: UInt64? = nil) {
            self.from = from
            self.to = to
            self.withinNanos = withinNanos
        }
    }

    /// A name for people (e.g. `order-fulfilment`).
    public var name: String?
    /// Types a flow may start with; empty means: the types no transition leads to.
    public var start: [String]
    /// Types that end a flow.
    public var terminal: [String]
    /// Compensating type → the forward type it undoes.
    public var compensations: [String: String]
    /// The expected directly-follows pairs.
    public var transitions: [Transition]

    /// Creates a definition.
    public init(
        name: String? = nil, start: [String] = [], terminal: [String] = [],
        compensations: [String: String] = [:], transitions: [Transition] = []
    ) {
        self.name = name
        self.start = start
        self.terminal = terminal
        self.compensations = compensations
        self.transitions = transitions
    }

    /// Every type the definition names.
    public var knownTypes: Set<String> {
        var types = Set(start).union(terminal)
        for (a, b) in compensations {
            types.insert(a)
            types.insert(b)
        }
        for t in transitions {
            types.insert(t.from)
            types.insert(t.to)
        }
        return types
    }

    /// The types a flow may start with: ``start``, else the types no transition leads to.
    public var startTypes: Set<String> {
        if !start.isEmpty { return Set(start) }
        let targets = Set(transitions.map(\.to))
        return Set(transitions.map(\.from)).subtracting(targets)
    }

    /// Per awaited type, the longest `within` of its outgoing transitions (nanoseconds).
    public var stuckLimitsNanos: [String: UInt64] {
        var limits: [String: UInt64] = [:]
        for t in transitions {
            guard let within = t.withinNanos else { continue }
            limits[t.from] = max(limits[t.from] ?? 0, within)
        }
        return limits
    }
}

import ChoreoInstrumentation

/// The order-fulfilment choreography in one process: checkout, order, payment, account,
/// inventory, shipment and notification, each on its own ``TracedBus`` over one shared
/// ``InMemoryBus``, in either ``ChoreographyStyle``, with faults on demand.
///
/// Spans go to whatever tracer is active for the caller (`InstrumentationSystem.tracer`,
/// or a `withTracer` scope around ``run(orders:seed:concurrency:progress:)``).
public struct OrderFulfilmentSystem: Sendable {
    /// Settings of a run.
    public struct Configuration: Sendable {
        /// How the services are coupled. Default commanded.
        public var style: ChoreographyStyle
        /// The scenario mix orders are drawn from. Default ``ScenarioMix/standard``.
        public var mix: ScenarioMix
        /// The faults injected. Default none.
        public var faults: FaultSettings
        /// How long one business day lasts on the system's clock. Default 1 s.
        public var dayLength: Duration
        /// The bus's tuning (attempts, backoff, queue sizes).
        public var bus: InMemoryBus.Configuration
        /// How consumer spans relate to producer spans.
        public var traceMode: ConsumerTraceMode
        /// The run fails when no order reaches a final state for this long, measured on a
        /// continuous clock (a safety net, never part of the simulation). Default 60 s plus
        /// 8 business days (60 s in simulated time).
        public var timeout: Duration?
        /// Simulated time: timers fire only once the bus is quiescent, so with a clock whose
        /// sleeps return at once (tests) business time jumps from one deadline to the next while
        /// keeping cause before effect. Default false (timers fire on the clock).
        public var simulatedTime: Bool
        /// Names the run inside every order id (see ``PlanSettings/runID``). Default empty.
        public var runID: String

        /// Creates a configuration; see each property for its default.
        public init(
            style: ChoreographyStyle = .commanded,
            mix: ScenarioMix = .standard,
            faults: FaultSettings = .none,
            dayLength: Duration = .seconds(1),
            bus: InMemoryBus.Configuration = InMemoryBus.Configuration(concurrencyPerSubscription: 16),
            traceMode: ConsumerTraceMode = .childOfProducer,
            timeout: Duration? = nil,
            simulatedTime: Bool = false,
            runID: String = ""
        ) {
            self.style = style
            self.mix = mix
            self.faults = faults
            self.dayLength = dayLength
            self.bus = bus
            self.traceMode = traceMode
            self.timeout = timeout
            self.simulatedTime = simulatedTime
            self.runID = runID
        }

        /// What orders are drawn from.
        public var planSettings: PlanSettings { PlanSettings(style: style, mix: mix, faults: faults, runID: runID) }

        /// ``timeout``, or its default: 60 s plus 8 business days (60 s in simulated time).
        public var effectiveTimeout: Duration { timeout ?? .seconds(60) + (simulatedTime ? .zero : dayLength * 8) }
    }

    /// The run's settings.
    public let configuration: Configuration
    /// The clock of business time and of the bus's backoff.
    public let clock: any Clock<Duration>

    /// Creates the system.
    public init(configuration: Configuration = Configuration(), clock: any Clock<Duration> = ContinuousClock()) {
        self.configuration = configuration
        self.clock = clock
    }

    /// The services' names, as they appear in `service.name` and as consumer groups.
    public static let services = ["checkout", "order", "payment", "account", "inventory", "shipment", "notification"]

    /// The plans of orders 1...`orders` of a run with `seed`.
    public func plans(orders: Int, seed: UInt64) -> [OrderPlan] {
        guard orders > 0 else { return [] }
        let settings = configuration.planSettings
        return (1...orders).map { OrderPlan(seed: seed, index: $0, settings: settings) }
    }
}

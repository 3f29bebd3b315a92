/// Which technical faults a run injects, and how often.
///
/// Per-order faults (``transient``, ``poison``, ``duplicate``) are drawn for each order with the
/// given probability (``OrderPlan``); run-wide faults (``outage``, ``missingSubscriber``) hit a
/// service for the whole run or a stretch of it. Parse the `--faults` flag with ``init(parsing:)``.
public struct FaultSettings: Sendable, Hashable {
    /// Probability that an order has a delivery failing transiently (then succeeding on a retry).
    public var transient: Double
    /// Probability that an order has a poison delivery (dead-lettered; the flow fails).
    public var poison: Double
    /// Probability that an order has a delivery made twice (ignored by the idempotent consumer).
    public var duplicate: Double
    /// A service stopped for a while; its backlog drains when it returns.
    public var outage: Outage?
    /// A service that never starts: messages only it consumes are published to nobody, and the
    /// flows that need it stop moving (`stuck`).
    public var missingSubscriber: String?

    /// An outage of one service.
    public struct Outage: Sendable, Hashable {
        /// The service (consumer group) that stops.
        public var service: String
        /// Business days after the start of the run when it stops.
        public var startsAfterDays: Double
        /// Business days it stays stopped.
        public var lastsDays: Double

        /// Creates an outage; by default inventory stops after a quarter of a day, for one day.
        public init(service: String = "inventory", startsAfterDays: Double = 0.25, lastsDays: Double = 1) {
            self.service = service
            self.startsAfterDays = startsAfterDays
            self.lastsDays = lastsDays
        }
    }

    /// Creates settings; the default injects nothing.
    public init(
        transient: Double = 0, poison: Double = 0, duplicate: Double = 0,
        outage: Outage? = nil, missingSubscriber: String? = nil
    ) {
        self.transient = transient
        self.poison = poison
        self.duplicate = duplicate
        self.outage = outage
        self.missingSubscriber = missingSubscriber
    }

    /// No faults.
    public static let none = FaultSettings()

    /// The default rate of each per-order fault: transient 0.1, poison 0.05, duplicate 0.05.
    public static let defaultRates: [String: Double] = ["transient": 0.1, "poison": 0.05, "duplicate": 0.05]

    /// The service that never starts under `--faults all`: account, so that the orders whose
    /// card is declined get stuck while every other order goes on.
    public static let defaultMissingSubscriber = "account"

    /// Every fault at its default rate: ``defaultRates``, an ``Outage`` of inventory and the
    /// ``defaultMissingSubscriber``.
    public static let all = FaultSettings(
        transient: defaultRates["transient"]!, poison: defaultRates["poison"]!, duplicate: defaultRates["duplicate"]!,
        outage: Outage(), missingSubscriber: defaultMissingSubscriber
    )

    /// True when nothing is injected.
    public var isNone: Bool { self == .none }
}

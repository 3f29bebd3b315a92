import ChoreoModel

/// What a run draws its orders from: the style (faults are aimed at its deliveries), the
/// scenario mix and the fault rates.
public struct PlanSettings: Sendable, Hashable {
    /// The choreography style the orders run in.
    public var style: ChoreographyStyle
    /// The scenario mix.
    public var mix: ScenarioMix
    /// The fault rates (only the per-order ones matter for a plan).
    public var faults: FaultSettings
    /// Names the run inside every order id (`order-<run>-000042`), so the orders of runs that
    /// share a collector never share a correlation id. Empty: `order-000042`.
    public var runID: String

    /// Creates settings; by default commanded, the standard mix, no faults, no run id.
    public init(style: ChoreographyStyle = .commanded, mix: ScenarioMix = .standard, faults: FaultSettings = .none, runID: String = "") {
        self.style = style
        self.mix = mix
        self.faults = faults
        self.runID = runID
    }
}

/// The deterministic plan of one order: drawn from the run's seed and the order's index only,
/// so the same seed yields the same scenario and the same faults for every order, whatever
/// the timing or the concurrency.
public struct OrderPlan: Sendable, Hashable {
    /// 1-based index of the order in the run.
    public var index: Int
    /// The scenario drawn for it.
    public var scenario: Scenario
    /// The order's details (its message body), faults included.
    public var details: OrderDetails

    /// Draws the plan of order `index` of a run with `seed`.
    ///
    /// The scenario and the faults come from separate random streams, so fault rates do not
    /// change which scenario an order gets.
    public init(seed: UInt64, index: Int, settings: PlanSettings = PlanSettings()) {
        let key = seed ^ (UInt64(truncatingIfNeeded: index) &* 0xD1B5_4A32_D192_ED03)
        var random = SplitMix64(seed: key)
        let scenario = settings.mix.draw(random.next())
        let amount = 500 + Int(random.next() % 20_000)
        let updateAfter = Double(1 + random.next() % 5)
        var faultRandom = SplitMix64(seed: key ^ 0x6A09_E667_F3BC_C908)
        self.index = index
        self.scenario = scenario
        self.details = OrderDetails(
            orderID: Self.orderID(index, run: settings.runID),
            amountCents: amount,
            vip: scenario == .vip,
            cardDeclined: scenario == .cardUpdated || scenario == .declined,
            cardUpdateAfterDays: scenario == .cardUpdated ? updateAfter : nil,
            goodsUnavailable: scenario == .unavailable,
            faults: Self.drawFaults(settings.faults, route: settings.style.deliveries(of: scenario), random: &faultRandom)
        )
    }

    /// The id of order `index`: `order-000042`, or `order-<run>-000042` within a named run.
    public static func orderID(_ index: Int, run: String = "") -> String {
        let digits = String(index)
        let padded = digits.count >= 6 ? digits : String(repeating: "0", count: 6 - digits.count) + digits
        return run.isEmpty ? "order-" + padded : "order-\(run)-" + padded
    }

    /// Draws each per-order fault with its rate and aims it at one of the route's deliveries
    /// (a poison only at a poisonable one; none when the route has none).
    static func drawFaults(_ settings: FaultSettings, route: [RouteDelivery], random: inout SplitMix64) -> OrderFaults {
        func hit(_ rate: Double) -> Bool { random.nextFraction() < rate }
        func pick(_ candidates: [RouteDelivery]) -> FaultTarget? {
            candidates.isEmpty ? nil : candidates[Int(random.next() % UInt64(candidates.count))].target
        }
        var faults = OrderFaults()
        // Every draw happens whatever the outcome, so one rate never shifts another fault's draw.
        let transient = hit(settings.transient)
        let transientTarget = pick(route)
        let failures = 1 + Int(random.next() % 2)
        let poison = hit(settings.poison)
        let poisonTarget = pick(route.filter(\.poisonable))
        let duplicate = hit(settings.duplicate)
        let duplicateTarget = pick(route)
        if transient {
            faults.transient = transientTarget
            faults.transientFailures = failures
        }
        if poison { faults.poison = poisonTarget }
        if duplicate { faults.duplicate = duplicateTarget }
        return faults
    }
}

/// What happens to an order, drawn at checkout from the run's seed and the order's index,
/// so a run is reproducible: the same seed yields the same scenario for every order.
public enum Scenario: String, Sendable, Hashable, CaseIterable, Codable {
    /// Paid, fetched, shipped: `OrderCompleted` (about 60% of orders).
    case happy
    /// The card is declined: `OrderCancelled`, nothing to undo (about 20%).
    case declined
    /// Paid, but the goods are unavailable: the payment is refunded, `OrderCancelled` (about 20%).
    case unavailable
}

/// The deterministic plan of one order.
public struct OrderPlan: Sendable, Hashable {
    /// 1-based index of the order in the run.
    public var index: Int
    /// The scenario drawn for it.
    public var scenario: Scenario
    /// The order's details (its message body).
    public var details: OrderDetails

    /// Draws the plan of order `index` of a run with `seed`.
    public init(seed: UInt64, index: Int) {
        var random = SplitMix64(seed: seed ^ (UInt64(truncatingIfNeeded: index) &* 0xD1B5_4A32_D192_ED03))
        let roll = random.next() % 100
        let scenario: Scenario = roll < 60 ? .happy : (roll < 80 ? .declined : .unavailable)
        let orderID = "order-" + Self.zeroPadded(index, width: 6)
        self.index = index
        self.scenario = scenario
        self.details = OrderDetails(
            orderID: orderID,
            amountCents: 500 + Int(random.next() % 20_000),
            cardDeclined: scenario == .declined,
            goodsUnavailable: scenario == .unavailable
        )
    }

    static func zeroPadded(_ value: Int, width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// SplitMix64: a small, fast, seedable generator with good statistical quality.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

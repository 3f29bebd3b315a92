/// The business path an order takes, drawn at checkout from the run's seed and the order's
/// index (``OrderPlan``), so a run is reproducible.
public enum Scenario: String, Sendable, Hashable, CaseIterable, Codable {
    /// Paid, goods available, shipped: `OrderCompleted`.
    case happy
    /// A VIP customer: invoiced instead of charged (`PaymentInvoiced`), then as `happy`.
    case vip
    /// The card is declined; the customer updates it within the 7-day deadline and the retried
    /// charge succeeds: `OrderCompleted`.
    case cardUpdated = "card-updated"
    /// The card is declined and never updated: after 7 business days `PaymentFailed`,
    /// `OrderCancelled`.
    case declined
    /// Paid, but the goods are unavailable: the payment is refunded (a compensation), `OrderCancelled`.
    case unavailable
}

/// Relative weights of the scenarios in a run's random mix.
public struct ScenarioMix: Sendable, Hashable {
    /// The weight of each scenario; absent or 0 means never drawn.
    public var weights: [Scenario: Int]

    /// Creates a mix; at least one weight must be positive.
    public init(weights: [Scenario: Int]) {
        self.weights = weights
    }

    /// happy 50%, vip 10%, card updated 10%, declined for good 10%, goods unavailable 20%.
    public static let standard = ScenarioMix(weights: [
        .happy: 50, .vip: 10, .cardUpdated: 10, .declined: 10, .unavailable: 20,
    ])

    /// Every order takes `scenario`.
    public static func only(_ scenario: Scenario) -> ScenarioMix {
        ScenarioMix(weights: [scenario: 1])
    }

    /// The scenario a uniformly random `roll` selects.
    func draw(_ roll: UInt64) -> Scenario {
        let ordered = Scenario.allCases.map { ($0, max(0, weights[$0] ?? 0)) }
        let total = ordered.reduce(0) { $0 + $1.1 }
        guard total > 0 else { return .happy }
        var point = Int(roll % UInt64(total))
        for (scenario, weight) in ordered {
            if point < weight { return scenario }
            point -= weight
        }
        return .happy
    }
}

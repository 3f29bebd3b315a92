import OrderFulfilment
import Testing

@Suite("Order plans")
struct PlanTests {
    static let faults = FaultSettings.all

    @Test("scenarios are drawn by the mix's weights", arguments: ChoreographyStyle.allCases)
    func distribution(style: ChoreographyStyle) {
        let settings = PlanSettings(style: style, faults: Self.faults)
        let plans = (1...10_000).map { OrderPlan(seed: 5, index: $0, settings: settings) }
        let total = Double(ScenarioMix.standard.weights.values.reduce(0, +))
        for scenario in Scenario.allCases {
            let share = Double(plans.filter { $0.scenario == scenario }.count) / Double(plans.count)
            let expected = Double(ScenarioMix.standard.weights[scenario] ?? 0) / total
            #expect(abs(share - expected) < 0.02, "\(scenario): \(share)")
        }
        #expect(plans[41].details.orderID == "order-000042")
        var namedSettings = settings
        namedSettings.runID = "r1"
        let named = OrderPlan(seed: 5, index: 42, settings: namedSettings)
        #expect(named.details.orderID == "order-r1-000042", "a named run puts its name in every order id")
        #expect(named.scenario == plans[41].scenario, "the run name does not change the draw")
    }

    @Test("a one-scenario mix sends every order down that path, with the details it needs", arguments: Scenario.allCases)
    func only(scenario: Scenario) {
        for index in 1...200 {
            let plan = OrderPlan(seed: 9, index: index, settings: PlanSettings(mix: .only(scenario)))
            #expect(plan.scenario == scenario)
            #expect(plan.details.vip == (scenario == .vip))
            #expect(plan.details.cardDeclined == [.cardUpdated, .declined].contains(scenario))
            #expect(plan.details.goodsUnavailable == (scenario == .unavailable))
            if scenario == .cardUpdated {
                #expect((1...5).contains(plan.details.cardUpdateAfterDays ?? 0), "updated within the 7-day deadline")
            } else {
                #expect(plan.details.cardUpdateAfterDays == nil)
            }
            #expect(plan.details.faults.isEmpty, "no faults unless asked")
        }
    }

    @Test("faults are drawn at their rates and aimed at deliveries of the order's own path", arguments: ChoreographyStyle.allCases)
    func faultsOnRoute(style: ChoreographyStyle) {
        let settings = PlanSettings(style: style, faults: Self.faults)
        let plans = (1...10_000).map { OrderPlan(seed: 21, index: $0, settings: settings) }
        #expect(abs(Double(plans.filter { $0.details.faults.transient != nil }.count) / 10_000 - 0.1) < 0.02)
        #expect(abs(Double(plans.filter { $0.details.faults.duplicate != nil }.count) / 10_000 - 0.05) < 0.015)
        #expect(plans.contains { $0.details.faults.poison != nil })
        for plan in plans {
            let route = style.deliveries(of: plan.scenario)
            let faults = plan.details.faults
            if let target = faults.transient {
                #expect(route.contains { $0.target == target })
                #expect((1...2).contains(faults.transientFailures))
            }
            if let target = faults.duplicate { #expect(route.contains { $0.target == target }) }
            if let target = faults.poison { #expect(route.contains { $0.target == target && $0.poisonable }) }
        }
    }

    @Test("a plan depends on seed and index only; fault rates never change the scenario")
    func deterministic() {
        for index in 1...500 {
            let faulty = OrderPlan(seed: 3, index: index, settings: PlanSettings(style: .chain, faults: .all))
            #expect(faulty == OrderPlan(seed: 3, index: index, settings: PlanSettings(style: .chain, faults: .all)))
            let clean = OrderPlan(seed: 3, index: index)
            #expect(clean.scenario == faulty.scenario)
            #expect(clean.details.amountCents == faulty.details.amountCents)
        }
        let scenarios = { (seed: UInt64) in (1...50).map { OrderPlan(seed: seed, index: $0).scenario } }
        #expect(scenarios(3) != scenarios(4))
    }

    @Test(
        "every route delivery names a service of the system, and terminal messages go to notification",
        arguments: ChoreographyStyle.allCases)
    func routes(style: ChoreographyStyle) {
        for scenario in Scenario.allCases {
            let route = style.deliveries(of: scenario)
            #expect(route.allSatisfy { OrderFulfilmentSystem.services.contains($0.service) && $0.service != "checkout" })
            #expect(route.last?.type.isTerminal == true && route.last?.service == "notification")
            #expect(route.filter { $0.type.isTerminal }.allSatisfy { !$0.poisonable })
        }
    }
}

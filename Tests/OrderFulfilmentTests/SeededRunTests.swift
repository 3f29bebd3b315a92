import ChoreoTestSupport
import Foundation
import ChoreoModel
import OrderFulfilment
import Testing

@Suite("Seeded runs", .timeLimit(.minutes(2)))
struct SeededRunTests {
    static func system(_ style: ChoreographyStyle, faults: FaultSettings = .all) -> OrderFulfilmentSystem {
        OrderFulfilmentSystem(
            configuration: .init(style: style, faults: faults, dayLength: simulatedDay, simulatedTime: true), clock: TestClock()
        )
    }

    /// The status an order must end in, from its plan alone, under `--faults all` (account missing).
    static func predictedStatus(_ plan: OrderPlan) -> FlowStatus {
        let poison = plan.details.faults.poison
        if [.cardUpdated, .declined].contains(plan.scenario) {
            // A poison message before the decline stops the flow before PaymentDeclined is published.
            return [.orderPlaced, .retrievePayment].contains(poison?.type) ? .failed : .stuck
        }
        if poison != nil { return .failed }
        return plan.scenario == .unavailable ? .compensated : .completed
    }

    @Test("200 orders with every fault end completed, compensated, failed or stuck, each as its plan predicts", arguments: ChoreographyStyle.allCases)
    func allFaults(style: ChoreographyStyle) async throws {
        let system = Self.system(style)
        let truth = try await system.run(orders: 200, seed: 11, concurrency: 20)
        #expect(truth.flows.count == 200)
        let statuses = Set(truth.flows.values.map(\.status))
        #expect(statuses == [.completed, .compensated, .failed, .stuck])
        for plan in system.plans(orders: 200, seed: 11) {
            let flow = try #require(truth.flows[plan.details.orderID])
            #expect(flow.status == Self.predictedStatus(plan), "\(plan.details.orderID) \(plan.scenario) \(plan.details.faults)")
            switch flow.status {
            case .stuck:
                #expect(flow.waitingFor == "PaymentDeclined")
                #expect(flow.outcome == nil)
            case .failed:
                #expect(flow.outcome == nil)
                #expect(flow.waitingFor == nil)
            case .completed, .compensated:
                #expect(flow.outcome == (plan.scenario == .unavailable ? "OrderCancelled" : "OrderCompleted"))
            case .inFlight:
                Issue.record("\(plan.details.orderID) never settled")
            }
        }
    }

    @Test("a run is reproducible for a fixed seed, whatever the concurrency; another seed differs", arguments: ChoreographyStyle.allCases)
    func reproducible(style: ChoreographyStyle) async throws {
        let first = try await Self.system(style).run(orders: 120, seed: 11, concurrency: 40)
        let second = try await Self.system(style).run(orders: 120, seed: 11, concurrency: 3)
        let other = try await Self.system(style).run(orders: 120, seed: 12, concurrency: 40)
        // The chain's two branches interleave freely, so compare its types as multisets.
        func key(_ truth: Truth) -> [String: String] {
            truth.flows.mapValues { flow in
                let types = style == .commanded ? flow.types : flow.types.sorted()
                return "\(flow.status.rawValue) \(flow.outcome ?? "-") \(flow.waitingFor ?? "-") \(types)"
            }
        }
        #expect(key(first) == key(second))
        #expect(key(first) != key(other))
    }

    @Test("the truth JSON is keyed by correlation id: status, outcome (null when none), types, and waiting_for when stuck")
    func truthJSON() async throws {
        let truth = try await Self.system(.commanded).run(orders: 60, seed: 11, concurrency: 8)
        let data = try truth.jsonData()
        let decoded = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
        #expect(Set(decoded.keys) == Set(truth.flows.keys))
        for (id, fields) in decoded {
            let flow = try #require(truth.flows[id])
            let keys: Set<String> = flow.status == .stuck ? ["status", "outcome", "types", "waiting_for"] : ["status", "outcome", "types"]
            #expect(Set(fields.keys) == keys, "\(id)")
            #expect(fields["status"] as? String == flow.status.rawValue)
            #expect(fields["types"] as? [String] == flow.types)
            if flow.outcome == nil { #expect(fields["outcome"] is NSNull, "\(id): explicit null") }
        }
        let roundTrip = try JSONDecoder().decode(Truth.self, from: data)
        #expect(roundTrip.flows.mapValues(\.types) == truth.flows.mapValues(\.types))
        #expect(roundTrip.flows.mapValues(\.waitingFor) == truth.flows.mapValues(\.waitingFor))
    }

    @Test("invalid arguments are rejected", arguments: [(-1, 4), (10, 0)])
    func invalidArguments(orders: Int, concurrency: Int) async {
        await #expect(throws: OrderFulfilmentError.self) {
            try await Self.system(.commanded).run(orders: orders, seed: 1, concurrency: concurrency)
        }
    }

    @Test("zero orders is an empty truth")
    func zeroOrders() async throws {
        #expect(try await Self.system(.chain).run(orders: 0, seed: 1, concurrency: 4).flows.isEmpty)
    }

    @Test("progress is reported after every settled order, up to the total")
    func progress() async throws {
        let reports = Recorded<RunProgress>()
        _ = try await Self.system(.chain, faults: .none).run(orders: 30, seed: 3, concurrency: 4) { reports.append($0) }
        let values = reports.values
        #expect(values.count == 30)
        #expect(values.last?.settled == 30)
        #expect(values.allSatisfy { $0.total == 30 && $0.placed <= 30 && $0.settled <= $0.placed })
    }
}

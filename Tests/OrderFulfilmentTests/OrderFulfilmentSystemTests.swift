#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ChoreoModel
import OrderFulfilment
import Testing

@Suite("OrderFulfilmentSystem")
struct OrderFulfilmentSystemTests {
    @Test("50 orders with seed 7 all end, mixing completed, declined and compensated orders")
    func seedSevenMix() async throws {
        let truth = try await OrderFulfilmentSystem().run(orders: 50, seed: 7, concurrency: 16)
        #expect(truth.flows.count == 50)
        #expect(truth.flows.values.allSatisfy { $0.outcome != nil })
        let kinds = Set(truth.flows.values.map { "\($0.status.rawValue)/\($0.outcome ?? "")" })
        #expect(kinds == ["completed/OrderCompleted", "completed/OrderCancelled", "compensated/OrderCancelled"])
        #expect(truth.flows["order-000001"] != nil && truth.flows["order-000050"] != nil)
        for (orderID, flow) in truth.flows {
            let scenario = OrderPlan(seed: 7, index: Int(orderID.dropFirst("order-".count))!).scenario
            #expect(flow.status == (scenario == .unavailable ? .compensated : .completed), "\(orderID)")
        }
    }

    @Test("a run is reproducible for a fixed seed, whatever the concurrency")
    func reproducible() async throws {
        let system = OrderFulfilmentSystem()
        let first = try await system.run(orders: 40, seed: 11, concurrency: 16)
        let second = try await system.run(orders: 40, seed: 11, concurrency: 3)
        let other = try await system.run(orders: 40, seed: 12, concurrency: 16)
        #expect(first.flows.mapValues(\.types) == second.flows.mapValues(\.types))
        #expect(first.flows.mapValues(\.status) == second.flows.mapValues(\.status))
        #expect(first.flows.mapValues(\.types) != other.flows.mapValues(\.types))
    }

    @Test("scenarios are drawn about 60/20/20")
    func distribution() {
        let plans = (1...10_000).map { OrderPlan(seed: 5, index: $0) }
        let share = { (s: Scenario) in Double(plans.filter { $0.scenario == s }.count) / Double(plans.count) }
        #expect(abs(share(.happy) - 0.6) < 0.03)
        #expect(abs(share(.declined) - 0.2) < 0.03)
        #expect(abs(share(.unavailable) - 0.2) < 0.03)
        #expect(plans[41].details.orderID == "order-000042")
    }

    @Test("the truth JSON is keyed by correlation id with status, outcome and types only")
    func truthJSON() async throws {
        let truth = try await OrderFulfilmentSystem().run(orders: 5, seed: 1, concurrency: 2)
        let data = try truth.jsonData()
        let decoded = try JSONDecoder().decode([String: [String: JSONValue]].self, from: data)
        #expect(Set(decoded.keys) == Set(truth.flows.keys))
        for (id, fields) in decoded {
            #expect(Set(fields.keys) == ["status", "outcome", "types"])
            #expect(fields["status"] == .string(truth.flows[id]!.status.rawValue))
            #expect(fields["types"] == .strings(truth.flows[id]!.types))
        }
        let roundTrip = try JSONDecoder().decode(Truth.self, from: data)
        #expect(roundTrip.flows.mapValues(\.types) == truth.flows.mapValues(\.types))
    }

    @Test("invalid arguments are rejected", arguments: [(-1, 4), (10, 0)])
    func invalidArguments(orders: Int, concurrency: Int) async {
        await #expect(throws: OrderFulfilmentError.self) {
            try await OrderFulfilmentSystem().run(orders: orders, seed: 1, concurrency: concurrency)
        }
    }

    @Test("zero orders is an empty truth")
    func zeroOrders() async throws {
        #expect(try await OrderFulfilmentSystem().run(orders: 0, seed: 1, concurrency: 4).flows.isEmpty)
    }
}

/// Just enough JSON to check the truth file's shape.
enum JSONValue: Decodable, Equatable {
    case string(String)
    case strings([String])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(String.self) { self = .string(value) } else {
            self = .strings(try container.decode([String].self))
        }
    }
}

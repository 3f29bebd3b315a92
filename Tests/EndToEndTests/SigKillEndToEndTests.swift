import Foundation
import Testing

/// A service process killed with SIGKILL in the middle of a run loses no order: its
/// unacknowledged deliveries are handed out again when it restarts, its durable timers (payment's
/// card deadline, the account's simulated card update) fire in the restarted process, and
/// every order ends.
@Suite("SIGKILL of a service process", .serialized, .enabled(if: PostgresE2E.url != nil, PostgresE2E.skipReason), .timeLimit(.minutes(10)))
struct SigKillEndToEndTests {
    static let services = ["order", "payment", "account", "inventory", "shipment", "notification"]
    static let orders = 300

    @Test("after inventory is SIGKILLed mid-run and restarted, every order reaches a final state the truth file records")
    func killAndRestart() async throws {
        let truth = try await Self.run(killing: "inventory", schema: "sigkill", day: "50ms")
        Self.expectEveryOrderFinal(truth)
    }

    @Test("after payment is SIGKILLed mid-run while declined cards wait, it restarts and every order reaches a final state")
    func killPaymentAndRestart() async throws {
        // Long enough business days that declined cards are waiting (for an update or the
        // 7-day deadline) when payment dies; their timers are delayed messages in PostgreSQL.
        let truth = try await Self.run(killing: "payment", schema: "sigkill_payment", day: "150ms")
        Self.expectEveryOrderFinal(truth)
        let declined = truth.filter { $0.value.types.contains("PaymentDeclined") }
        #expect(!declined.isEmpty, "the standard mix has declined cards")
        for (orderID, flow) in declined {
            let updated = flow.types.contains("CreditCardUpdated")
            let failed = flow.types.contains("PaymentFailed")
            // While payment is down, a card update and the deadline may both fall due; the
            // first one payment handles decides, so the flow either retried the charge or failed.
            #expect(updated || failed, "\(orderID): the card was updated or the deadline passed: \(flow.types)")
            if !failed { #expect(flow.types.contains("PaymentReceived"), "\(orderID): the charge was retried: \(flow.types)") }
            if failed { #expect(flow.outcome == "OrderCancelled", "\(orderID): cancelled after the deadline: \(flow.types)") }
        }
        #expect(declined.values.contains { $0.types.contains("CreditCardUpdated") }, "some customers updated their card")
        #expect(declined.values.contains { $0.types.contains("PaymentFailed") }, "some deadlines passed")
    }

    /// Starts every service, runs the driver, SIGKILLs `victim` once it has handled some
    /// deliveries, restarts it, and returns the truth file once the driver succeeded.
    static func run(killing victim: String, schema: String, day: String) async throws -> [String: PostgresE2E.Flow] {
        let harness = try ProcessHarness()
        let processes = OrderFulfilmentProcesses(harness: harness)
        defer { processes.stopAll() }
        let bus = ["--bus", try #require(PostgresE2E.url), "--schema", PostgresE2E.freshSchema(schema)]
        let common = bus + ["--style", "commanded", "--day", day]
        for service in services {
            try processes.start(service, ["service", service] + common)
            try await processes.waitForLog(service) { $0.contains("ready \(service)") }
        }
        let truthPath = harness.workDir.appendingPathComponent("truth.json").path
        try processes.start(
            "driver",
            [
                "run", "--external-services", "--orders", "\(orders)", "--concurrency", "30", "--seed", "5", "--truth", truthPath,
            ] + common)
        // Mid-run: the victim has handled some deliveries (and has more in hand).
        try await processes.waitForLog(victim) { log in
            log.split(separator: "\n").contains { $0.hasPrefix("handled ") && (Int($0.dropFirst(8)) ?? 0) >= 20 }
        }
        processes.kill(victim, signal: SIGKILL)
        #expect(processes.log("driver").contains("truth written") == false, "the run was still going when the service died")
        try processes.start(victim, ["service", victim] + common)
        let status = try await processes.waitForExit("driver", limit: .seconds(180))
        try #require(status == 0, "the run failed: \(processes.log("driver").suffix(2_000))")
        return try PostgresE2E.truth(at: truthPath)
    }

    /// Every order is in the truth, ended completed or compensated, published its outcome,
    /// and published no message twice.
    static func expectEveryOrderFinal(_ truth: [String: PostgresE2E.Flow]) {
        #expect(truth.count == orders)
        let terminal = ["OrderCompleted", "OrderCancelled"]
        for (orderID, flow) in truth {
            #expect(["completed", "compensated"].contains(flow.status), "\(orderID): \(flow.status)")
            #expect(flow.outcome.map(terminal.contains) == true, "\(orderID): outcome \(String(describing: flow.outcome))")
            #expect(flow.outcome.map(flow.types.contains) == true, "\(orderID): published its outcome: \(flow.types)")
            #expect(Set(flow.types).count == flow.types.count, "\(orderID): no message published twice: \(flow.types)")
        }
    }
}

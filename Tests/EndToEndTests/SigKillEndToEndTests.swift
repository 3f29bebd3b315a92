import Foundation
import Testing

/// A service process killed with SIGKILL in the middle of a run loses no order: its
/// unacknowledged deliveries are handed out again when it restarts, and every order ends.
@Suite("SIGKILL of a service process", .serialized, .enabled(if: PostgresE2E.url != nil, PostgresE2E.skipReason))
struct SigKillEndToEndTests {
    static let services = ["order", "payment", "account", "inventory", "shipment", "notification"]

    @Test("after inventory is SIGKILLed mid-run and restarted, every order reaches a final state the truth file records")
    func killAndRestart() async throws {
        let harness = try ProcessHarness()
        let processes = OrderFulfilmentProcesses(harness: harness)
        defer { processes.stopAll() }
        let bus = ["--bus", try #require(PostgresE2E.url), "--schema", PostgresE2E.freshSchema("sigkill")]
        let common = bus + ["--style", "commanded", "--day", "50ms"]
        let victim = "inventory"
        for service in Self.services {
            try processes.start(service, ["service", service] + common)
            try await processes.waitForLog(service) { $0.contains("ready \(service)") }
        }
        let truthPath = harness.workDir.appendingPathComponent("truth.json").path
        let orders = 300
        try processes.start("driver", [
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
        let truth = try PostgresE2E.truth(at: truthPath)
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

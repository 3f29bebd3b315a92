import ChoreoTestSupport
import Foundation
import Testing

/// The broker itself fails: SIGKILLed in the middle of a multi-process run with every fault
/// on, and started again 5 s later. The services and the driver ride it out (publishes wait
/// for the broker, consumers reconnect and declare their topology again, unacknowledged
/// deliveries come back): every order still reaches the final state its truth says, and the
/// collector rebuilds every flow to match it.
@Suite("Broker SIGKILL mid-run", .serialized, .timeLimit(.minutes(10)))
struct BrokerKillEndToEndTests {
    static let orders = 300

    @Test(
        "RabbitMQ SIGKILLed mid-run and restarted 5 s later: no order lost, every flow matches the truth",
        .enabled(if: ScriptedTestServer.Kind.rabbitMQ.isInstalled, "skipped: rabbitmq-server is not installed"))
    func rabbitMQ() async throws {
        try await Self.killMidRun(.rabbitMQ)
    }

    @Test(
        "NATS SIGKILLed mid-run and restarted 5 s later: no order lost, every flow matches the truth",
        .enabled(if: ScriptedTestServer.Kind.nats.isInstalled, "skipped: nats-server is not installed"))
    func nats() async throws {
        try await Self.killMidRun(.nats)
    }

    static func killMidRun(_ kind: ScriptedTestServer.Kind) async throws {
        try await ScriptedTestServer.with(kind) { try await killMidRun($0) }
    }

    private static func killMidRun(_ broker: ScriptedTestServer) async throws {
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let pipeline = try await harness.startCollectorAndAgent()
        let truthPath = harness.workDir.appendingPathComponent("truth.json").path
        let driver = try harness.start(
            "order-fulfilment",
            [
                "--bus", broker.url, "--processes", "--faults", "all", "--orders", "\(orders)", "--concurrency", "8", "--seed", "9",
                "--day", "500ms", "--truth", truthPath,
            ],
            environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": pipeline.agentURL])

        // Mid-run: the collector has seen a good part of the orders begin, not all of them.
        try await FlowTruthChecks.waitForFlows(atLeast: orders / 5, collectorPort: pipeline.collectorPort, while: driver)
        try #require(driver.isRunning, "the run ended before the broker was killed: \(harness.log("order-fulfilment"))")
        try await broker.kill()
        // The scenario's outage (not a wait for something to happen): the broker stays down 5 s.
        try await Task.sleep(for: .seconds(5))
        let runningWhileDown = driver.isRunning
        try await broker.restart()

        let status = await exitStatus(of: driver, limit: .seconds(300))
        try #require(status == 0, "order-fulfilment failed after the broker restart: \(harness.log("order-fulfilment"))")
        #expect(runningWhileDown, "the run ended while the broker was down")

        let truth = try PostgresE2E.truth(at: truthPath)
        #expect(truth.count == orders, "the truth holds every order")
        try await Chaos.waitUntilAgentDrained(agentPort: pipeline.agentPort)
        let wrong = try await FlowTruthChecks.flowsDiffering(from: truth, collectorPort: pipeline.collectorPort)
        #expect(wrong.isEmpty, "\(wrong.count) flows differ from the truth: \(wrong.prefix(5))")
        let statuses = Set(truth.values.map(\.status))
        #expect(statuses.isSuperset(of: ["completed", "compensated", "failed", "stuck"]), "every fault shows: \(statuses)")
    }

    /// The process's exit status, waiting on a thread of its own; -1 if it still runs after `limit` (then it is killed).
    private static func exitStatus(of process: Process, limit: Duration) async -> Int32 {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while process.isRunning, clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(200))
        }
        guard !process.isRunning else {
            process.terminate()
            return -1
        }
        return process.terminationStatus
    }
}

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

    @Test(
        "a service process SIGKILLed mid-run stops the run at once, naming the service and the signal",
        .enabled(if: ScriptedTestServer.Kind.nats.isInstalled, "skipped: nats-server is not installed"))
    func serviceCrash() async throws {
        try await ScriptedTestServer.with(.nats) { broker in
            let harness = try ProcessHarness()
            defer { harness.stopAll() }
            // Business time long enough that the run is still going when payment dies.
            let driver = try harness.start(
                "order-fulfilment",
                ["--bus", broker.url, "--processes", "--orders", "\(Self.orders)", "--concurrency", "8", "--seed", "9", "--day", "2s"])
            // The run starts its services one after the other, each once the one before is
            // ready: once notification (the last) runs, payment is ready and the run is going.
            _ = try await Self.childProcess(of: driver, service: "notification", log: { harness.log("order-fulfilment") })
            let payment = try await Self.childProcess(of: driver, service: "payment", log: { harness.log("order-fulfilment") })
            try #require(kill(payment, SIGKILL) == 0, "kill payment (pid \(payment))")

            // Without the watch, the run would wait out its stall timeout (minutes) instead.
            let status = await Self.exitStatus(of: driver, limit: .seconds(60))
            let log = harness.log("order-fulfilment")
            #expect(status != 0 && status != -1, "the run ended, with a failure: status \(status)")
            #expect(log.contains("service payment (pid \(payment)) was killed by signal 9"), "the error names the service and the signal: \(log)")
        }
    }

    @Test(
        "a service started while its broker is down waits for it, says so, and is ready once the broker is back",
        .enabled(if: ScriptedTestServer.Kind.nats.isInstalled, "skipped: nats-server is not installed"))
    func serviceWaitsForBroker() async throws {
        try await ScriptedTestServer.with(.nats) { broker in
            let harness = try ProcessHarness()
            defer { harness.stopAll() }
            try await broker.kill()
            let service = try harness.start("order-fulfilment", ["service", "payment", "--bus", broker.url, "--system", "choreo-wait"])
            try await Self.waitForLog(harness, "order-fulfilment", toContain: "waiting up to 60.0 seconds for the bus", while: service)
            #expect(!harness.log("order-fulfilment").contains("ready payment"), "not ready while the broker is down")
            try await broker.restart()
            try await Self.waitForLog(harness, "order-fulfilment", toContain: "ready payment", while: service)
            #expect(service.isRunning, "still running once ready: \(harness.log("order-fulfilment"))")
        }
    }

    /// Returns once the log of `name` contains `text`; fails if `process` exits first or 60 s pass.
    private static func waitForLog(_ harness: ProcessHarness, _ name: String, toContain text: String, while process: Process) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        while !harness.log(name).contains(text) {
            try #require(process.isRunning, "\(name) exited before printing '\(text)': \(harness.log(name))")
            try #require(clock.now < deadline, "\(name) did not print '\(text)' within 60 s: \(harness.log(name))")
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The pid of `service`'s process among `parent`'s children, once it runs (60 s at most);
    /// the error carries `parent`'s log when it exits first or the time runs out.
    private static func childProcess(of parent: Process, service: String, log: () -> String) async throws -> pid_t {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        while clock.now < deadline, parent.isRunning {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            for entry in entries {
                guard let pid = pid_t(entry),
                    let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                    let afterName = stat.range(of: ") ", options: .backwards)
                else { continue }
                // Fields after the name: state, ppid, ...
                let fields = stat[afterName.upperBound...].split(separator: " ")
                guard fields.count > 1, pid_t(fields[1]) == parent.processIdentifier,
                    let command = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline")
                else { continue }
                let arguments = command.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
                if let index = arguments.firstIndex(of: "service"), arguments.dropFirst(index + 1).first == service { return pid }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let how = parent.isRunning ? "not running after 60 s" : "not found: the parent exited with status \(parent.terminationStatus)"
        throw ChildNotFound(service: service, how: how, parentLog: String(log().suffix(4_000)))
    }

    struct ChildNotFound: Error {
        var service: String
        var how: String
        var parentLog: String
    }

    /// The process's exit status, waiting on a thread of its own; -1 if it still runs after `limit` (then it is killed).
    static func exitStatus(of process: Process, limit: Duration) async -> Int32 {
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

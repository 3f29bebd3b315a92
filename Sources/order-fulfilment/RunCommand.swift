import ArgumentParser
import ChoreoTracer
import OrderFulfilment
import Foundation

/// Runs the order-fulfilment choreography and exports its spans over OTLP/HTTP.
struct OrderFulfilmentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the order-fulfilment choreography (checkout, order, payment, account, inventory, shipment, notification).",
        discussion: """
            Spans go to OTEL_EXPORTER_OTLP_ENDPOINT (default http://127.0.0.1:4318). \
            The same seed always yields the same scenario and faults per order.

            Faults (--faults, comma-separated): all, none, transient[=RATE], poison[=RATE], \
            duplicate[=RATE], outage[=SERVICE], missing-subscriber[=SERVICE]. \
            Example: --faults all or --faults transient=0.1,poison=0.02,outage=payment,missing-subscriber=shipment.

            Clock skew (--clock-skew, comma-separated SERVICE=±DURATION): every time a service's spans \
            record is moved as if its host's clock were that far ahead (+) or behind (-), e.g. \
            --clock-skew payment=+1500ms,shipment=-2s. Only the recorded times move (no sleeps); \
            flows are corrected from causality (docs/clock-skew.md).

            Buses: --bus memory (default, one process), or a durable bus shared by processes: \
            postgres://user@host:port/db, amqp://user:password@host:port/vhost (RabbitMQ) or nats://host:port \
            (NATS JetStream). On a durable bus every service runs in this process, each on connections \
            of its own; with --processes, every service in its own child process (`order-fulfilment \
            service NAME`); with --external-services, the services were started separately and this \
            process only places orders and writes the truth. On a broker the truth is observed on the \
            broker (a consumer group of its own on every topic, and the dead letters).
            """
    )

    @Option(help: "Choreography style: commanded (the order service sends commands) or chain (services react to each other's events).")
    var style: String = "commanded"

    @Option(help: "Faults to inject (see below). Default none.")
    var faults: String = "none"

    @Option(
        help:
            "Name of this run inside every order id (order-<run>-000042). Default: a fresh random name, so runs sharing a collector never share an order id; give one to reproduce ids."
    )
    var runID: String?

    @Option(help: "Send every order down one path: happy, vip, card-updated, declined, unavailable. Default: a seeded mix.")
    var scenario: String?

    @Option(
        help:
            "Weights of the seeded mix, e.g. happy=85,vip=5,card-updated=4,declined=3,unavailable=3. Default: happy=50,vip=10,card-updated=10,declined=10,unavailable=20."
    )
    var mix: String?

    @Option(help: "Number of orders to place.")
    var orders = 20

    @Option(help: "Seed of the scenario and fault draws.")
    var seed: UInt64 = 1

    @Option(help: "Write the ground truth (JSON, by correlation id) to this file.")
    var truth: String?

    @Option(help: "Orders in flight at once.")
    var concurrency = 16

    @Option(help: "Length of one business day, e.g. 2s or 100ms (a declined card waits 7 days).")
    var day = "1s"

    @Option(
        help: "Fail when no order reaches a final state for this long, e.g. 90s or 5m (a bare number is seconds). Default 60s plus 8 business days.",
        transform: { try RunArguments.duration($0, bareNumbersIn: .seconds) })
    var timeout: Duration?

    @Option(help: "Skew the clocks the services' spans are stamped with, e.g. payment=+1500ms,shipment=-2s (services in this process only).")
    var clockSkew: String?

    @OptionGroup var bus: BusOptions

    @Flag(help: "With a durable bus: start every service as its own child process (on PostgreSQL, empties the schema first).")
    var processes = false

    @Flag(
        help:
            "With a durable bus: the services run in other processes (`order-fulfilment service NAME`) on the same schema or broker system; only place orders and write the truth."
    )
    var externalServices = false

    func validate() throws {
        guard orders >= 0 else { throw ValidationError("--orders must be 0 or more") }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be 1 or more") }
        if let timeout, timeout < .seconds(1) { throw ValidationError("--timeout must be 1s or more") }
        if processes || externalServices {
            guard bus.isDurable else { throw ValidationError("--processes and --external-services need a durable --bus (postgres://, amqp:// or nats://)") }
            guard !(processes && externalServices) else { throw ValidationError("use either --processes or --external-services") }
        }
        _ = try bus.kind()
        if let clockSkew {
            do {
                _ = try ClockSkewSettings(parsing: clockSkew)
            } catch let error as OrderFulfilmentError {
                throw ValidationError("--clock-skew: \(error.message)")
            }
            guard !processes, !externalServices else {
                throw ValidationError("--clock-skew skews services in this process; it cannot be used with --processes or --external-services")
            }
        }
        if let runID, runID.isEmpty || !runID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
            throw ValidationError("--run-id must be letters, digits, '-' or '_'; got '\(runID)'")
        }
        _ = try systemConfiguration()
    }

    /// The system's configuration from the flags; a `ValidationError` names a bad flag.
    func systemConfiguration() throws -> OrderFulfilmentSystem.Configuration {
        guard let style = ChoreographyStyle(rawValue: style) else {
            throw ValidationError("--style must be commanded or chain, not '\(style)'")
        }
        var mix = ScenarioMix.standard
        if scenario != nil, self.mix != nil {
            throw ValidationError("--scenario and --mix exclude each other: --scenario sends every order down one path")
        }
        if let scenario {
            guard let chosen = Scenario(rawValue: scenario) else {
                let names = Scenario.allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError("--scenario must be one of \(names), not '\(scenario)'")
            }
            mix = .only(chosen)
        }
        do {
            if let text = self.mix { mix = try ScenarioMix(parsing: text) }
            return OrderFulfilmentSystem.Configuration(
                style: style, mix: mix, faults: try FaultSettings(parsing: faults),
                dayLength: try RunArguments.duration(day), traceMode: try bus.consumerTraceMode(), timeout: timeout,
                runID: runID ?? Self.freshRunID()
            )
        } catch let error as OrderFulfilmentError {
            throw ValidationError(error.message)
        }
    }

    func run() async throws {
        let system = OrderFulfilmentSystem(configuration: try systemConfiguration())
        let meter = ProgressLine(enabled: isatty(STDERR_FILENO) != 0)
        let started = ContinuousClock.now
        // A broker system: `--system`, else `choreo` for services started separately, else a
        // fresh name, so a run never meets an earlier run's queues or streams.
        let brokerSystem = bus.system ?? (externalServices ? "choreo" : "choreo-" + Self.freshRunID())
        let result: Truth
        do {
            result = try await withSpanExport {
                switch try bus.kind(defaultSystem: brokerSystem) {
                case .memory:
                    return try await system.run(orders: orders, seed: seed, concurrency: concurrency, progress: meter.report)
                case .postgres(let postgres):
                    return try await runOnPostgres(system, postgres, progress: meter.report)
                case let broker:
                    return try await runOnBroker(system, broker, system: brokerSystem, progress: meter.report)
                }
            }
        } catch let error as OrderFulfilmentError {
            meter.finish()
            Self.fail(error.message)
        }
        meter.finish()
        let elapsed = ContinuousClock.now - started
        print(Self.summary(result, elapsed: elapsed))
        if bus.isDurable, !bus.isPostgres { print("broker system: \(brokerSystem)") }
        if let truth {
            try result.jsonData().write(to: URL(fileURLWithPath: truth))
            print("truth written to \(truth)")
        }
    }

    /// Six hex digits from the system's random source: one call per run.
    static func freshRunID() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() & 0xFF_FFFF
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 6 - hex.count) + hex
    }

    // MARK: Tracer wiring (the only place that knows the tracer)

    /// Runs `body` with the tracer exporting OTLP/HTTP (configured by the `OTEL_*` environment
    /// variables), and returns once every span it ended has been exported or has failed for good.
    func withSpanExport<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await Self.withSpanExport(skews: try clockSkew.map(ClockSkewSettings.init(parsing:)) ?? .none, body)
    }

    /// ``withSpanExport(_:)`` for any command of this executable; with `skews` (`--clock-skew`),
    /// every span's times move by its service's skew before export.
    static func withSpanExport<T: Sendable>(skews: ClockSkewSettings, _ body: () async throws -> T) async throws -> T {
        let configuration: ChoreoTracerConfiguration
        do {
            configuration = try .fromEnvironment(serviceName: "order-fulfilment")
        } catch {
            fail("tracer configuration: \(error)")
        }
        return try await ChoreoTracing.withTracing(
            configuration: configuration, inFrontOfExport: skews.isEmpty ? nil : { ClockSkewProcessor(wrapped: $0, skews: skews) }, body)
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("order-fulfilment: \(message)\n".utf8))
        Self.exit(withError: ExitCode.failure)
    }

    static func summary(_ truth: Truth, elapsed: Duration) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Double(truth.flows.count) / seconds : 0
        var lines = ["orders: \(truth.flows.count) in \(String(format: "%.1f", seconds)) s (\(Int(rate)) orders/s)"]
        for row in truth.tally {
            lines.append("  \(row.status.rawValue) \(row.outcome ?? "-"): \(row.count)")
        }
        return lines.joined(separator: "\n")
    }
}

import ArgumentParser
import ChoreoTracer
import OrderFulfilment
import Foundation

/// Runs the order-fulfilment choreography and exports its spans over OTLP/HTTP.
struct OrderFulfilmentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "order-fulfilment",
        abstract: "Run the order-fulfilment choreography (checkout, order, payment, inventory, shipment, notification).",
        discussion: """
        Spans go to OTEL_EXPORTER_OTLP_ENDPOINT (default http://127.0.0.1:4318). \
        The same seed always yields the same scenario per order.
        """
    )

    @Option(help: "Number of orders to place.")
    var orders = 20

    @Option(help: "Seed of the scenario draw (happy ~60%, declined ~20%, goods unavailable ~20%).")
    var seed: UInt64 = 1

    @Option(help: "Write the ground truth (JSON, by correlation id) to this file.")
    var truth: String?

    @Option(help: "Orders in flight at once.")
    var concurrency = 16

    @Option(help: "Seconds the orders may take before the run fails.")
    var timeout = 60

    func validate() throws {
        guard orders >= 0 else { throw ValidationError("--orders must be 0 or more") }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be 1 or more") }
        guard timeout >= 1 else { throw ValidationError("--timeout must be 1 or more") }
    }

    func run() async throws {
        let system = OrderFulfilmentSystem(configuration: .init(timeout: .seconds(timeout)))
        let result: Truth
        do {
            result = try await withSpanExport {
                try await system.run(orders: orders, seed: seed, concurrency: concurrency)
            }
        } catch let error as OrderFulfilmentError {
            Self.fail(error.message)
        }
        print(Self.summary(result))
        if let truth {
            try result.jsonData().write(to: URL(fileURLWithPath: truth))
            print("truth written to \(truth)")
        }
    }

    // MARK: Tracer wiring (the only place that knows the tracer)

    /// Runs `body` with the tracer exporting OTLP/HTTP (configured by the `OTEL_*` environment
    /// variables), and returns once every span it ended has been exported or has failed for good.
    private func withSpanExport<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        let configuration: ChoreoTracerConfiguration
        do {
            configuration = try .fromEnvironment(serviceName: "order-fulfilment")
        } catch {
            Self.fail("tracer configuration: \(error)")
        }
        return try await ChoreoTracing.withTracing(configuration: configuration, body)
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("order-fulfilment: \(message)\n".utf8))
        Self.exit(withError: ExitCode.failure)
    }

    static func summary(_ truth: Truth) -> String {
        var lines = ["orders: \(truth.flows.count)"]
        for row in truth.tally {
            lines.append("  \(row.status.rawValue) \(row.outcome ?? "-"): \(row.count)")
        }
        return lines.joined(separator: "\n")
    }
}

// `main.swift` cannot use `@main`; this does what `AsyncParsableCommand.main()` does. (Called
// directly from top-level code, `main()` and `run()` resolve to their synchronous overloads.)
func runCommand() async {
    do {
        let command = try await OrderFulfilmentCommand.asyncParse()
        try await command.run()
    } catch {
        OrderFulfilmentCommand.exit(withError: error)
    }
}

await runCommand()

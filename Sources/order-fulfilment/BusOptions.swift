import ArgumentParser
import ChoreoInstrumentation
import ChoreoNATSBus
import ChoreoPostgresBus
import ChoreoRabbitMQBus

/// The bus flags shared by `run` and `service`.
struct BusOptions: ParsableArguments {
    @Option(
        help: """
            The bus: memory (default, one process), postgres://user[:password]@host[:port]/database, \
            amqp://user:password@host:port/vhost (RabbitMQ) or nats://host:port (NATS JetStream).
            """)
    var bus = "memory"

    @Option(help: "With a PostgreSQL bus: the schema holding its tables. Default choreo (or ?schema= in the URL).")
    var schema: String?

    @Option(
        help: """
            With a broker bus: the system's name, the prefix of its RabbitMQ exchanges and queues or its NATS stream. \
            Default: a fresh name per run for `run` (printed), `choreo` for `service` and `run --external-services`.
            """)
    var system: String?

    @Option(help: "How a consumer span relates to the producer's: child (one trace per flow) or new-trace (a new trace per step, linked).")
    var traceMode = "child"

    /// The bus the flags name.
    enum Kind {
        case memory
        case postgres(PostgresBus.Configuration)
        case rabbitMQ(RabbitMQBus.Configuration)
        case nats(NATSBus.Configuration)
    }

    /// The bus the flags name, its configuration checked; a broker's system is `system`, else
    /// `defaultSystem`, else what the URL says.
    func kind(defaultSystem: String? = nil) throws -> Kind {
        do {
            if bus == "memory" { return .memory }
            if bus.hasPrefix("postgres://") || bus.hasPrefix("postgresql://") {
                var configuration = try PostgresBus.Configuration(url: bus)
                if let schema { configuration.schema = schema }
                try configuration.validate()
                return .postgres(configuration)
            }
            let system = self.system ?? defaultSystem
            if bus.hasPrefix("amqp://") || bus.hasPrefix("amqps://") {
                var configuration = try RabbitMQBus.Configuration(url: bus)
                if let system { configuration.prefix = system }
                try configuration.validate()
                return .rabbitMQ(configuration)
            }
            if bus.hasPrefix("nats://") {
                var configuration = try NATSBus.Configuration(url: bus)
                if let system { configuration.system = system }
                try configuration.validate()
                return .nats(configuration)
            }
        } catch let error as BusError {
            throw ValidationError("--bus/--schema/--system: \(error.message)")
        }
        throw ValidationError("--bus must be memory, postgres://..., amqp://... or nats://..., not '\(bus)'")
    }

    /// True for a bus that connects services in several processes (PostgreSQL or a broker).
    var isDurable: Bool { bus != "memory" }

    /// True for a PostgreSQL URL.
    var isPostgres: Bool { bus.hasPrefix("postgres://") || bus.hasPrefix("postgresql://") }

    /// The PostgreSQL bus's configuration, or nil for another bus.
    func postgresConfiguration() throws -> PostgresBus.Configuration? {
        if case .postgres(let configuration) = try kind() { return configuration }
        return nil
    }

    /// The `--trace-mode` value.
    func consumerTraceMode() throws -> ConsumerTraceMode {
        guard let mode = ConsumerTraceMode(rawValue: traceMode) else {
            throw ValidationError("--trace-mode must be child or new-trace, not '\(traceMode)'")
        }
        return mode
    }

    /// The flags that give a child process the same bus (with `system`, the broker system).
    func arguments(system: String? = nil) -> [String] {
        ["--bus", bus, "--trace-mode", traceMode] + (schema.map { ["--schema", $0] } ?? [])
            + ((system ?? self.system).map { ["--system", $0] } ?? [])
    }
}

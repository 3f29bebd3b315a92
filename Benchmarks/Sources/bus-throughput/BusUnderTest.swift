import ChoreoInstrumentation
import ChoreoNATSBus
import ChoreoPostgresBus
import ChoreoRabbitMQBus

/// A bus this benchmark can start and stop: every bus of Choreoscope has `run()`.
protocol RunnableBus: MessageBus {
    /// Runs the bus until the task is cancelled.
    func run() async throws
}

extension InMemoryBus: RunnableBus {}
extension PostgresBus: RunnableBus {}
extension RabbitMQBus: RunnableBus {}
extension NATSBus: RunnableBus {}

/// One of the four buses, as given on the command line.
enum BusUnderTest: Sendable {
    case memory
    case postgres(PostgresBus.Configuration)
    case rabbitMQ(RabbitMQBus.Configuration)
    case nats(NATSBus.Configuration)

    /// The name printed in the table.
    var name: String {
        switch self {
        case .memory: "in-memory"
        case .postgres: "PostgreSQL"
        case .rabbitMQ: "RabbitMQ"
        case .nats: "NATS JetStream"
        }
    }

    /// The settings that bound the consumer side, for the report.
    var settings: String {
        switch self {
        case .memory: "defaults"
        case .postgres(let c): "concurrencyPerSubscription \(c.concurrencyPerSubscription), maximumConnections \(c.maximumConnections)"
        case .rabbitMQ(let c): "concurrencyPerSubscription (prefetch) \(c.concurrencyPerSubscription), publisher confirms"
        case .nats(let c): "concurrencyPerSubscription \(c.concurrencyPerSubscription), threads \(c.threads)"
        }
    }

    /// A fresh bus whose names (PostgreSQL schema, RabbitMQ prefix, NATS stream) are `name`
    /// alone, so that no run sees another run's messages.
    func make(name: String) throws -> any RunnableBus {
        switch self {
        case .memory:
            return try InMemoryBus()
        case .postgres(var configuration):
            configuration.schema = name
            configuration.applicationName = "bus-throughput"
            return try PostgresBus(configuration: configuration)
        case .rabbitMQ(var configuration):
            configuration.prefix = name
            return try RabbitMQBus(configuration: configuration)
        case .nats(var configuration):
            configuration.system = name
            configuration.connectionName = "bus-throughput"
            return try NATSBus(configuration: configuration)
        }
    }
}

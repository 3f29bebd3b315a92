import ChoreoNATSBus
import ChoreoRabbitMQBus
import OrderFulfilment

extension OrderFulfilmentCommand {
    /// Runs the orders on a RabbitMQ or NATS JetStream bus, under the broker system `system`:
    /// every service in this process (each on connections of its own), every service in a
    /// child process (`--processes`), or services started separately (`--external-services`).
    func runOnBroker(
        _ orderSystem: OrderFulfilmentSystem, _ kind: BusOptions.Kind, system: String,
        progress: @escaping @Sendable (RunProgress) -> Void
    ) async throws -> Truth {
        switch kind {
        case .rabbitMQ(let configuration):
            return try await runOnBroker(orderSystem, system: system, progress: progress) { _ in
                try RabbitMQBus(configuration: configuration)
            }
        case .nats(let configuration):
            return try await runOnBroker(orderSystem, system: system, progress: progress) { name in
                var configuration = configuration
                configuration.connectionName = "choreo-\(name)"
                configuration.threads = 4
                return try NATSBus(configuration: configuration)
            }
        case .memory, .postgres:
            throw OrderFulfilmentError(.invalidArgument, "not a broker bus: \(bus.bus)")
        }
    }

    private func runOnBroker<Bus: BrokerBus>(
        _ orderSystem: OrderFulfilmentSystem, system: String, progress: @escaping @Sendable (RunProgress) -> Void,
        makeBus: @escaping @Sendable (String) throws -> Bus
    ) async throws -> Truth {
        let services: any ServiceHost
        if processes {
            let arguments = ["--style", style, "--day", day, "--exit-with-parent"] + bus.arguments(system: system)
            services = ChildServices { ["service", $0] + arguments }
        } else if externalServices {
            services = ExternalServices()
        } else {
            services = InProcessServices(system: orderSystem, makeBus: makeBus)
        }
        return try await orderSystem.run(
            plans: orderSystem.plans(orders: orders, seed: seed), concurrency: concurrency, services: services, makeBus: makeBus,
            progress: progress)
    }
}

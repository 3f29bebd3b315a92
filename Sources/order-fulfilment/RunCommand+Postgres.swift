import ChoreoPostgresBus
import OrderFulfilment

extension OrderFulfilmentCommand {
    /// Runs the orders on the PostgreSQL bus: every service in this process, every service in
    /// a child process (`--processes`), or services started separately (`--external-services`).
    /// Except with `--external-services`, the schema is emptied first.
    func runOnPostgres(
        _ system: OrderFulfilmentSystem, _ postgres: PostgresBus.Configuration, progress: @escaping @Sendable (RunProgress) -> Void
    ) async throws -> Truth {
        var postgres = postgres
        postgres.applicationName = "choreo-driver"
        let childArguments = ["--style", style, "--day", day, "--exit-with-parent"] + self.bus.arguments()
        let bus = try PostgresBus(configuration: postgres)
        let plans = system.plans(orders: orders, seed: seed)
        let faults = system.configuration.faults
        let services = Set(OrderFulfilmentSystem.services).subtracting(["checkout"] + [faults.missingSubscriber].compactMap { $0 })
        let processes = processes
        let external = externalServices
        let concurrency = concurrency
        return try await withThrowingTaskGroup(of: Truth?.self) { group in
            group.addTask {
                try await bus.run()
                return nil
            }
            group.addTask {
                if !external { try await OrderFulfilmentSystem.resetPostgres(bus) }
                guard processes else {
                    return try await system.run(
                        on: bus, plans: plans, concurrency: concurrency, services: external ? .external(services) : .inProcess,
                        progress: progress
                    )
                }
                let children = ChildProcesses { ["service", $0] + childArguments }
                defer { children.stopAll() }
                for service in services.sorted() { try children.start(service) }
                return try await system.run(
                    on: bus, plans: plans, concurrency: concurrency, services: .external(services), progress: progress,
                    outage: { service, running in
                        if running { try children.start(service) } else { children.stop(service) }
                    },
                    beforeTruth: { children.stopAll() }
                )
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            throw OrderFulfilmentError(.busStopped, "the PostgreSQL bus stopped before the orders ended")
        }
    }
}

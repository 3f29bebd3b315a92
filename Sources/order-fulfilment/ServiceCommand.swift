import ArgumentParser
import ChoreoInstrumentation
import ChoreoNATSBus
import ChoreoPostgresBus
import ChoreoRabbitMQBus
import Foundation
import Synchronization
import OrderFulfilment

/// `order-fulfilment service NAME`: one service alone, in its own process, on a durable bus
/// (PostgreSQL, RabbitMQ or NATS JetStream).
struct ServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service",
        abstract: "Run one service (order, payment, account, inventory, shipment, notification) alone on a durable bus.",
        discussion: """
            It runs until stopped. Prints `ready SERVICE` once subscribed, then `handled N` when its count changes \
            (at most once a second). Start `order-fulfilment run --bus ... --external-services` to place orders. \
            The message contract each service honours is in docs/services.md.
            """
    )

    @Argument(help: "The service to run.")
    var name: String

    @OptionGroup var bus: BusOptions

    @Option(help: "Choreography style: commanded or chain (the same for every process of a run).")
    var style = "commanded"

    @Option(help: "Length of one business day, e.g. 2s (the same for every process of a run).")
    var day = "1s"

    @Flag(help: "Exit when the parent process goes away (set by --processes).")
    var exitWithParent = false

    @Option(
        help: """
            How long a broker that cannot be reached at start-up is waited for (tried again every second), \
            e.g. 2m.
            """)
    var waitForBus = "60s"

    func validate() throws {
        guard bus.isDurable else { throw ValidationError("a service alone needs a durable --bus: postgres://, amqp:// or nats://") }
        guard ChoreographyStyle(rawValue: style) != nil else { throw ValidationError("--style must be commanded or chain") }
        let services = OrderFulfilmentSystem.services.filter { $0 != "checkout" }
        guard services.contains(name) else { throw ValidationError("no service '\(name)'; use one of \(services.joined(separator: ", "))") }
        _ = try bus.kind(defaultSystem: "choreo")
        _ = try bus.consumerTraceMode()
        do { _ = try RunArguments.duration(day) } catch let error as OrderFulfilmentError { throw ValidationError(error.message) }
        do {
            _ = try RunArguments.duration(waitForBus, bareNumbersIn: .seconds)
        } catch let error as OrderFulfilmentError {
            throw ValidationError("--wait-for-bus: \(error.message)")
        }
    }

    func run() async throws {
        switch try bus.kind(defaultSystem: "choreo") {
        case .memory: return
        case .postgres(let postgres): try await runOnPostgres(postgres)
        case .rabbitMQ(let configuration): try await runOnBroker { try RabbitMQBus(configuration: configuration) }
        case .nats(var configuration):
            configuration.connectionName = "choreo-\(name)"
            try await runOnBroker { [configuration] in try NATSBus(configuration: configuration) }
        }
    }

    /// The service's system, on the run's configuration.
    private func orderSystem() throws -> OrderFulfilmentSystem {
        OrderFulfilmentSystem(
            configuration: .init(
                style: ChoreographyStyle(rawValue: style) ?? .commanded, dayLength: try RunArguments.duration(day),
                traceMode: try bus.consumerTraceMode()
            ))
    }

    /// Runs the service on a broker bus until SIGTERM or SIGINT (or the parent's exit). A
    /// broker that cannot be reached at start-up (down, or restarting) is waited for up to
    /// `--wait-for-bus`, on a new bus instance every second.
    private func runOnBroker<Bus: BrokerBus>(_ makeBus: @escaping @Sendable () throws -> Bus) async throws {
        let system = try orderSystem()
        let service = name
        let parent = getppid()
        let watchParent = exitWithParent
        let handled = HandledCount()
        let patience = try RunArguments.duration(waitForBus, bareNumbersIn: .seconds)
        try await OrderFulfilmentCommand.withSpanExport(skews: .none) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await Self.waitingForBus(service: service, patience: patience) { ready in
                        try await system.runService(service, on: CountingBus(try makeBus(), handled: handled), ready: ready)
                    }
                }
                group.addTask { try await Self.report({ handled.value }, parent: watchParent ? parent : nil) }
                group.addTask { await Self.terminationSignal() }
                defer { group.cancelAll() }
                try await group.next()
            }
        }
    }

    private func runOnPostgres(_ postgres: PostgresBus.Configuration) async throws {
        var postgres = postgres
        postgres.applicationName = "choreo-\(name)"
        let system = try orderSystem()
        let postgresBus = try PostgresBus(configuration: postgres)
        let service = name
        let parent = getppid()
        let watchParent = exitWithParent
        try await OrderFulfilmentCommand.withSpanExport(skews: .none) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await postgresBus.run() }
                group.addTask {
                    try await system.runService(
                        service, on: postgresBus,
                        ready: {
                            Self.say("ready \(service)")
                        })
                }
                group.addTask { try await Self.report({ postgresBus.statistics.handled }, parent: watchParent ? parent : nil) }
                // SIGTERM and SIGINT stop the service gracefully: its last spans are exported.
                group.addTask { await Self.terminationSignal() }
                defer { group.cancelAll() }
                try await group.next()
            }
        }
    }

    /// Runs `body` (which calls `ready` once subscribed, then prints `ready SERVICE`), again every
    /// second while it fails with ``BusError`` `unavailable` before it was ready, for up to
    /// `patience`: a service started while its broker is down or restarting waits for it (and
    /// says so once on standard error) instead of exiting.
    static func waitingForBus(
        service: String, patience: Duration, _ body: @escaping @Sendable (_ ready: @escaping @Sendable () -> Void) async throws -> Void
    ) async throws {
        let isReady = Atomic(false)
        var said = false
        try await OrderFulfilmentSystem.retryingWhileUnavailable(
            for: patience,
            while: { error in
                guard !isReady.load(ordering: .relaxed) else { return false }
                if !said {
                    FileHandle.standardError.write(
                        Data("order-fulfilment service \(service): waiting up to \(patience) for the bus: \(error.message)\n".utf8))
                    said = true
                }
                return true
            }
        ) {
            try await body {
                isReady.store(true, ordering: .relaxed)
                say("ready \(service)")
            }
        }
    }

    /// Returns when the process receives SIGTERM or SIGINT (their default actions are disabled).
    static func terminationSignal() async {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        let sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        for await _ in stream { break }
        for source in sources { source.cancel() }
    }

    /// Writes a line to standard output at once (unbuffered).
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Prints `handled N` when the count changed, once a second; returns when the parent is gone.
    static func report(_ handledCount: @Sendable () -> Int, parent: pid_t?) async throws {
        var last = -1
        while true {
            try await Task.sleep(for: .seconds(1))
            if let parent, getppid() != parent { return }
            let handled = handledCount()
            if handled != last {
                say("handled \(handled)")
                last = handled
            }
        }
    }
}

/// How many deliveries the service handled successfully (for its `handled N` lines).
final class HandledCount: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func increment() { count.withLock { $0 += 1 } }
}

/// A broker bus whose handlers count their successful deliveries.
struct CountingBus<Bus: BrokerBus>: BrokerBus {
    let bus: Bus
    let handled: HandledCount

    init(_ bus: Bus, handled: HandledCount) {
        self.bus = bus
        self.handled = handled
    }

    func run() async throws { try await bus.run() }
    func publish(_ message: Message) async throws { try await bus.publish(message) }
    func deadLetters(limit: Int) async throws -> [DeadLetter] { try await bus.deadLetters(limit: limit) }
    func pendingDeliveries(of subscriptions: [BrokerSubscription]) async throws -> Int {
        try await bus.pendingDeliveries(of: subscriptions)
    }

    func subscribe(topic: String, group: String, handler: @escaping MessageHandler) async throws {
        let handled = handled
        try await bus.subscribe(topic: topic, group: group) { delivery in
            try await handler(delivery)
            handled.increment()
        }
    }
}

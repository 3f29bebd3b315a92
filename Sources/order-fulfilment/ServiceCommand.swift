import ArgumentParser
import ChoreoPostgresBus
import Foundation
import OrderFulfilment

/// `order-fulfilment service NAME`: one service alone, in its own process, on the PostgreSQL bus.
struct ServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service",
        abstract: "Run one service (order, payment, account, inventory, shipment, notification) alone on a PostgreSQL bus.",
        discussion: """
            It runs until stopped. Prints `ready SERVICE` once subscribed, then `handled N` when its count changes \
            (at most once a second). Start `order-fulfilment run --bus ... --external-services` to place orders.
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

    func validate() throws {
        guard bus.isPostgres else { throw ValidationError("a service alone needs --bus postgres://...") }
        guard ChoreographyStyle(rawValue: style) != nil else { throw ValidationError("--style must be commanded or chain") }
        let services = OrderFulfilmentSystem.services.filter { $0 != "checkout" }
        guard services.contains(name) else { throw ValidationError("no service '\(name)'; use one of \(services.joined(separator: ", "))") }
        _ = try bus.postgresConfiguration()
        _ = try bus.consumerTraceMode()
        do { _ = try RunArguments.duration(day) } catch let error as OrderFulfilmentError { throw ValidationError(error.message) }
    }

    func run() async throws {
        guard var postgres = try bus.postgresConfiguration() else { return }
        postgres.applicationName = "choreo-\(name)"
        let system = OrderFulfilmentSystem(
            configuration: .init(
                style: ChoreographyStyle(rawValue: style) ?? .commanded, dayLength: try RunArguments.duration(day),
                traceMode: try bus.consumerTraceMode()
            ))
        let postgresBus = try PostgresBus(configuration: postgres)
        let service = name
        let parent = getppid()
        let watchParent = exitWithParent
        try await OrderFulfilmentCommand().withSpanExport {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await postgresBus.run() }
                group.addTask {
                    try await system.runService(
                        service, on: postgresBus,
                        ready: {
                            Self.say("ready \(service)")
                        })
                }
                group.addTask { try await Self.report(postgresBus, parent: watchParent ? parent : nil) }
                // SIGTERM and SIGINT stop the service gracefully: its last spans are exported.
                group.addTask { await Self.terminationSignal() }
                defer { group.cancelAll() }
                try await group.next()
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
    static func report(_ bus: PostgresBus, parent: pid_t?) async throws {
        var last = -1
        while true {
            try await Task.sleep(for: .seconds(1))
            if let parent, getppid() != parent { return }
            let handled = bus.statistics.handled
            if handled != last {
                say("handled \(handled)")
                last = handled
            }
        }
    }
}

import ArgumentParser
import ChoreoModel

/// `order-fulfilment`: runs the choreography (the default `run` subcommand), or one service alone.
struct RootCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "order-fulfilment",
        abstract: "The order-fulfilment system under test: a choreography of seven services with fault injection.",
        version: "order-fulfilment \(ChoreoVersion.current)",
        subcommands: [OrderFulfilmentCommand.self, ServiceCommand.self],
        defaultSubcommand: OrderFulfilmentCommand.self
    )
}

// `main.swift` cannot use `@main`; this does what `AsyncParsableCommand.main()` does. (Called
// directly from top-level code, `main()` and `run()` resolve to their synchronous overloads.)
func runCommand() async {
    do {
        var command = try RootCommand.parseAsRoot()
        if var command = command as? any AsyncParsableCommand {
            try await command.run()
        } else {
            try command.run()
        }
    } catch {
        RootCommand.exit(withError: error)
    }
}

await runCommand()

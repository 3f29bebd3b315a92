import ArgumentParser
import ChoreoInstrumentation
import ChoreoPostgresBus

/// The bus flags shared by `run` and `service`.
struct BusOptions: ParsableArguments {
    @Option(help: "The bus: memory (default) or postgres://user[:password]@host[:port]/database (durable, across processes).")
    var bus = "memory"

    @Option(help: "With a PostgreSQL bus: the schema holding its tables. Default choreo (or ?schema= in the URL).")
    var schema: String?

    @Option(help: "How a consumer span relates to the producer's: child (one trace per flow) or new-trace (a new trace per step, linked).")
    var traceMode = "child"

    /// True for a PostgreSQL URL.
    var isPostgres: Bool { bus.hasPrefix("postgres://") || bus.hasPrefix("postgresql://") }

    /// The PostgreSQL bus's configuration, or nil for the in-memory bus.
    func postgresConfiguration() throws -> PostgresBus.Configuration? {
        if bus == "memory" { return nil }
        guard isPostgres else { throw ValidationError("--bus must be memory or postgres://..., not '\(bus)'") }
        do {
            var configuration = try PostgresBus.Configuration(url: bus)
            if let schema { configuration.schema = schema }
            try configuration.validate()
            return configuration
        } catch let error as BusError {
            throw ValidationError("--bus/--schema: \(error.message)")
        }
    }

    /// The `--trace-mode` value.
    func consumerTraceMode() throws -> ConsumerTraceMode {
        guard let mode = ConsumerTraceMode(rawValue: traceMode) else {
            throw ValidationError("--trace-mode must be child or new-trace, not '\(traceMode)'")
        }
        return mode
    }

    /// The flags that give a child process the same bus.
    var arguments: [String] {
        ["--bus", bus, "--trace-mode", traceMode] + (schema.map { ["--schema", $0] } ?? [])
    }
}

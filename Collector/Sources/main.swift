import ChoreoServer
import ArgumentParser
import ChoreoCollector
import ChoreoModel
import ChoreoPostgresStore
import ChoreoStore
import Logging
import Foundation
import ServiceLifecycle

/// `choreo-collector`: OTLP/HTTP (and, with `--grpc-listen`, OTLP/gRPC) ingest into SQLite (or PostgreSQL, `--store`), the flow index and the query API.
@main
struct CollectorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "choreo-collector",
        abstract: "Receive OTLP spans, store them, rebuild flows and answer queries.",
        version: "choreo-collector \(ChoreoVersion.current)"
    )

    @Option(help: "Address to listen on (HOST:PORT). Loopback by default.")
    var listen: String = "127.0.0.1:4320"

    @Option(
        help:
            "Also take OTLP/gRPC (TraceService/Export) on this address (HOST:PORT, e.g. 127.0.0.1:4317), with the token, limits and TLS of POST /v1/traces; 'none' (the default) leaves it off."
    )
    var grpcListen: String = "none"

    @Option(help: "Path of the SQLite database file (created if missing).")
    var db: String = "choreo.sqlite"

    @Option(
        name: .customLong("store"),
        help:
            "Keep spans and the flow index in PostgreSQL instead of --db, shared by several collectors: postgres://user@host:port/database (?schema=NAME, default choreo; sslmode=disable only)."
    )
    var storeURL: String?

    @Option(
        help:
            "Ceiling of the learned stuck limits, e.g. 5m or 90s (a bare number is seconds; default 5m): a pending flow quiet this long is stuck whatever its history; the limit of every type until enough is learned.",
        transform: DurationFlag.seconds)
    var stuckAfter: Duration = .seconds(300)

    @Option(help: "Shortest learned stuck limit, e.g. 2s or 500ms (a bare number is seconds; default 2s).", transform: DurationFlag.seconds)
    var stuckFloor: Duration = .seconds(2)

    @Option(help: "A learned stuck limit is this many times the p99 consumption latency of the awaited message type.")
    var stuckMargin: Double = 10

    @Option(help: "Comma-separated message types that end a flow (e.g. OrderCompleted,OrderCancelled); they name its outcome and need no consumer.")
    var terminalTypes: String?

    @Option(
        help:
            "Span attribute naming a message's type when a span has neither choreo.event_type nor cloudevents.event_type (e.g. messaging.rabbitmq.destination.routing_key); else the destination name is the type."
    )
    var typeAttribute: String?

    @Option(help: "File holding the bearer token that POST /v1/traces requires.")
    var ingestTokenFile: String?

    @Option(help: "File holding the bearer token that /api/* and /metrics require.")
    var queryTokenFile: String?

    @Option(help: "Spans in one request, at most; a larger request gets 413.")
    var maxSpansPerRequest: Int = 10_000

    @Option(help: "Longest string attribute value kept, in UTF-8 bytes; longer values are truncated and the span lists their keys in choreo.truncated.")
    var maxAttributeLength: Int = 4096

    @Option(help: "Largest request body, in bytes, as received (413 beyond it).")
    var maxBodyBytes: Int = 16 << 20

    @Option(help: "Spans waiting to be committed, at most; beyond it ingest answers 429 with Retry-After.")
    var ingestQueueCapacity: Int = 200_000

    @Option(
        help: """
            Commits to the store that may run at once (1 to 16): while one commits, the next gathers \
            and encodes what waits (default 2).
            """)
    var commitsInFlight: Int = 2

    @Option(help: "Delete spans older than this (by start time), e.g. 7d, 12h, 30m; 'forever' (the default) keeps them.")
    var retention: String = "forever"

    @Option(help: "How often retention runs, e.g. 5m.")
    var retentionInterval: String = "5m"

    @Option(
        help:
            "A flow definition file (YAML or JSON): terminal types, which types compensate which, expected transitions with time limits; flows are checked against it."
    )
    var flowDefinition: String?

    @Option(
        help: "How often the flow gauges of /metrics (flows by status, stuck flows by awaited type) are recounted, e.g. 15s (the default) or 500ms.",
        transform: DurationFlag.seconds)
    var metricsInterval: Duration = .seconds(15)

    @Option(
        help:
            "Tail sampling: of the flows that settle healthy (completed, no gaps, errors or deviations, not slower than their variant's p99), keep the spans of this share (0 to 1, by a hash of the correlation id) and delete the others' spans; the flow index keeps every flow. 1 (the default) keeps every span."
    )
    var keepHealthy: Double = 1

    @Option(
        help: "How long after a flow's last activity tail sampling decides on it, e.g. 10s (the default) or 1m.",
        transform: DurationFlag.seconds)
    var samplingDelay: Duration = .seconds(10)

    @Flag(help: "Allow a non-loopback --listen without both tokens (only behind a trusted network or proxy).")
    var insecure = false

    @OptionGroup(title: "TLS") var tls: TLSOptions

    @OptionGroup var daemon: DaemonOptions

    @OptionGroup(title: "Connections") var server: ServerOptions

    func validate() throws {
        if let storeURL {
            do { _ = try PostgresStoreConfiguration(url: storeURL) } catch let error as StoreError {
                throw ValidationError("--store must be a PostgreSQL URL such as postgres://choreo@127.0.0.1:5432/choreo: \(error.message)")
            }
        }
        _ = try Daemon.listenAddress(listen, example: "127.0.0.1:4320")
        _ = try Daemon.grpcListenAddress(grpcListen, example: "127.0.0.1:4317")
        guard stuckAfter > .zero, stuckAfter < .seconds(1_000_000_000) else {
            throw ValidationError("--stuck-after must be above 0s and under 1000000000s, e.g. 5m; got \(DurationText.format(stuckAfter))")
        }
        guard stuckFloor < .seconds(1_000_000_000) else {
            throw ValidationError("--stuck-floor must be under 1000000000s, e.g. 2s; got \(DurationText.format(stuckFloor))")
        }
        guard metricsInterval > .zero, metricsInterval < .seconds(1_000_000_000) else {
            throw ValidationError("--metrics-interval must be above 0s and under 1000000000s, e.g. 15s; got \(DurationText.format(metricsInterval))")
        }
        guard keepHealthy.isFinite, (0...1).contains(keepHealthy) else {
            throw ValidationError("--keep-healthy must be a share from 0 to 1, e.g. 0.1 (keep 10 % of the healthy flows' spans); got \(keepHealthy)")
        }
        guard samplingDelay >= .zero, samplingDelay < .seconds(1_000_000_000) else {
            throw ValidationError("--sampling-delay must be 0s or more and under 1000000000s, e.g. 10s; got \(DurationText.format(samplingDelay))")
        }
        guard stuckMargin > 0, stuckMargin < 1e9 else { throw ValidationError("--stuck-margin must be a positive number, e.g. 10") }
        guard (1...1_000_000).contains(maxSpansPerRequest) else {
            throw ValidationError("--max-spans-per-request must be from 1 to 1000000; got \(maxSpansPerRequest)")
        }
        guard (16...(16 << 20)).contains(maxAttributeLength) else {
            throw ValidationError("--max-attribute-length must be from 16 to 16777216 bytes; got \(maxAttributeLength)")
        }
        guard (1024...(1 << 30)).contains(maxBodyBytes) else {
            throw ValidationError("--max-body-bytes must be from 1024 to 1073741824; got \(maxBodyBytes)")
        }
        guard ingestQueueCapacity >= 1 else { throw ValidationError("--ingest-queue-capacity must be at least 1") }
        guard (1...16).contains(commitsInFlight) else {
            throw ValidationError("--commits-in-flight must be from 1 to 16; got \(commitsInFlight)")
        }
        do {
            _ = try RetentionDuration.value(retention)
        } catch {
            throw ValidationError("--retention: \(error) (or 'forever', the default)")
        }
        let interval: RetentionDuration.Value
        do {
            interval = try RetentionDuration.value(retentionInterval)
        } catch {
            throw ValidationError("--retention-interval: \(error)")
        }
        guard case .window = interval else {
            throw ValidationError("--retention-interval must be a duration such as 5m or 1h, not 'forever'")
        }
    }

    func run() async throws {
        let logger = daemon.logger(label: "choreo-collector")
        let address = try Daemon.listenAddress(listen, example: "127.0.0.1:4320")
        var configuration = CollectorConfiguration(host: address.host, port: address.port, databasePath: db)
        configuration.grpcAddress = try Daemon.grpcListenAddress(grpcListen, example: "127.0.0.1:4317")
        configuration.flowOptions.stuckAfterNanos = UInt64(DurationText.nanoseconds(of: stuckAfter))
        configuration.stuckFloorNanos = UInt64(DurationText.nanoseconds(of: stuckFloor))
        configuration.stuckMargin = stuckMargin
        configuration.flowCountInterval = metricsInterval
        configuration.sampling = TailSampling(ratio: keepHealthy, delay: samplingDelay)
        configuration.maxSpansPerRequest = maxSpansPerRequest
        configuration.maxAttributeBytes = maxAttributeLength
        configuration.maxBodyBytes = maxBodyBytes
        configuration.maxDecompressedBytes = max(configuration.maxDecompressedBytes, maxBodyBytes)
        configuration.ingestQueueCapacity = ingestQueueCapacity
        configuration.commitsInFlight = commitsInFlight
        if case .window(let window) = RetentionDuration.parse(retention) { configuration.retention = window }
        if case .window(let interval) = RetentionDuration.parse(retentionInterval) { configuration.retentionInterval = interval }
        if let terminalTypes {
            configuration.flowOptions.terminalTypes = Set(
                terminalTypes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            )
        }
        if let typeAttribute {
            let key = typeAttribute.trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty else { throw Daemon.startupFailure("choreo-collector", "--type-attribute needs an attribute key") }
            configuration.flowOptions.typeAttribute = key
        }
        if let flowDefinition {
            do { configuration.flowOptions.definition = try FlowDefinitionFile.load(flowDefinition) } catch {
                throw Daemon.startupFailure("choreo-collector", "cannot use --flow-definition \(flowDefinition): \(error)")
            }
        }
        do {
            configuration.ingestToken = try ingestTokenFile.map { try AccessToken.load(file: $0, flag: "--ingest-token-file") }
            configuration.queryToken = try queryTokenFile.map { try AccessToken.load(file: $0, flag: "--query-token-file") }
            configuration.tls = try tls.load()
            try configuration.validateExposure(allowInsecure: insecure)
        } catch let error as ConfigurationError {
            throw Daemon.startupFailure("choreo-collector", error.message)
        }
        if let warning = configuration.cleartextTokenWarning(isLoopback: address.isLoopback) {
            Daemon.warn("choreo-collector", warning, logger: logger)
        }
        if insecure, !address.isLoopback, configuration.ingestToken == nil || configuration.queryToken == nil {
            logger.warning("--insecure: listening beyond loopback with an endpoint that needs no token", metadata: ["listen": "\(address)"])
        }
        if let storeURL {
            let postgres = try PostgresStoreConfiguration(url: storeURL)
            configuration.databasePath = ""  // no SQLite file to measure
            do {
                try await PostgresSpanStore.withStore(configuration: postgres, logger: logger) { store in
                    try await serve(store, named: "postgres \(postgres.displayName)", configuration: configuration, address: address, logger: logger)
                }
            } catch let error as StoreError where error.code == .cannotOpen {
                throw Daemon.startupFailure("choreo-collector", error.message)
            }
            return
        }
        let store: SQLiteSpanStore
        do {
            store = try SQLiteSpanStore(path: db)
        } catch {
            throw Daemon.startupFailure("choreo-collector", "cannot open database \(db): \(error)")
        }
        do {
            try await serve(store, named: db, configuration: configuration, address: address, logger: logger)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    /// Serves ingest and queries on `store` until shutdown.
    private func serve(
        _ store: any SpanStore, named storeName: String, configuration: CollectorConfiguration, address: ListenAddress, logger: Logger
    ) async throws {
        let collector = CollectorApp(configuration: configuration, store: store, logger: logger)
        let startup: Logger.Metadata = [
            "listen": "\(address)", "grpc_listen": "\(configuration.grpcAddress.map(String.init(describing:)) ?? "off")", "db": "\(storeName)",
            "ingest_auth": "\(configuration.ingestToken != nil)", "query_auth": "\(configuration.queryToken != nil)",
            "tls": "\(configuration.tls.map { $0.requiresClientCertificate ? "on, client certificates required" : "on" } ?? "off")",
            "retention": "\(configuration.retention.map(RetentionDuration.format) ?? "forever")",
        ]
        // Logged once the port is bound, never before.
        let listening = ListenSignal { port in
            logger.info("choreo-collector listening", metadata: startup.merging(["port": "\(port.map(String.init) ?? "?")"]) { $1 })
        }
        let application = collector.makeApplication(limits: server.limits, onServerRunning: listening.serverRunning) { port in
            logger.info("choreo-collector OTLP/gRPC receiver listening", metadata: ["grpc_port": "\(port.map(String.init) ?? "?")"])
        }
        try await Daemon.serve(
            application, listening: listening, bindTimeout: server.bindTimeout, program: "choreo-collector", address: address, logger: logger
        )
    }
}

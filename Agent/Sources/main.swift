import ChoreoServer
import ArgumentParser
import ChoreoAgent
import ChoreoModel
import Foundation
import Logging
import ServiceLifecycle

/// `choreo-agent`: receives OTLP/HTTP and OTLP/gRPC next to the services and ships it to the collector.
@main
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "choreo-agent",
        abstract: "Receive OTLP spans on this host, batch and gzip them, and forward them to the collector.",
        version: "choreo-agent \(ChoreoVersion.current)"
    )

    @Option(help: "Address to listen on for OTLP/HTTP (HOST:PORT). Loopback by default.")
    var listen: String = "127.0.0.1:4318"

    @Option(
        help:
            "Address to listen on for OTLP/gRPC (TraceService/Export, HOST:PORT), with the token, limits and TLS of the HTTP receiver; 'none' turns it off. Default 127.0.0.1:4317; when another process (another agent) holds that default, the agent says so and runs without it, while an address given here must be bound."
    )
    var grpcListen: String?

    static let defaultGRPCListen = "127.0.0.1:4317"

    @Option(
        help:
            "The collector or any OTLP/HTTP endpoint: a base URL (spans go to <url>/v1/traces) or a full URL ending in /v1/traces. Give it several times for several collectors: requests are spread over the healthy ones, and one that fails is skipped until it recovers."
    )
    var collector: [String] = ["http://127.0.0.1:4320"]

    @Option(help: "Spans per forwarded batch, at most.")
    var batchSize: Int = 4096

    @Option(
        help: "How long a span may wait for its batch to fill, e.g. 200ms or 1s (a bare number is milliseconds; default 200ms).",
        transform: DurationFlag.milliseconds)
    var batchDelayMs: Duration = .milliseconds(200)

    @Option(help: "Spans held in memory while the collector is slow or away, at most.")
    var queueCapacity: Int = 100_000

    @Option(
        help:
            "Bytes of spans (as received, serialized) held in memory while the collector is slow or away, at most, e.g. 8MiB or 64MiB. With --spool-dir the spool holds them instead."
    )
    var queueMaxBytes: String = "8MiB"

    @Option(help: "Spans one request to the collector may carry (its --max-spans-per-request). Larger requests get 413 here; --batch-size may not exceed it.")
    var upstreamMaxSpansPerRequest: Int = 10_000

    @Option(help: "Bytes one request to the collector may carry gzip-compressed (its --max-body-bytes), e.g. 16MiB.")
    var upstreamMaxBodyBytes: String = "16MiB"

    @Option(
        help:
            "Bytes one request to the collector may carry once decompressed: its --max-spans-per-request × (--max-attribute-length + 1024), 51200000 for its defaults."
    )
    var upstreamMaxDecompressedBytes: String = "51200000"

    @Option(
        help:
            "Directory of the disk spool. With it, a request is written to disk before it is acknowledged and survives the agent's death; without it, spans wait in memory only."
    )
    var spoolDir: String?

    @Option(help: "Most bytes the spool may hold (e.g. 512MiB, 2GiB); beyond it the oldest segment is deleted and its spans counted as dropped.")
    var spoolMaxBytes: String = "1GiB"

    @Option(help: "When spool writes are forced to disk: always (before every acknowledgement), interval (once a second; default), never (left to the kernel).")
    var spoolFsync: String = SpoolFsyncPolicy.interval.rawValue

    @Option(help: "File holding the bearer token sent to the collector (Authorization: Bearer ...).")
    var collectorTokenFile: String?

    @Option(
        help: ArgumentHelp(
            "A header sent on every request to the collector, e.g. X-Scope-OrgID=tenant-1; repeat for several. Not Content-Type, Content-Encoding, Content-Length, Transfer-Encoding, Host or Connection (the agent sets them), nor Authorization with --collector-token-file.",
            valueName: "name=value"))
    var collectorHeader: [String] = []

    @Option(help: "File holding the bearer token that this agent's POST /v1/traces and /metrics require.")
    var ingestTokenFile: String?

    @Option(
        help: ArgumentHelp(
            "PEM CA certificate(s) trusted for https:// collectors, instead of the system's trust store (for a private CA).",
            valueName: "file"))
    var collectorCaFile: String?

    @Option(
        help: ArgumentHelp(
            "PEM certificate chain presented to https:// collectors that ask for one (mutual TLS). Needs --collector-key-file.", valueName: "file"))
    var collectorCertFile: String?

    @Option(help: ArgumentHelp("PEM private key of --collector-cert-file (unencrypted).", valueName: "file"))
    var collectorKeyFile: String?

    @Flag(help: "Allow a non-loopback --listen without --ingest-token-file (only behind a trusted network or proxy).")
    var insecure = false

    @OptionGroup(title: "TLS (the receiver)") var tls: TLSOptions

    @OptionGroup var daemon: DaemonOptions

    @OptionGroup(title: "Connections") var server: ServerOptions

    func validate() throws {
        _ = try Daemon.listenAddress(listen, example: "127.0.0.1:4318")
        if let grpcListen { _ = try Daemon.grpcListenAddress(grpcListen, example: Self.defaultGRPCListen) }
        for collector in collector {
            guard let url = URL(string: collector), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw ValidationError("--collector must be an http(s) URL, e.g. http://127.0.0.1:4320; got \"\(collector)\"")
            }
        }
        guard Set(collector).count == collector.count else { throw ValidationError("--collector names the same collector twice") }
        guard (collectorCertFile == nil) == (collectorKeyFile == nil) else {
            throw ValidationError("--collector-cert-file and --collector-key-file go together: give both or neither")
        }
        if collectorCaFile != nil || collectorCertFile != nil, !collector.contains(where: { $0.lowercased().hasPrefix("https://") }) {
            throw ValidationError(
                "--collector-ca-file, --collector-cert-file and --collector-key-file apply to https:// collectors; every --collector is http://")
        }
        do {
            _ = try CollectorHeaders.parse(collectorHeader, hasCollectorToken: collectorTokenFile != nil)
        } catch {
            throw ValidationError("\(error)")
        }
        guard batchSize > 0, queueCapacity >= batchSize else {
            throw ValidationError("need --batch-size > 0 and --queue-capacity >= --batch-size")
        }
        guard let queueBytes = ByteSize.parse(queueMaxBytes), queueBytes >= 1 << 20 else {
            throw ValidationError("--queue-max-bytes must be a size of at least 1MiB, e.g. 16MiB or 64MiB; got \"\(queueMaxBytes)\"")
        }
        guard let maxBytes = ByteSize.parse(spoolMaxBytes), maxBytes >= 1 << 20 else {
            throw ValidationError("--spool-max-bytes must be a size of at least 1MiB, e.g. 512MiB or 2GiB; got \"\(spoolMaxBytes)\"")
        }
        guard SpoolFsyncPolicy(rawValue: spoolFsync) != nil else {
            throw ValidationError("--spool-fsync must be always, interval or never; got \"\(spoolFsync)\"")
        }
        do {
            var limits = AgentConfiguration(batchMaxSpans: batchSize)
            limits.upstream = try upstreamLimits()
            try limits.validateUpstreamLimits()
        } catch let error as UpstreamLimitsError {
            throw ValidationError(error.message)
        }
    }

    /// The `--upstream-*` limits, sizes parsed.
    func upstreamLimits() throws -> UpstreamLimits {
        func size(_ text: String, _ flag: String) throws -> Int {
            guard let bytes = ByteSize.parse(text) else { throw ValidationError("\(flag) must be a size, e.g. 16MiB; got \"\(text)\"") }
            return bytes
        }
        return UpstreamLimits(
            maxSpansPerRequest: upstreamMaxSpansPerRequest,
            maxBodyBytes: try size(upstreamMaxBodyBytes, "--upstream-max-body-bytes"),
            maxDecompressedBytes: try size(upstreamMaxDecompressedBytes, "--upstream-max-decompressed-bytes")
        )
    }

    func run() async throws {
        let logger = daemon.logger(label: "choreo-agent")
        let address = try Daemon.listenAddress(listen, example: "127.0.0.1:4318")
        var configuration = AgentConfiguration(host: address.host, port: address.port)
        if let grpcListen {
            configuration.grpcAddress = try Daemon.grpcListenAddress(grpcListen, example: Self.defaultGRPCListen)
        } else if let fallback = ListenAddress(Self.defaultGRPCListen) {
            // The default gRPC receiver is a convenience: a second agent on the host runs without it.
            if Daemon.canBind(fallback) {
                configuration.grpcAddress = fallback
            } else {
                Daemon.warn(
                    "choreo-agent",
                    "OTLP/gRPC receiver not started: \(fallback) (the default) is held by another process, maybe another agent; "
                        + "OTLP/HTTP on --listen works as ever. Give --grpc-listen HOST:PORT to receive gRPC elsewhere, or none to say so.",
                    logger: logger)
            }
        }
        configuration.collectorURLs = collector
        configuration.collectorHeaders = try CollectorHeaders.parse(collectorHeader, hasCollectorToken: collectorTokenFile != nil)
        configuration.batchMaxSpans = batchSize
        configuration.batchMaxDelay = batchDelayMs
        configuration.queueCapacity = queueCapacity
        configuration.queueMaxBytes = ByteSize.parse(queueMaxBytes) ?? 8 << 20
        configuration.upstream = try upstreamLimits()
        if let spoolDir {
            configuration.spool = SpoolConfiguration(
                directory: spoolDir, maxBytes: ByteSize.parse(spoolMaxBytes) ?? 1 << 30, fsync: SpoolFsyncPolicy(rawValue: spoolFsync) ?? .interval
            )
        }
        do {
            configuration.collectorToken = try collectorTokenFile.map { try AccessToken.load(file: $0, flag: "--collector-token-file") }
            configuration.ingestToken = try ingestTokenFile.map { try AccessToken.load(file: $0, flag: "--ingest-token-file") }
            configuration.tls = try tls.load()
            configuration.collectorTLS = try ClientTLS.configuration(
                caFile: collectorCaFile, certificateFile: collectorCertFile, keyFile: collectorKeyFile,
                flags: ("--collector-ca-file", "--collector-cert-file", "--collector-key-file"))
            try configuration.validateExposure(allowInsecure: insecure)
        } catch let error as ConfigurationError {
            throw Daemon.startupFailure("choreo-agent", error.message)
        }
        for warning in configuration.cleartextTokenWarnings(isLoopback: { ListenAddress(host: $0, port: 0).isLoopback }) {
            Daemon.warn("choreo-agent", warning, logger: logger)
        }
        if insecure, !address.isLoopback, configuration.ingestToken == nil {
            logger.warning("--insecure: the receiver listens beyond loopback and needs no token", metadata: ["listen": "\(address)"])
        }
        let agent: AgentApp<ContinuousClock>
        do {
            agent = try AgentApp.opening(configuration: configuration, logger: logger)
        } catch {
            throw Daemon.startupFailure("choreo-agent", error.message)
        }
        let startup: Logger.Metadata = [
            "spool": "\(configuration.spool.map { "\($0.directory) (max \($0.maxBytes) bytes, fsync \($0.fsync))" } ?? "none (memory only)")",
            "listen": "\(address)", "grpc_listen": "\(configuration.grpcAddress.map(String.init(describing:)) ?? "off")",
            "collector": "\(configuration.tracesURLs.joined(separator: ", "))",
            "ingest_auth": "\(configuration.ingestToken != nil)", "collector_auth": "\(configuration.collectorToken != nil)",
            "collector_headers": "\(configuration.collectorHeaders.keys.sorted().joined(separator: ", "))",
            "tls": "\(configuration.tls.map { $0.requiresClientCertificate ? "on, client certificates required" : "on" } ?? "off")",
        ]
        // Logged once the port is bound, never before.
        let listening = ListenSignal { port in
            logger.info("choreo-agent listening", metadata: startup.merging(["port": "\(port.map(String.init) ?? "?")"]) { $1 })
        }
        let application = agent.makeApplication(limits: server.limits, onServerRunning: listening.serverRunning) { port in
            logger.info("choreo-agent OTLP/gRPC receiver listening", metadata: ["grpc_port": "\(port.map(String.init) ?? "?")"])
        }
        try await Daemon.serve(
            application, listening: listening, bindTimeout: server.bindTimeout, program: "choreo-agent", address: address, logger: logger
        )
        let stats = agent.forwarder.stats
        logger.info(
            "choreo-agent stopped",
            metadata: [
                "sent_spans": "\(stats.sentSpans)", "dropped_rejected": "\(stats.droppedRejected)",
                "dropped_shutdown": "\(stats.droppedShutdown)",
            ])
    }
}

import Foundation
import Testing

/// The OpenTelemetry Python SDK's OTLP/gRPC exporter (`opentelemetry-exporter-otlp-proto-grpc`)
/// sends a flow, gzip-compressed and with a bearer token, to the agent's `--grpc-listen` and to
/// the collector's directly; `choreo flows show` rebuilds each, and a wrong token is refused.
@Suite(
    "OTLP/gRPC from the OpenTelemetry Python SDK",
    .enabled(if: OTelPythonGRPC.isInstalled, "skipped: opentelemetry-exporter-otlp-proto-grpc is not installed (pip install it; .ci/run does)"),
    .timeLimit(.minutes(3)))
struct OTLPGRPCEndToEndTests {
    @Test("a three-message flow through the agent's gRPC port and one straight into the collector's, gzip and token: both rebuilt")
    func pythonSDKOverGRPC() async throws {
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let collectorToken = harness.workDir.appendingPathComponent("collector.token").path
        let agentToken = harness.workDir.appendingPathComponent("agent.token").path
        try "collector-grpc-secret\n".write(toFile: collectorToken, atomically: true, encoding: .utf8)
        try "agent-grpc-secret\n".write(toFile: agentToken, atomically: true, encoding: .utf8)
        let (collectorPort, collectorGRPC) = (try ProcessHarness.freePort(), try ProcessHarness.freePort())
        let (agentPort, agentGRPC) = (try ProcessHarness.freePort(), try ProcessHarness.freePort())
        let collectorURL = "http://127.0.0.1:\(collectorPort)"
        try harness.start(
            "choreo-collector",
            [
                "--listen", "127.0.0.1:\(collectorPort)", "--grpc-listen", "127.0.0.1:\(collectorGRPC)",
                "--db", harness.workDir.appendingPathComponent("choreo.sqlite").path, "--ingest-token-file", collectorToken,
                "--terminal-types", "OrderShipped",
            ])
        try await ProcessHarness.waitForPort(collectorPort)
        try await ProcessHarness.waitForPort(collectorGRPC)
        try harness.start(
            "choreo-agent",
            [
                "--listen", "127.0.0.1:\(agentPort)", "--grpc-listen", "127.0.0.1:\(agentGRPC)", "--collector", collectorURL,
                "--collector-token-file", collectorToken, "--ingest-token-file", agentToken, "--batch-delay-ms", "50",
            ])
        try await ProcessHarness.waitForPort(agentGRPC)

        let viaAgent = "GRPC-AGENT-\(UInt32.random(in: 0...UInt32.max))"
        let direct = "GRPC-DIRECT-\(UInt32.random(in: 0...UInt32.max))"
        let sent = try OTelPythonGRPC.send(
            flows: [
                (viaAgent, "127.0.0.1:\(agentGRPC)", "agent-grpc-secret"),
                (direct, "127.0.0.1:\(collectorGRPC)", "collector-grpc-secret"),
            ])
        #expect(sent == ["bad-token": "FAILURE", viaAgent: "SUCCESS", direct: "SUCCESS"], "exporter results: \(sent)")

        for id in [viaAgent, direct] {
            let flow = try await waitForFlow(id, steps: 3, harness: harness, collectorURL: collectorURL)
            let steps = try #require(flow["steps"] as? [[String: Any]])
            #expect(steps.compactMap { $0["type"] as? String } == ["OrderPlaced", "PaymentTaken", "OrderShipped"], "\(id): \(steps)")
            let byType = Dictionary(steps.map { ($0["type"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
            #expect(byType["PaymentTaken"]?["causation_id"] as? String == "\(id)-0", "\(id): causation")
            #expect(byType["OrderShipped"]?["causation_id"] as? String == "\(id)-1", "\(id): causation")
            #expect(flow["status"] as? String == "completed", "\(id): \(flow["status"] ?? "nil")")
        }
        #expect(!harness.log("choreo-agent").contains("error"), "agent log: \(harness.log("choreo-agent"))")
    }

    @Test("an agent whose OTLP/gRPC port is taken exits 1 naming the address and the flag")
    func grpcPortInUse() async throws {
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let taken = try PortHolder()
        let agent = try harness.start(
            "choreo-agent",
            ["--listen", "127.0.0.1:\(try ProcessHarness.freePort())", "--grpc-listen", "127.0.0.1:\(taken.port)", "--collector", "http://127.0.0.1:9"])
        let exited = try await StartupFaultsEndToEndTests.waitForExit(agent, within: StartupFaultsEndToEndTests.exitBound)
        let log = harness.log("choreo-agent")
        #expect(exited, "the agent still runs with its gRPC port taken: \(log)")
        #expect(agent.terminationStatus == 1, "\(log)")
        #expect(log.contains("OTLP/gRPC on 127.0.0.1:\(taken.port)"), "\(log)")
        #expect(log.contains("--grpc-listen"), "\(log)")
    }

    @Test("an agent left at the default gRPC address while another process holds 127.0.0.1:4317 says so and runs on OTLP/HTTP")
    func defaultGRPCPortTaken() async throws {
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        // Held here, unless something already listens there (then it is held all the same).
        let holder = try PortHolder(port: 4317)
        #expect(holder != nil || PortHolder.accepts(4317), "127.0.0.1:4317 is neither free nor listened on")
        let port = try ProcessHarness.freePort()
        // Started as a plain program: the harness would add --grpc-listen none to an agent.
        let agent = try harness.startProgram(
            at: try harness.executable("choreo-agent"), ["--listen", "127.0.0.1:\(port)", "--collector", "http://127.0.0.1:9"],
            label: "choreo-agent")
        _ = try await StartupFaultsEndToEndTests.waitForLog(
            harness, "choreo-agent", containing: "choreo-agent listening", within: StartupFaultsEndToEndTests.exitBound)
        let log = harness.log("choreo-agent")
        #expect(agent.isRunning, "\(log)")
        #expect(PortHolder.accepts(port), "OTLP/HTTP on 127.0.0.1:\(port)")
        #expect(log.contains("OTLP/gRPC receiver not started: 127.0.0.1:4317 (the default) is held by another process"), "\(log)")
        #expect(log.contains("grpc_listen=off"), "the start-up line says gRPC is off: \(log)")
        #expect(!log.contains("OTLP/gRPC receiver listening"), "\(log)")
        withExtendedLifetime(holder) {}
    }

    /// Polls `choreo flows show --json` until the flow has `steps` steps (the agent forwards in
    /// 50 ms batches and the collector indexes every 250 ms).
    private func waitForFlow(_ id: String, steps: Int, harness: ProcessHarness, collectorURL: String) async throws -> [String: Any] {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        var last = ""
        while clock.now < deadline {
            let shown = try harness.run("choreo", ["flows", "show", id, "--json", "--collector", collectorURL])
            if shown.status == 0, let flow = try? JSONSerialization.jsonObject(with: shown.stdout) as? [String: Any],
                (flow["steps"] as? [Any])?.count == steps, flow["status"] as? String != "in_flight"
            {
                return flow
            }
            last = shown.status == 0 ? String(decoding: shown.stdout.prefix(400), as: UTF8.self) : shown.stderr
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("flow \(id) not rebuilt within 60 s: \(last)\ncollector log: \(harness.log("choreo-collector"))")
        throw CancellationError()
    }
}

/// The Python side: a three-message flow per conversation, exported with the SDK's gRPC exporter.
enum OTelPythonGRPC {
    static let isInstalled: Bool = (try? PikaProbe.python("import opentelemetry.exporter.otlp.proto.grpc.trace_exporter", [])) != nil

    /// Records each flow's spans (a producer and a consumer span per message, OpenTelemetry
    /// messaging attributes plus `choreo.*` type and causation) and exports them with
    /// `OTLPSpanExporter(compression=gzip, headers={"authorization": "Bearer …"})`; first once
    /// with a wrong token. Prints each export's result.
    static let program = """
        import sys, json
        from opentelemetry import trace
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
        from opentelemetry.exporter.otlp.proto.grpc.exporter import Compression
        from opentelemetry.trace import SpanKind, Link

        def record(cid):
            memory = InMemorySpanExporter()
            provider = TracerProvider(resource=Resource.create({"service.name": "py-shop"}))
            provider.add_span_processor(SimpleSpanProcessor(memory))
            tracer = provider.get_tracer("grpc-e2e")
            previous = None
            for i, kind in enumerate(["OrderPlaced", "PaymentTaken", "OrderShipped"]):
                mid = f"{cid}-{i}"
                a = {"messaging.system": "rabbitmq", "messaging.destination.name": "shop", "messaging.message.id": mid,
                     "messaging.message.conversation_id": cid, "choreo.event_type": kind}
                if previous:
                    a["choreo.causation_id"] = previous
                with tracer.start_as_current_span(f"send {kind}", kind=SpanKind.PRODUCER,
                        attributes={**a, "messaging.operation.type": "send"}) as s:
                    ctx = s.get_span_context()
                with tracer.start_as_current_span(f"process {kind}", kind=SpanKind.CONSUMER, links=[Link(ctx)],
                        context=trace.set_span_in_context(trace.NonRecordingSpan(ctx)),
                        attributes={**a, "messaging.operation.type": "process", "messaging.consumer.group.name": "worker",
                                    "choreo.delivery.attempt": 1, "choreo.delivery.outcome": "handled"}):
                    pass
                previous = mid
            return memory.get_finished_spans()

        def export(endpoint, token, spans):
            exporter = OTLPSpanExporter(endpoint=endpoint, insecure=True, compression=Compression.Gzip,
                                        headers={"authorization": "Bearer " + token}, timeout=10)
            try:
                return exporter.export(spans).name
            finally:
                exporter.shutdown()

        flows = json.loads(sys.argv[1])
        results = {}
        first = flows[0]
        results["bad-token"] = export(first[1], "wrong-token", record("GRPC-BAD"))
        for cid, endpoint, token in flows:
            results[cid] = export(endpoint, token, record(cid))
        print(json.dumps(results))
        """

    /// Runs the program; returns each export's result (`SUCCESS` or `FAILURE`) by flow.
    static func send(flows: [(id: String, endpoint: String, token: String)]) throws -> [String: String] {
        let argument = try JSONSerialization.data(withJSONObject: flows.map { [$0.id, $0.endpoint, $0.token] })
        let output = try PikaProbe.python(program, [String(decoding: argument, as: UTF8.self)])
        let line = output.split(separator: "\n").last.map(String.init) ?? ""
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String], "python printed: \(output)")
    }
}

import ChoreoModel
import ChoreoTestSupport
import ChoreoTracer
import Foundation
import Testing

/// TLS between the real executables, with a CA made for the run: the tracer exports over HTTPS
/// to the agent (`OTEL_EXPORTER_OTLP_CERTIFICATE`), the agent forwards over mutual TLS to the
/// collector (`--collector-ca-file`, `--collector-cert-file`), and `choreo` queries the
/// collector over mutual TLS (`--ca-file`, `--cert-file`); clients without the CA or without a
/// certificate are refused; bad files stop start-up naming them; tokens in clear text warn.
@Suite("TLS end to end", .timeLimit(.minutes(5)))
struct TLSEndToEndTests {
    static let trace = TraceID(high: 0x7150_7150, low: 0x7150_7150)

    static func spans(_ n: Int) -> [SpanRecord] {
        (0..<n).map { i in
            SpanRecord(
                traceID: trace, spanID: SpanID(UInt64(i + 1)), name: "tls span \(i)", kind: .internal,
                startTimeUnixNano: UnixTime.nowNanos() - 1_000_000, endTimeUnixNano: UnixTime.nowNanos(), serviceName: "tls-e2e"
            )
        }
    }

    @Test("tracer → agent → collector over TLS, and choreo reads the spans back over mutual TLS; clients without the CA or a certificate are refused")
    func pipelineOverTLS() async throws {
        let pki = try TestCertificates.shared()
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let collectorPort = try ProcessHarness.freePort()
        let agentPort = try ProcessHarness.freePort()
        let db = harness.workDir.appendingPathComponent("tls.sqlite").path
        try harness.start(
            "choreo-collector",
            [
                "--listen", "127.0.0.1:\(collectorPort)", "--db", db, "--tls-cert-file", pki.serverCertificateFile,
                "--tls-key-file", pki.serverKeyFile, "--tls-client-ca-file", pki.caFile,
            ])
        try await ProcessHarness.waitForPort(collectorPort)
        try harness.start(
            "choreo-agent",
            [
                "--listen", "127.0.0.1:\(agentPort)", "--collector", "https://127.0.0.1:\(collectorPort)", "--batch-delay-ms", "20",
                "--collector-ca-file", pki.caFile, "--collector-cert-file", pki.clientCertificateFile,
                "--collector-key-file", pki.clientKeyFile, "--tls-cert-file", pki.serverCertificateFile, "--tls-key-file", pki.serverKeyFile,
            ])
        try await ProcessHarness.waitForPort(agentPort)

        // The tracer, configured as a service would be: from the OpenTelemetry variables.
        let configuration = try ChoreoTracerConfiguration.fromEnvironment(
            serviceName: "tls-e2e",
            environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "https://127.0.0.1:\(agentPort)", "OTEL_EXPORTER_OTLP_CERTIFICATE": pki.caFile])
        let exporter = OTLPHTTPExporter(configuration: configuration.exporter, clock: ContinuousClock())
        try await exporter.export(Self.spans(4))
        await exporter.shutdown()

        let query = ["traces", "get", Self.trace.hex, "--json", "--collector", "https://127.0.0.1:\(collectorPort)"]
        let mutual = ["--ca-file", pki.caFile, "--cert-file", pki.clientCertificateFile, "--key-file", pki.clientKeyFile]
        // The agent forwards in the background: ask until the spans are there (bounded).
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        var answer = try harness.run("choreo", query + mutual)
        while answer.status != 0 || String(decoding: answer.stdout, as: UTF8.self).components(separatedBy: "tls span").count < 5,
            clock.now < deadline
        {
            try await Task.sleep(for: .milliseconds(100))
            answer = try harness.run("choreo", query + mutual)
        }
        let shown = String(decoding: answer.stdout, as: UTF8.self)
        #expect(answer.status == 0, "\(answer.stderr)\n\(harness.log("choreo-agent"))\n\(harness.log("choreo-collector"))")
        for i in 0..<4 { #expect(shown.contains("tls span \(i)"), "\(shown)") }

        let untrusted = try harness.run("choreo", query)
        #expect(untrusted.status == 3, "\(untrusted.stderr)")
        #expect(untrusted.stderr.contains("not trusted"), "\(untrusted.stderr)")

        let anonymous = try harness.run("choreo", query + ["--ca-file", pki.caFile])
        #expect(anonymous.status == 3, "\(anonymous.stderr)")
        #expect(anonymous.stderr.contains("requires a client certificate"), "\(anonymous.stderr)")
        #expect(!String(decoding: anonymous.stdout, as: UTF8.self).contains("tls span"))

        let plain = try harness.run("choreo", ["traces", "get", Self.trace.hex, "--collector", "http://127.0.0.1:\(collectorPort)"])
        #expect(plain.status == 3, "plain HTTP gets no answer from the TLS port: \(plain.stderr)")
    }

    @Test("a bad --tls-* file stops the collector and the agent with the flag, the file and the reason")
    func badFilesStopStartup() throws {
        let pki = try TestCertificates.shared()
        let harness = try ProcessHarness()
        let missing = pki.path("missing-\(UUID().uuidString).pem")
        let db = harness.workDir.appendingPathComponent("c.sqlite").path
        let collector = try harness.run(
            "choreo-collector",
            ["--listen", "127.0.0.1:\(try ProcessHarness.freePort())", "--db", db, "--tls-cert-file", missing, "--tls-key-file", pki.serverKeyFile])
        #expect(collector.status != 0)
        #expect(collector.stderr.contains("--tls-cert-file \(missing)") && collector.stderr.contains("no such file"), "\(collector.stderr)")

        let agent = try harness.run(
            "choreo-agent",
            [
                "--listen", "127.0.0.1:\(try ProcessHarness.freePort())", "--tls-cert-file", pki.serverCertificateFile,
                "--tls-key-file", pki.clientKeyFile,
            ])
        #expect(agent.status != 0)
        #expect(agent.stderr.contains(pki.clientKeyFile) && agent.stderr.contains("key of that certificate"), "\(agent.stderr)")

        let lonely = try harness.run("choreo-agent", ["--collector", "https://127.0.0.1:1", "--collector-cert-file", pki.clientCertificateFile])
        #expect(lonely.status != 0)
        #expect(lonely.stderr.contains("--collector-key-file"), "\(lonely.stderr)")
    }

    @Test("tokens beyond loopback over plain HTTP print a loud warning; with TLS they do not")
    func cleartextTokensWarn() async throws {
        let pki = try TestCertificates.shared()
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let token = harness.workDir.appendingPathComponent("token").path
        try "s3cret-token".write(toFile: token, atomically: true, encoding: .utf8)
        let tokens = ["--ingest-token-file", token, "--query-token-file", token]

        let plainPort = try ProcessHarness.freePort()
        let plain = try harness.start(
            "choreo-collector",
            ["--listen", "0.0.0.0:\(plainPort)", "--db", harness.workDir.appendingPathComponent("a.sqlite").path] + tokens)
        try await ProcessHarness.waitForPort(plainPort)
        plain.terminate()
        plain.waitUntilExit()
        let warned = harness.log("choreo-collector")
        #expect(warned.contains("WARNING") && warned.contains("clear text"), "\(warned)")
        #expect(!warned.contains("s3cret-token"))

        // A harness of its own, so the log holds this collector's output only.
        let secureHarness = try ProcessHarness()
        defer { secureHarness.stopAll() }
        let tlsPort = try ProcessHarness.freePort()
        let secure = try secureHarness.start(
            "choreo-collector",
            [
                "--listen", "0.0.0.0:\(tlsPort)", "--db", secureHarness.workDir.appendingPathComponent("b.sqlite").path,
                "--tls-cert-file", pki.serverCertificateFile, "--tls-key-file", pki.serverKeyFile,
            ] + tokens)
        try await ProcessHarness.waitForPort(tlsPort)
        secure.terminate()
        secure.waitUntilExit()
        #expect(secure.terminationStatus == 0, "it ran beyond loopback with tokens over TLS")
        let quiet = secureHarness.log("choreo-collector")
        #expect(!quiet.contains("WARNING") && !quiet.contains("clear text"), "\(quiet)")
    }
}

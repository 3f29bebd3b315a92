import ChoreoTestSupport
import ChoreoTracer
import Testing

/// `OTEL_EXPORTER_OTLP_[TRACES_]CERTIFICATE`, `..._CLIENT_CERTIFICATE` and `..._CLIENT_KEY`:
/// read from the environment, and the files checked at start-up.
@Suite("Tracer TLS configuration")
struct TracerTLSConfigurationTests {
    @Test("the CA, client certificate and key files are read from the variables; the traces-specific ones win")
    func readsVariables() throws {
        let pki = try TestCertificates.shared()
        let general = try ChoreoTracerConfiguration.fromEnvironment(
            serviceName: "svc",
            environment: [
                "OTEL_EXPORTER_OTLP_ENDPOINT": "https://127.0.0.1:4318", "OTEL_EXPORTER_OTLP_CERTIFICATE": pki.caFile,
                "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE": pki.clientCertificateFile, "OTEL_EXPORTER_OTLP_CLIENT_KEY": pki.clientKeyFile,
            ])
        #expect(general.certificateFile == pki.caFile)
        #expect(general.exporter.clientCertificateFile == pki.clientCertificateFile && general.exporter.clientKeyFile == pki.clientKeyFile)
        let specific = try ChoreoTracerConfiguration.fromEnvironment(
            serviceName: "svc",
            environment: ["OTEL_EXPORTER_OTLP_CERTIFICATE": "/nowhere.pem", "OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE": pki.strangerCAFile])
        #expect(specific.exporter.certificateFile == pki.strangerCAFile)
        let none = try ChoreoTracerConfiguration.fromEnvironment(serviceName: "svc", environment: ["OTEL_EXPORTER_OTLP_CERTIFICATE": ""])
        #expect(none.certificateFile == nil, "an empty value counts as unset")
    }

    @Test("a missing CA file is an invalid configuration naming the variable and the file")
    func missingCA() throws {
        let error = #expect(throws: ChoreoTracerError.self) {
            try ChoreoTracerConfiguration.fromEnvironment(serviceName: "svc", environment: ["OTEL_EXPORTER_OTLP_CERTIFICATE": "/nonexistent/ca.pem"])
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("OTEL_EXPORTER_OTLP_CERTIFICATE /nonexistent/ca.pem") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("no such file") == true)
    }

    @Test("a key file as the CA, a client certificate without its key, and a key of another certificate are refused")
    func badFiles() throws {
        let pki = try TestCertificates.shared()
        let cases: [([String: String], String)] = [
            (["OTEL_EXPORTER_OTLP_CERTIFICATE": pki.caFile.replacingOccurrences(of: "ca.pem", with: "ca.key")], "no PEM certificate"),
            (["OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE": pki.clientCertificateFile], "go together"),
            (
                ["OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE": pki.clientCertificateFile, "OTEL_EXPORTER_OTLP_CLIENT_KEY": pki.serverKeyFile],
                "key of that certificate"
            ),
        ]
        for (environment, reason) in cases {
            let error = #expect(throws: ChoreoTracerError.self) {
                try ChoreoTracerConfiguration.fromEnvironment(serviceName: "svc", environment: environment)
            }
            #expect(error?.message.contains(reason) == true, "\(environment): \(error?.message ?? "")")
        }
    }
}

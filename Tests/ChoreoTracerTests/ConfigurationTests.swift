import ChoreoModel
import ChoreoTracer
import Testing

@Suite("ChoreoTracerConfiguration.fromEnvironment")
struct ConfigurationTests {
    @Test("with no variables set, the defaults point at the local agent")
    func defaults() throws {
        let config = try ChoreoTracerConfiguration.fromEnvironment(serviceName: "order", environment: [:])
        #expect(config == ChoreoTracerConfiguration(serviceName: "order"))
        #expect(config.endpoint == "http://127.0.0.1:4318/v1/traces")
        #expect(config.maxQueueSize == 65_536 && config.maxExportBatchSize == 512)
        #expect(config.shutdownTimeout == .seconds(5) && config.maxUnsentSpans == 65_536)
        #expect(config.scheduleDelay == .milliseconds(500))
        #expect(config.compression == .none)
        #expect(config.retry.maxRetries == 5)
    }

    @Test("OTEL_SERVICE_NAME overrides the name; OTEL_RESOURCE_ATTRIBUTES fills the resource")
    func serviceName() throws {
        let env = [
            "OTEL_RESOURCE_ATTRIBUTES": "service.name=from-resource,deployment.environment=staging%201",
            "OTEL_SERVICE_NAME": "payment",
        ]
        let config = try ChoreoTracerConfiguration.fromEnvironment(serviceName: "default", environment: env)
        #expect(config.serviceName == "payment")
        #expect(config.resourceAttributes == ["deployment.environment": .string("staging 1")])

        let fromResource = try ChoreoTracerConfiguration.fromEnvironment(
            serviceName: "default", environment: ["OTEL_RESOURCE_ATTRIBUTES": "service.name=inventory"]
        )
        #expect(fromResource.serviceName == "inventory")
        #expect(fromResource.resourceAttributes.isEmpty)
    }

    @Test(
        "the base endpoint gets /v1/traces; the traces endpoint is used as-is and wins",
        arguments: [
            (["OTEL_EXPORTER_OTLP_ENDPOINT": "http://agent:4318"], "http://agent:4318/v1/traces"),
            (["OTEL_EXPORTER_OTLP_ENDPOINT": "https://agent:4318/"], "https://agent:4318/v1/traces"),
            (["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4320/custom"], "http://collector:4320/custom"),
            (
                [
                    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://agent:4318",
                    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4320/v1/traces",
                ], "http://collector:4320/v1/traces"
            ),
            (["OTEL_EXPORTER_OTLP_ENDPOINT": ""], "http://127.0.0.1:4318/v1/traces"),
        ])
    func endpoint(environment: [String: String], expected: String) throws {
        let config = try ChoreoTracerConfiguration.fromEnvironment(serviceName: "s", environment: environment)
        #expect(config.endpoint == expected)
    }

    @Test(
        "an invalid endpoint fails at start-up, naming the variable",
        arguments: [
            "not a url", "ftp://agent:21", "agent:4318", "http://",
        ])
    func invalidEndpoint(value: String) {
        let error = #expect(throws: ChoreoTracerError.self) {
            try ChoreoTracerConfiguration.fromEnvironment(
                serviceName: "s", environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": value]
            )
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("OTEL_EXPORTER_OTLP_ENDPOINT") == true)
    }

    @Test("headers are comma-separated, URL-decoded pairs; traces headers win per key")
    func headers() throws {
        let env = [
            "OTEL_EXPORTER_OTLP_HEADERS": "api-key=a%20b%3Dc , tenant=acme,,x-scope=general",
            "OTEL_EXPORTER_OTLP_TRACES_HEADERS": "x-scope=traces",
        ]
        let config = try ChoreoTracerConfiguration.fromEnvironment(serviceName: "s", environment: env)
        #expect(config.headers == ["api-key": "a b=c", "tenant": "acme", "x-scope": "traces"])
    }

    @Test(
        "malformed values are reported with the variable at fault",
        arguments: [
            ("OTEL_EXPORTER_OTLP_HEADERS", "novalue"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "bad key=1"),
            ("OTEL_EXPORTER_OTLP_COMPRESSION", "zstd"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "soon"),
            ("OTEL_BSP_MAX_QUEUE_SIZE", "-1"),
            ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "100000"),
            ("OTEL_BSP_SCHEDULE_DELAY", "0"),
        ])
    func malformed(name: String, value: String) {
        let error = #expect(throws: ChoreoTracerError.self) {
            try ChoreoTracerConfiguration.fromEnvironment(serviceName: "s", environment: [name: value])
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains(name) == true)
    }

    @Test("compression, timeout and batching variables are applied")
    func tuning() throws {
        let env = [
            "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION": "gzip",
            "OTEL_EXPORTER_OTLP_TIMEOUT": "2500",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
            "OTEL_BSP_SCHEDULE_DELAY": "200",
            "OTEL_BSP_MAX_QUEUE_SIZE": "1000",
            "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "100",
        ]
        let config = try ChoreoTracerConfiguration.fromEnvironment(serviceName: "s", environment: env)
        #expect(config.compression == .gzip)
        #expect(config.exportTimeout == .milliseconds(2500))
        #expect(
            config.batch
                == BatchSpanProcessorConfiguration(
                    maxQueueSize: 1000, maxExportBatchSize: 100, scheduleDelay: .milliseconds(200)
                ))
        #expect(config.exporter.compression == .gzip)
    }

    @Test("an empty service name is rejected")
    func emptyServiceName() {
        #expect(throws: ChoreoTracerError.self) {
            try ChoreoTracerConfiguration(serviceName: "").validate()
        }
    }
}

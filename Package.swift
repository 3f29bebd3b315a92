// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "Choreoscope",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "choreo", targets: ["choreo"]),
        .executable(name: "choreo-agent", targets: ["choreo-agent"]),
        .executable(name: "choreo-collector", targets: ["choreo-collector"]),
        .executable(name: "order-fulfilment", targets: ["order-fulfilment"]),
        .library(name: "ChoreoModel", targets: ["ChoreoModel"]),
        .library(name: "ChoreoOTLP", targets: ["ChoreoOTLP"]),
        .library(name: "ChoreoOTLPGRPC", targets: ["ChoreoOTLPGRPC"]),
        .library(name: "ChoreoStore", targets: ["ChoreoStore"]),
        .library(name: "ChoreoFlows", targets: ["ChoreoFlows"]),
        .library(name: "ChoreoQuery", targets: ["ChoreoQuery"]),
        .library(name: "ChoreoCollector", targets: ["ChoreoCollector"]),
        .library(name: "ChoreoInstrumentation", targets: ["ChoreoInstrumentation"]),
        .library(name: "ChoreoTracer", targets: ["ChoreoTracer"]),
        .library(name: "ChoreoPostgresBus", targets: ["ChoreoPostgresBus"]),
        // The bus conformance suite, for adapters of other brokers to prove themselves with.
        .library(name: "ChoreoBusConformance", targets: ["ChoreoBusConformance"]),
        .library(name: "ChoreoRabbitMQBus", targets: ["ChoreoRabbitMQBus"]),
        .library(name: "ChoreoNATSBus", targets: ["ChoreoNATSBus"]),
        .library(name: "ChoreoPostgresStore", targets: ["ChoreoPostgresStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
    ],
    targets: [
        // C system libraries
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CRabbitMQ", path: "Sources/CRabbitMQ", pkgConfig: "librabbitmq", providers: [.apt(["librabbitmq-dev"])]),
        .systemLibrary(name: "CNATS", path: "Sources/CNATS", pkgConfig: "libnats", providers: [.apt(["libnats-dev"])]),

        // Model: ids, W3C trace context, span records, wire conventions. No dependencies.
        .target(name: "ChoreoModel", swiftSettings: strict),
        // OTLP: protobuf (generated, committed), JSON, gzip; SpanRecord <-> OTLP.
        .target(
            name: "ChoreoOTLP",
            dependencies: [
                "ChoreoModel", "CZlib",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: strict
        ),
        // Instrumentation: MessageBus, in-memory bus, TracedBus middleware. Tracing API only.
        .target(
            name: "ChoreoInstrumentation",
            dependencies: [
                "ChoreoModel", "ChoreoTracingBridge",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strict
        ),
        // Tracing bridge: the one conversion between model attribute values and the tracing API's.
        .target(
            name: "ChoreoTracingBridge",
            dependencies: [
                "ChoreoModel",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strict
        ),
        // Tracer: a Tracer that batches finished spans and exports OTLP/HTTP.
        .target(
            name: "ChoreoTracer",
            dependencies: [
                "ChoreoModel", "ChoreoOTLP", "ChoreoTracingBridge",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Flows: reconstruction of business transactions from spans, process discovery,
        // conformance, exports. Pure, no I/O (flow definitions are parsed from bytes).
        .target(
            name: "ChoreoFlows",
            dependencies: ["ChoreoModel", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        // PostgreSQL bus: a durable MessageBus for services in separate processes
        // (SKIP LOCKED claims, LISTEN/NOTIFY wake-ups, transactional outbox).
        .target(
            name: "ChoreoPostgresBus",
            dependencies: [
                "ChoreoModel", "ChoreoInstrumentation",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The shared bus test suite: one set of checks every MessageBus must pass, called from any
        // test framework (a failed check throws). Ours and other people's adapters run it.
        .target(
            name: "ChoreoBusConformance",
            dependencies: ["ChoreoInstrumentation", "ChoreoModel"],
            swiftSettings: strict
        ),
        // NATS JetStream bus: a durable MessageBus over nats.c (streams, durable pull consumers).
        .target(
            name: "ChoreoNATSBus",
            dependencies: [
                "CNATS", "ChoreoModel", "ChoreoInstrumentation",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // RabbitMQ bus: a durable MessageBus over rabbitmq-c (topic exchange, a queue per group,
        // publisher confirms, retry queues, dead letters), each connection on its own thread.
        .target(
            name: "ChoreoRabbitMQBus",
            dependencies: ["CRabbitMQ", "ChoreoModel", "ChoreoInstrumentation"],
            swiftSettings: strict
        ),
        // Web dashboard: the static assets (Dashboards/web) and the routes that serve them.
        .target(
            name: "ChoreoDashboard",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            path: "Dashboards",
            exclude: ["grafana", "prometheus", "screenshots", "README.md", "flows.png", "flow-compensated.png", "process-map.png"],
            sources: ["Sources"],
            resources: [.copy("web")],
            swiftSettings: strict
        ),
        // Store: SpanStore protocol, SQLite implementation.
        .target(name: "ChoreoStore", dependencies: ["ChoreoModel", "CSQLite"], swiftSettings: strict),
        // PostgreSQL span store: the SpanStore for several collectors sharing one database
        // (time-partitioned spans, flow index keyed by correlation id).
        .target(
            name: "ChoreoPostgresStore",
            dependencies: [
                "ChoreoModel", "ChoreoStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Query: the one query service behind the collector's API and `choreo --db`, and the
        // wire types both sides share.
        .target(name: "ChoreoQuery", dependencies: ["ChoreoModel", "ChoreoStore", "ChoreoFlows"], swiftSettings: strict),
        // Server support shared by the collector and the agent: bearer tokens, metrics plumbing.
        .target(
            name: "ChoreoServer",
            dependencies: [
                "ChoreoOTLP", "ChoreoModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        // OTLP/gRPC: the TraceService stub (generated, committed) and the listener the agent and
        // the collector serve it on, over their own ingest path.
        .target(
            name: "ChoreoOTLPGRPC",
            dependencies: [
                "ChoreoModel", "ChoreoOTLP", "ChoreoServer",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Collector: OTLP ingest, flow index, query API.
        .target(
            name: "ChoreoCollector",
            dependencies: [
                "ChoreoModel", "ChoreoOTLP", "ChoreoOTLPGRPC", "ChoreoStore", "ChoreoFlows", "ChoreoQuery", "ChoreoServer", "ChoreoDashboard",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Agent: OTLP receiver, batching, gzip, forwarding with retries.
        .target(
            name: "ChoreoAgent",
            dependencies: [
                "ChoreoModel", "ChoreoOTLP", "ChoreoOTLPGRPC", "ChoreoServer", "CZlib",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // CLI library: commands of `choreo`.
        .target(
            name: "ChoreoCLI",
            dependencies: [
                "ChoreoModel", "ChoreoFlows", "ChoreoStore", "ChoreoPostgresStore", "ChoreoQuery",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        // The order-fulfilment system under test.
        .target(
            name: "OrderFulfilment",
            dependencies: [
                "ChoreoModel", "ChoreoInstrumentation", "ChoreoPostgresBus", "ChoreoRabbitMQBus", "ChoreoNATSBus",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strict
        ),

        // Executables: thin mains that only wire parts together.
        .executableTarget(
            name: "choreo",
            dependencies: ["ChoreoCLI"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "choreo-collector",
            dependencies: [
                "ChoreoCollector", "ChoreoServer", "ChoreoPostgresStore", "ChoreoStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Collector/Sources",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "choreo-agent",
            dependencies: [
                "ChoreoAgent", "ChoreoServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Agent/Sources",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "order-fulfilment",
            dependencies: [
                "OrderFulfilment", "ChoreoTracer", "ChoreoInstrumentation", "ChoreoPostgresBus", "ChoreoRabbitMQBus", "ChoreoNATSBus",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),

        // Tests
        // Test doubles shared by several test targets.
        .target(name: "ChoreoTestSupport", dependencies: ["ChoreoModel"], path: "Tests/ChoreoTestSupport"),
        .testTarget(name: "ChoreoModelTests", dependencies: ["ChoreoModel"]),
        .testTarget(name: "ChoreoOTLPTests", dependencies: ["ChoreoOTLP", "ChoreoModel", "ChoreoTestSupport"]),
        .testTarget(
            name: "ChoreoInstrumentationTests",
            dependencies: [
                "ChoreoTestSupport", "ChoreoBusConformance",
                "ChoreoInstrumentation", "ChoreoModel",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ]
        ),
        .testTarget(
            name: "ChoreoTracerTests",
            dependencies: [
                "ChoreoTracer", "ChoreoOTLP", "ChoreoModel", "ChoreoTestSupport",
                // The golden traced order-fulfilment run (TracedRunGoldenTests).
                "OrderFulfilment", "ChoreoInstrumentation", "ChoreoFlows",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            exclude: ["Golden"]
        ),
        .testTarget(name: "ChoreoFlowsTests", dependencies: ["ChoreoFlows", "ChoreoModel", "ChoreoTestSupport"]),
        .testTarget(name: "ChoreoStoreTests", dependencies: ["ChoreoStore", "ChoreoModel"]),
        .testTarget(
            name: "ChoreoPostgresStoreTests",
            dependencies: [
                "ChoreoPostgresStore", "ChoreoStore", "ChoreoModel", "ChoreoCollector", "ChoreoFlows",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(
            name: "ChoreoCollectorTests",
            dependencies: [
                "ChoreoTestSupport",
                "ChoreoCollector", "ChoreoServer", "ChoreoOTLP", "ChoreoStore", "ChoreoModel", "ChoreoFlows", "ChoreoQuery",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                // OTLP/gRPC through a real grpc-swift client.
                "ChoreoOTLPGRPC",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ]
        ),
        .testTarget(
            name: "ChoreoAgentTests",
            dependencies: [
                "ChoreoTestSupport",
                "ChoreoAgent", "ChoreoServer", "ChoreoOTLP", "ChoreoModel",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                // OTLP/gRPC through a real grpc-swift client.
                "ChoreoOTLPGRPC",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ]
        ),
        .testTarget(name: "ChoreoCLITests", dependencies: ["ChoreoCLI", "ChoreoFlows", "ChoreoQuery", "ChoreoStore", "ChoreoModel"]),
        .testTarget(
            name: "OrderFulfilmentTests",
            dependencies: [
                "ChoreoTestSupport", "OrderFulfilment", "ChoreoInstrumentation", "ChoreoPostgresBus", "ChoreoModel",
                "ChoreoRabbitMQBus", "ChoreoNATSBus",
                // A traced run rebuilt into flows with skewed clocks (ClockSkewRunTests).
                "ChoreoTracer", "ChoreoFlows",
            ]),
        .testTarget(
            name: "ChoreoPostgresBusTests",
            dependencies: [
                "ChoreoTestSupport", "ChoreoBusConformance", "ChoreoPostgresBus", "ChoreoInstrumentation", "ChoreoModel",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(
            name: "ChoreoNATSBusTests",
            dependencies: ["CNATS", "ChoreoBusConformance", "ChoreoNATSBus", "ChoreoInstrumentation", "ChoreoModel", "ChoreoTestSupport"]
        ),
        .testTarget(
            name: "ChoreoRabbitMQBusTests",
            dependencies: ["ChoreoBusConformance", "ChoreoRabbitMQBus", "ChoreoInstrumentation", "ChoreoModel", "ChoreoTestSupport"]
        ),
        .testTarget(
            name: "ChoreoDashboardTests",
            dependencies: [
                "ChoreoDashboard",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]),
        .testTarget(
            name: "EndToEndTests",
            // ChoreoFlows: the clock-skew test rebuilds the true flows from the collector's spans.
            dependencies: ["ChoreoModel", "ChoreoOTLP", "ChoreoTestSupport", "ChoreoTracer", "ChoreoFlows"]),
    ],
    swiftLanguageModes: [.v6]
)

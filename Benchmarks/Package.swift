// swift-tools-version:6.1
// Benchmarks of Choreoscope: a separate package, built on demand, never by CI.
//
//     cd Benchmarks && swift build -c release
//     .build/release/instrumentation-overhead
//     .build/release/collector-ingest
//     .build/release/tracer-costs
//     .build/release/store-append
//     .build/release/bus-throughput --postgres URL --amqp URL --nats URL
//     .build/release/large-flow --messages 100000
//
// See ../BENCHMARKS.md for the figures and the exact commands that produced them.
import PackageDescription

let package = Package(
    name: "ChoreoscopeBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Choreoscope", path: ".."),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // A grpc-swift client for collector-ingest's OTLP/gRPC case.
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        // swift-otel's tracer, for instrumentation-overhead's side-by-side variant only (OTLP/HTTP only: it
        // does not build without a trait; gRPC is left out). Never a dependency of the product.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // Counts malloc-family calls by interposing glibc's allocator (forwarding to it).
        .target(name: "CMallocCounter"),
        // libsqlite3 for the raw-insert baseline (same system library the store links).
        .systemLibrary(name: "CSQLiteBench", path: "Sources/CSQLiteBench"),
        // Timing, statistics, CPU time, allocation counts, machine description, tables.
        .target(name: "BenchSupport", dependencies: ["CMallocCounter"]),
        // A local OTLP/HTTP sink answering 200 to everything (agent-forwarding, bus-throughput).
        .target(
            name: "SinkServer",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        // The baseline: the store's rows inserted through the SQLite C API directly.
        .target(name: "RawSQLite", dependencies: ["CSQLiteBench"]),
        .executableTarget(
            name: "instrumentation-overhead",
            dependencies: [
                "BenchSupport",
                .product(name: "ChoreoInstrumentation", package: "Choreoscope"),
                .product(name: "ChoreoTracer", package: "Choreoscope"),
                .product(name: "ChoreoModel", package: "Choreoscope"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
            ]
        ),
        .executableTarget(
            name: "collector-ingest",
            dependencies: [
                "BenchSupport", "RawSQLite",
                .product(name: "ChoreoCollector", package: "Choreoscope"),
                .product(name: "ChoreoFlows", package: "Choreoscope"),
                .product(name: "ChoreoStore", package: "Choreoscope"),
                .product(name: "ChoreoOTLP", package: "Choreoscope"),
                .product(name: "ChoreoOTLPGRPC", package: "Choreoscope"),
                .product(name: "ChoreoModel", package: "Choreoscope"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Agent forwarding: spans/s through a real choreo-agent process, and its RSS.
        .executableTarget(
            name: "agent-forwarding",
            dependencies: [
                "BenchSupport", "SinkServer",
                .product(name: "ChoreoOTLP", package: "Choreoscope"),
                .product(name: "ChoreoModel", package: "Choreoscope"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Tracer costs: ns per id and per span start+end (was ChoreoTracerTests' MeasurementTests).
        .executableTarget(
            name: "tracer-costs",
            dependencies: [
                "BenchSupport",
                .product(name: "ChoreoTracer", package: "Choreoscope"),
                .product(name: "ChoreoModel", package: "Choreoscope"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        // Store append: spans/s into SQLiteSpanStore, synchronous FULL vs NORMAL (was
        // ChoreoStoreTests' AppendThroughputMeasurement).
        .executableTarget(
            name: "store-append",
            dependencies: [
                "BenchSupport", "RawSQLite",
                .product(name: "ChoreoStore", package: "Choreoscope"),
                .product(name: "ChoreoModel", package: "Choreoscope"),
            ]
        ),
        // Bus throughput: deliveries/s on every bus, raw and through TracedBus + ChoreoTracer.
        .executableTarget(
            name: "bus-throughput",
            dependencies: [
                "BenchSupport", "SinkServer",
                .product(name: "ChoreoInstrumentation", package: "Choreoscope"),
                .product(name: "ChoreoPostgresBus", package: "Choreoscope"),
                .product(name: "ChoreoRabbitMQBus", package: "Choreoscope"),
                .product(name: "ChoreoNATSBus", package: "Choreoscope"),
                .product(name: "ChoreoTracer", package: "Choreoscope"),
                .product(name: "ChoreoModel", package: "Choreoscope"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // One flow of 100,000 messages through the store, FlowBuilder, the query service's
        // cache, the direct JSON writer and reader, and the exports (issue 17).
        .executableTarget(
            name: "large-flow",
            dependencies: [
                .product(name: "ChoreoStore", package: "Choreoscope"),
                .product(name: "ChoreoQuery", package: "Choreoscope"),
                .product(name: "ChoreoFlows", package: "Choreoscope"),
                .product(name: "ChoreoModel", package: "Choreoscope"),
            ]
        ),
        // Flow queries: flows show of a long flow, stuck list over many flows, process map.
        .executableTarget(
            name: "flow-queries",
            dependencies: [
                "BenchSupport",
                .product(name: "ChoreoStore", package: "Choreoscope"),
                .product(name: "ChoreoPostgresStore", package: "Choreoscope"),
                .product(name: "ChoreoQuery", package: "Choreoscope"),
                .product(name: "ChoreoFlows", package: "Choreoscope"),
                .product(name: "ChoreoCollector", package: "Choreoscope"),
                .product(name: "ChoreoModel", package: "Choreoscope"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

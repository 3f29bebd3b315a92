import BenchSupport
import ChoreoOTLPGRPC
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import RawSQLite

/// Ingest over OTLP/gRPC: the same `choreo-collector` binary, started with `--grpc-listen`,
/// receives `TraceService/Export` calls carrying the same protobuf request bytes as the HTTP
/// case (sent as they are, ``RawBytesCoder``), from `clients` concurrent callers sharing one
/// HTTP/2 connection, as an OpenTelemetry SDK's gRPC exporter does. A span counts once its call
/// returned OK; `RESOURCE_EXHAUSTED` and `UNAVAILABLE` are retried after 50 ms. After the run
/// the collector is stopped and the stored rows counted.
enum GRPCIngest {
    static func run(bodies: [(body: [UInt8], spans: Int)], clients: Int, binary: String, database: String) async throws -> HTTPIngest.Result {
        let grpcPort = try CollectorProcess.freeLoopbackPort()
        let collector = try CollectorProcess(binary: binary, store: ["--db", database], grpcPort: grpcPort)
        defer { collector.stop() }
        try await collector.waitUntilGRPCReady(port: grpcPort)
        let transport = try HTTP2ClientTransport.Posix(target: .ipv4(address: "127.0.0.1", port: grpcPort), transportSecurity: .plaintext)
        let cursor = WorkCursor(count: bodies.count)
        let cpuBefore = collector.cpuNanoseconds()
        let timed = try await withGRPCClient(transport: transport) { client in
            try await Stopwatch.measure {
                try await withThrowingTaskGroup(of: (acknowledged: Int, retries: Int).self) { group in
                    for _ in 0..<clients {
                        group.addTask {
                            var acknowledged = 0
                            var retries = 0
                            while let index = cursor.next() {
                                retries += try await export(bodies[index].body, with: client)
                                acknowledged += bodies[index].spans
                            }
                            return (acknowledged, retries)
                        }
                    }
                    return try await group.reduce(into: (0, 0)) { $0.0 += $1.acknowledged; $0.1 += $1.retries }
                }
            }
        }
        let cpu = collector.cpuNanoseconds() - cpuBefore
        collector.stop()
        let stored = try RawSpanReader.count(path: database)
        return HTTPIngest.Result(
            measurement: timed.measurement, collectorCPUNanoseconds: cpu,
            acknowledgedSpans: timed.result.0, storedSpans: stored, retries: timed.result.1, polls: 0
        )
    }

    /// Calls Export until it returns OK; returns the number of retries.
    static func export(_ body: [UInt8], with client: GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Int {
        var retries = 0
        while true {
            do {
                _ = try await client.unary(
                    request: ClientRequest(message: body), descriptor: Opentelemetry_Proto_Collector_Trace_V1_TraceService.Method.Export.descriptor,
                    serializer: RawBytesCoder(), deserializer: RawBytesCoder(), options: .defaults
                ) { try $0.message }
                return retries
            } catch let error as RPCError where error.code == .resourceExhausted || error.code == .unavailable {
                retries += 1
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }
}

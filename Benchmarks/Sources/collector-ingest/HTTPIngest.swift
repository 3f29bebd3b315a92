import AsyncHTTPClient
import BenchSupport
import NIOCore
import RawSQLite

/// Ingest over HTTP: the real `choreo-collector` binary (fresh database per run, its flow
/// indexer running as usual) receives `POST /v1/traces` protobuf bodies of one batch each
/// from `clients` concurrent connections. A span counts once its request got 200; 503 and 429
/// are retried after 50 ms, as an exporter would. After the run the collector is stopped and
/// the rows in its database are counted, to check that every acknowledged span is there.
///
/// With `polling`, a dashboard polls the query API once a second during the run, asking what
/// the web dashboard's flows view asks on each refresh (it refreshes every 4 s; this polls
/// four times as often): the 1,000 most recent flows, every stuck or failed flow, and the
/// counts by status.
enum HTTPIngest {
    struct Result {
        var measurement: Timing
        var collectorCPUNanoseconds: Double
        var acknowledgedSpans: Int
        var storedSpans: Int
        var retries: Int
        var polls: Int
    }

    static func run(
        bodies: [(body: [UInt8], spans: Int)], clients: Int, polling: Bool, binary: String, database: String,
        extraArguments: [String] = []
    ) async throws -> Result {
        let collector = try CollectorProcess(binary: binary, store: ["--db", database] + extraArguments)
        defer { collector.stop() }
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: clients)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            try await collector.waitUntilReady(client: client)
            let url = collector.baseURL + "/v1/traces"
            let cursor = WorkCursor(count: bodies.count)
            let cpuBefore = collector.cpuNanoseconds()
            let base = collector.baseURL
            let poller = polling ? Task { try await poll(base, with: client) } : nil
            let timed = try await Stopwatch.measure {
                try await withThrowingTaskGroup(of: (acknowledged: Int, retries: Int).self) { group in
                    for _ in 0..<clients {
                        group.addTask {
                            var acknowledged = 0
                            var retries = 0
                            while let index = cursor.next() {
                                retries += try await post(bodies[index].body, to: url, with: client)
                                acknowledged += bodies[index].spans
                            }
                            return (acknowledged, retries)
                        }
                    }
                    return try await group.reduce(into: (0, 0)) { $0.0 += $1.acknowledged; $0.1 += $1.retries }
                }
            }
            let cpu = collector.cpuNanoseconds() - cpuBefore
            poller?.cancel()
            let polls = try await poller?.value ?? 0
            try await client.shutdown()
            collector.stop()
            let stored = try RawSpanReader.count(path: database)
            return Result(
                measurement: timed.measurement, collectorCPUNanoseconds: cpu,
                acknowledgedSpans: timed.result.0, storedSpans: stored, retries: timed.result.1, polls: polls
            )
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// Polls the dashboard's queries once a second until cancelled; returns the polls made.
    private static func poll(_ base: String, with client: HTTPClient) async throws -> Int {
        let since = "1970-01-01T00:00:00Z"
        let paths = [
            "/api/v1/flows?since=\(since)&limit=1000", "/api/v1/flows?since=\(since)&limit=1000&status=stuck,failed",
            "/api/v1/flows/stats?since=\(since)",
        ]
        var polls = 0
        let clock = ContinuousClock()
        var next = clock.now
        while !Task.isCancelled {
            do {
                for path in paths {
                    let response = try await client.execute(HTTPClientRequest(url: base + path), timeout: .seconds(30))
                    _ = try await response.body.collect(upTo: 64 << 20)
                    guard response.status == .ok else { throw BenchError("dashboard query \(path) answered \(response.status.code)") }
                }
            } catch where Task.isCancelled {
                break  // the run ended during a poll: that poll does not count
            }
            polls += 1
            next = next.advanced(by: .seconds(1))
            do { try await clock.sleep(until: next) } catch { break }
        }
        return polls
    }

    /// Posts until the collector answers 200; returns the number of retries (429/503).
    static func post(_ body: [UInt8], to url: String, with client: HTTPClient) async throws -> Int {
        var retries = 0
        while true {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/x-protobuf")
            request.body = .bytes(body)
            let response = try await client.execute(request, timeout: .seconds(60))
            let answer = try await response.body.collect(upTo: 1 << 20)
            switch response.status.code {
            case 200:
                return retries
            case 429, 503:
                retries += 1
                try await Task.sleep(for: .milliseconds(50))
            default:
                throw BenchError("collector answered \(response.status.code): \(String(buffer: answer))")
            }
        }
    }
}

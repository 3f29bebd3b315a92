import AsyncHTTPClient
import BenchSupport
import Foundation

/// Ingest into PostgreSQL (`--postgres URL`): over HTTP through 1, 2 or 3 `choreo-collector`
/// processes sharing one fresh schema (`--store URL?schema=…`), and the raw baseline, a `COPY`
/// of the same rows into a fresh schema of the same shape. Every run uses a schema of its own,
/// dropped afterwards (untimed).
///
/// The clients are spread over the collectors round-robin (client `i` posts to collector
/// `i mod n`), each taking the next request body when its last one was acknowledged, so the
/// load moves to whichever collector answers first.
struct PostgresIngest {
    let url: String
    let binary: String
    let scratch: String
    private var schemas = 0

    init(url: String, binary: String, scratch: String) {
        self.url = url
        self.binary = binary
        self.scratch = scratch
    }

    struct Result {
        var measurement: Timing
        var collectorCPUNanoseconds: Double
        var serverCPUNanoseconds: Double
        var acknowledgedSpans: Int
        var storedSpans: Int
        var retries: Int
        /// Flows in the index when the last request was acknowledged (read by psql right
        /// after, while the collectors still run), and the flows of the stored spans.
        var indexedFlows = 0
        var flows = 0
        /// From the last acknowledgement until no flow was left to index (the collectors still
        /// running; polled every 50 ms), nil when it took over a minute.
        var indexCompleteAfterSeconds: Double?
    }

    /// A new schema name for one run (the store creates it).
    mutating func freshSchema(_ tag: String) -> String {
        schemas += 1
        return "bench_ingest_\(ProcessInfo.processInfo.processIdentifier)_\(tag)_\(schemas)"
    }

    /// The store URL of `schema` (the `--store` argument).
    func storeURL(_ schema: String) -> String {
        url + (url.contains("?") ? "&" : "?") + "schema=\(schema)"
    }

    /// HTTP through `collectors` processes on one fresh schema, `clients` connections in all;
    /// the processes run `binary` when given (`--baseline-collector`), else ``binary``, with
    /// `extraArguments` (`--baseline-args`).
    func http(
        bodies: [(body: [UInt8], spans: Int)], collectors count: Int, clients: Int, schema: String, binary: String? = nil,
        extraArguments: [String] = []
    ) async throws -> Result {
        let binary = binary ?? self.binary
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: clients)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        var collectors: [CollectorProcess] = []
        defer { for collector in collectors { collector.stop() } }
        do {
            for _ in 0..<count {
                collectors.append(try CollectorProcess(binary: binary, store: ["--store", storeURL(schema)] + extraArguments))
            }
            // Started together, as a deployment would: they meet at the schema's migration lock.
            for collector in collectors { try await collector.waitUntilReady(client: client, attempts: 1500) }
            let urls = collectors.map { $0.baseURL + "/v1/traces" }
            let cursor = WorkCursor(count: bodies.count)
            let cpuBefore = collectors.reduce(0) { $0 + $1.cpuNanoseconds() }
            let serverBefore = try ServerCPU.nanoseconds(dataDirectory: Self.dataDirectory)
            let timed = try await Stopwatch.measure {
                try await withThrowingTaskGroup(of: (acknowledged: Int, retries: Int).self) { group in
                    for index in 0..<clients {
                        let target = urls[index % urls.count]
                        group.addTask {
                            var acknowledged = 0
                            var retries = 0
                            while let next = cursor.next() {
                                retries += try await HTTPIngest.post(bodies[next].body, to: target, with: client)
                                acknowledged += bodies[next].spans
                            }
                            return (acknowledged, retries)
                        }
                    }
                    return try await group.reduce(into: (0, 0)) {
                        $0.0 += $1.acknowledged
                        $0.1 += $1.retries
                    }
                }
            }
            let server = try ServerCPU.nanoseconds(dataDirectory: Self.dataDirectory) - serverBefore
            let cpu = collectors.reduce(0) { $0 + $1.cpuNanoseconds() } - cpuBefore
            let indexed = Int(try PSQL.run(url, ["-c", "SELECT count(*) FROM \(schema).flow_summaries"])) ?? -1
            let acknowledgedAt = ContinuousClock.now
            var complete: Double?
            while complete == nil, acknowledgedAt.duration(to: .now) < .seconds(60) {
                if try PSQL.run(url, ["-c", "SELECT NOT EXISTS (SELECT 1 FROM \(schema).dirty_flows)"]) == "t" {
                    complete = acknowledgedAt.duration(to: .now).nanoseconds / 1e9
                } else {
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            try await client.shutdown()
            for collector in collectors { collector.stop() }
            let stored = Int(try PSQL.run(url, ["-c", "SELECT count(*) FROM \(schema).spans"])) ?? -1
            let flows =
                Int(try PSQL.run(url, ["-c", "SELECT count(DISTINCT correlation_id) FROM \(schema).spans WHERE correlation_id <> ''"])) ?? -1
            return Result(
                measurement: timed.measurement, collectorCPUNanoseconds: cpu, serverCPUNanoseconds: server,
                acknowledgedSpans: timed.result.0, storedSpans: stored, retries: timed.result.1, indexedFlows: indexed, flows: flows,
                indexCompleteAfterSeconds: complete)
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// The rows a store wrote into `schema.spans`, in the order it inserted them, as CSV files of
    /// `batchSize` rows each (COPY's csv format; bytea as `\x` hex): the baseline's input.
    func exportBatches(schema: String, batchSize: Int) throws -> [String] {
        let file = "\(scratch)/rows.csv"
        _ = try PSQL.run(url, ["-c", "\\copy (SELECT \(Self.columns) FROM \(schema).spans ORDER BY seq) TO '\(file)' WITH (FORMAT csv)"])
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true)
        var files: [String] = []
        for (n, start) in stride(from: 0, to: lines.count, by: batchSize).enumerated() {
            let path = "\(scratch)/batch-\(n).csv"
            try (lines[start..<min(start + batchSize, lines.count)].joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
            files.append(path)
        }
        return files
    }

    /// The baseline: a fresh schema made by a collector (started, stopped: the store's tables,
    /// untimed) with the partitions of `template` (the warm-up's, so every row has one), then
    /// one `psql` session that COPYs each batch file in a transaction of its own (`\copy` in
    /// autocommit) into `spans`. Timed between two `clock_timestamp()`s read in that session,
    /// so psql's start and connection are left out; the server's CPU over the whole session.
    func raw(_ batches: [String], schema: String, template: String) async throws -> Result {
        let collector = try CollectorProcess(binary: binary, store: ["--store", storeURL(schema)])
        defer { collector.stop() }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await collector.waitUntilReady(client: client, attempts: 1500)
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }
        collector.stop()
        let partitions = """
            SELECT format('CREATE TABLE IF NOT EXISTS %I.%I PARTITION OF %I.spans %s', '\(schema)', c.relname, '\(schema)',
                          pg_get_expr(c.relpartbound, c.oid))
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '\(template).spans'::regclass
            \\gexec

            """
        let partitionsPath = "\(scratch)/partitions.sql"
        try partitions.write(toFile: partitionsPath, atomically: false, encoding: .utf8)
        _ = try PSQL.run(url, ["-q", "-f", partitionsPath])
        var script = "SELECT extract(epoch FROM clock_timestamp())::numeric(20,6);\n"
        for file in batches {
            script += "\\copy \(schema).spans (\(Self.columns)) FROM '\(file)' WITH (FORMAT csv)\n"
        }
        script += "SELECT extract(epoch FROM clock_timestamp())::numeric(20,6);\n"
        let scriptPath = "\(scratch)/copy.sql"
        try script.write(toFile: scriptPath, atomically: false, encoding: .utf8)
        let serverBefore = try ServerCPU.nanoseconds(dataDirectory: Self.dataDirectory)
        let output = try PSQL.run(url, ["-q", "-f", scriptPath])
        let server = try ServerCPU.nanoseconds(dataDirectory: Self.dataDirectory) - serverBefore
        let stamps = output.split(separator: "\n").compactMap { Double($0) }
        guard stamps.count == 2 else { throw BenchError("unexpected psql output: \(output.prefix(300))") }
        let stored = Int(try PSQL.run(url, ["-c", "SELECT count(*) FROM \(schema).spans"])) ?? -1
        return Result(
            measurement: Timing(wallNanoseconds: (stamps[1] - stamps[0]) * 1e9, cpuNanoseconds: .nan), collectorCPUNanoseconds: .nan,
            serverCPUNanoseconds: server, acknowledgedSpans: stored, storedSpans: stored, retries: 0)
    }

    func drop(_ schema: String) throws {
        _ = try PSQL.run(url, ["-c", "DROP SCHEMA IF EXISTS \(schema) CASCADE"])
    }

    /// The stored columns, in the store's insert order (`seq` is the table's default).
    static let columns = "correlation_id, trace_id, span_id, start_ns, end_ns, service, name, kind, status, record"

    /// The server's data directory, for its CPU time (`--pg-data`; the throwaway cluster's).
    nonisolated(unsafe) static var dataDirectory = "/tmp/choreo-pg-test-cluster/data"
}

/// `psql` (from the PATH) on the database of a store URL.
enum PSQL {
    /// Runs psql with `arguments` (unaligned, tuples only, stopping at the first error) and
    /// returns its standard output, trimmed.
    static func run(_ url: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", libpqURL(url), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1"] + arguments
        // Notices (DROP SCHEMA … CASCADE lists what it drops) would land in the middle of the report.
        process.environment = ProcessInfo.processInfo.environment.merging(["PGOPTIONS": "-c client_min_messages=warning"]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError("psql exited with status \(process.terminationStatus): \(arguments.joined(separator: " ").prefix(300))")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The URL without the store's own options, which libpq does not know.
    static func libpqURL(_ url: String) -> String {
        guard var parts = URLComponents(string: url) else { return url }
        parts.queryItems = parts.queryItems?.filter { $0.name != "schema" && $0.name != "application_name" }
        if parts.queryItems?.isEmpty == true { parts.queryItems = nil }
        return parts.string ?? url
    }

    /// The server's version and the settings that decide ingest speed.
    static func describe(_ url: String) throws -> String {
        let settings = ["server_version", "fsync", "synchronous_commit", "full_page_writes", "wal_level", "shared_buffers", "max_wal_size"]
        return try settings.map { "\($0) \(try run(url, ["-c", "SHOW \($0)"]))" }.joined(separator: ", ")
    }
}

/// CPU time of a PostgreSQL server: the postmaster (with the children it reaped) plus its live
/// children (backends, writers), from `/proc`, in nanoseconds (10 ms resolution).
enum ServerCPU {
    static func nanoseconds(dataDirectory: String) throws -> Double {
        guard let pidText = try? String(contentsOfFile: "\(dataDirectory)/postmaster.pid", encoding: .utf8),
            let postmaster = Int32(pidText.split(separator: "\n").first ?? "")
        else { return .nan }
        var ticks = 0.0
        let processes = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in processes {
            guard let pid = Int32(entry), let fields = statFields(pid) else { continue }
            // After the command name: ppid is field 4, utime 14, stime 15, cutime 16, cstime 17.
            if pid == postmaster {
                ticks += fields[11...14].compactMap { Double($0) }.reduce(0, +)
            } else if Int32(fields[1]) == postmaster {
                ticks += fields[11...12].compactMap { Double($0) }.reduce(0, +)
            }
        }
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK))) * 1e9
    }

    private static func statFields(_ pid: Int32) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
            return nil
        }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 14 ? fields : nil
    }
}

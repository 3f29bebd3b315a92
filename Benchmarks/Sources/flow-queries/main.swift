import BenchSupport
import ChoreoFlows
import ChoreoModel
import ChoreoPostgresStore
import ChoreoQuery
import ChoreoStore
import Foundation

// flow-queries: the flow queries of issue 4 through the code path the CLI (--db) and the
// collector's API use: the store's reads + QueryService (FlowBuilder / ProcessDiscovery) + JSON
// encoding, on SQLite (a fresh file) or, with --postgres URL, on PostgreSQL (a fresh schema).
//
//     cd Benchmarks && swift build -c release --product flow-queries
//     .build/release/flow-queries [--flows 1000000] [--map-flows 10000] [--runs 30]
//                                 [--postgres postgres://user@host:port/db [--schema NAME] [--no-fill]]

let arguments = Arguments()
if arguments.flag("help") {
    print("""
        usage: flow-queries [--flows 1000000] [--map-flows 10000] [--runs 30]
                            [--postgres URL [--schema NAME] [--no-fill] [--keep]]
        Fills a store with --flows indexed flows (through the store's own upsertFlows, 20,000 per
        call) plus --map-flows flows with real spans, then times the flow queries through
        QueryService. SQLite by default (a fresh file); with --postgres, PostgresSpanStore on the
        schema --schema (default: a fresh one, flow_queries_<seconds>, dropped at the end unless
        --keep). --no-fill measures a schema an earlier --keep run filled with the same counts.
        """)
    exit(0)
}
let bulkFlows = arguments.int("flows", 1_000_000)
let mapFlows = arguments.int("map-flows", 10_000)
let runs = arguments.int("runs", 30)
let postgresURL = arguments.flag("postgres") ? arguments.string("postgres", "") : nil
let fill = !arguments.flag("no-fill")

print("# flow-queries")
print("")
Machine.description().forEach { print($0) }
print("- load average before: \(Machine.loadAverage())")

if let postgresURL {
    var configuration = try PostgresStoreConfiguration(url: postgresURL)
    configuration.schema = arguments.string("schema", "flow_queries_\(Int(Date().timeIntervalSince1970))")
    let schema = configuration.schema
    print("- store: PostgreSQL \(configuration.displayName), schema \(schema)")
    try await PostgresSpanStore.withStore(configuration: configuration) { store in
        print("- server: \(try psql(postgresURL, "SHOW server_version"))")
        print("- settings: fsync \(try psql(postgresURL, "SHOW fsync")), synchronous_commit \(try psql(postgresURL, "SHOW synchronous_commit")), shared_buffers \(try psql(postgresURL, "SHOW shared_buffers"))")
        print("")
        try await measure(store)
    }
    if arguments.flag("schema") || arguments.flag("keep") {
        print("- schema \(schema) kept")
    } else {
        try dropSchema(schema, url: postgresURL)
        print("- schema \(schema) dropped")
    }
} else {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flow-queries-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = try SQLiteSpanStore(path: directory.appendingPathComponent("flows.sqlite").path, options: SQLiteOptions(synchronous: .normal))
    print("- store: SQLite, synchronous = NORMAL")
    print("")
    try await measure(store)
    await store.close()
}
print("")
print("- load average after: \(Machine.loadAverage())")

/// Fills `store` (unless --no-fill) and times the queries through `QueryService`, as the
/// collector's API and `choreo --db` answer them.
@MainActor func measure(_ store: some SpanStore) async throws {
    // 1. The index: `bulkFlows` flows (summary, type and service rows, trail), through the
    // store's own upsertFlows, the indexer's write path, 20,000 flows per call.
    if fill {
        let (_, filled) = try await Stopwatch.measure {
            var n = 0
            while n < bulkFlows {
                let batch = (n..<min(n + 20_000, bulkFlows)).map(Workload.indexEntry)
                try await store.upsertFlows(batch, clearing: [])
                n += batch.count
            }
        }
        print("indexed \(bulkFlows) flows in \(Format.fixed(filled.wallNanoseconds / 1e9, 1)) s")
    }

    // 2. The map flows: real spans, indexed as the collector's indexer does (build, summary, trail).
    let builder = FlowBuilder()
    let mapStart = Workload.base + UInt64(bulkFlows + 10) * 1_000_000
    var mapIDs: [String] = []
    for chunk in stride(from: 0, to: mapFlows, by: 1_000) {
        var spans: [SpanRecord] = []
        var entries: [IndexedFlow] = []
        for n in chunk..<min(chunk + 1_000, mapFlows) {
            let id = "map-\(n)"
            mapIDs.append(id)
            guard fill else { continue }
            let flowSpans = Workload.spans(
                correlationID: id, types: Workload.variants[n % 3], startNanos: mapStart + UInt64(n) * 1_000_000, trace: UInt64(n + 1))
            spans += flowSpans
            let flow = builder.build(correlationID: id, spans: flowSpans, now: mapStart + 3_600_000_000_000)!
            entries.append(
                IndexedFlow(
                    summary: builder.summary(of: flow),
                    trail: flow.steps.map {
                        FlowTrail.Step(type: $0.type, service: $0.source, publishedAtUnixNano: $0.publishedAtUnixNano)
                    }))
        }
        guard fill else { continue }
        try await store.append(spans)
        try await store.upsertFlows(entries, clearing: [])
    }

    // 3. One 100-step flow and one 10-step flow.
    let longTypes = (0..<100).map { "Step\($0 % 12)" }
    if fill {
        try await store.append(Workload.spans(correlationID: "long-100", types: longTypes, startNanos: Workload.base, trace: 900_001))
        try await store.append(
            Workload.spans(correlationID: "short-10", types: Array(longTypes.prefix(10)), startNanos: Workload.base, trace: 900_002))
    }
    print("span count: \(try await store.spanCount())")
    print("")

    // The collector's and `choreo --db`'s query code; no judging recorded, so FlowOptions().
    let service = QueryService(store: store, now: { Workload.base + 3_600_000_000_000 })

    /// `flows show`: read the spans, rebuild with the recorded judging, encode the JSON contract.
    func show(_ id: String) async throws -> Int {
        try JSONEncoder().encode(try await service.flow(correlationID: id)!).count
    }

    func sample(_ runs: Int, _ body: () async throws -> Void) async throws -> Samples {
        try await body()  // warm-up
        var samples = Samples()
        for _ in 0..<runs {
            let (_, t) = try await Stopwatch.measure { try await body() }
            samples.add(t.wallNanoseconds / 1e6)
        }
        return samples
    }

    var table = MarkdownTable(["query (same run)", "p50 ms", "p99 ms", "target"])
    func row(_ name: String, _ s: Samples, _ target: String) {
        table.add([name, Format.fixed(s.p50, 3), Format.fixed(s.p99, 3), target])
    }

    row("flows show, 100-step flow (200 spans)", try await sample(runs) { _ = try await show("long-100") }, "≤ 20 ms")
    row("flows show, 10-step flow (20 spans)", try await sample(runs) { _ = try await show("short-10") }, "comparison")
    let stuck = try await sample(runs) { _ = try await service.flows(FlowQuery(statuses: [.stuck], limit: 100)) }
    row("flows list --status stuck (limit 100), \(bulkFlows + mapFlows) flows", stuck, "≤ 50 ms")
    row("flows list (no filter, limit 100)", try await sample(runs) { _ = try await service.flows(FlowQuery(limit: 100)) }, "comparison")
    row(
        "flows list --status stuck --limit 10000",
        try await sample(runs) { _ = try await service.flows(FlowQuery(statuses: [.stuck], limit: 10_000)) }, "extra")
    row(
        "flows list --type PaymentDeclined (limit 100)",
        try await sample(runs) { _ = try await service.flows(FlowQuery(types: ["PaymentDeclined"], limit: 100)) }, "extra")
    row("flows stats (count per status)", try await sample(max(3, runs / 5)) { _ = try await service.stats(FlowQuery()) }, "extra")

    func mapFromIndex() async throws -> ProcessMap {
        var discovery = ProcessDiscovery()
        for trail in try await service.trails(FlowQuery(since: mapStart, limit: mapFlows)) {
            discovery.add(trail)
        }
        return discovery.map
    }

    func mapFromSpans(_ ids: [String]) async throws -> ProcessMap {
        var discovery = ProcessDiscovery()
        for id in ids {
            let flow = builder.build(correlationID: id, spans: try await store.spans(correlationID: id), now: mapStart + 3_600_000_000_000)!
            discovery.add(flow.trail)
        }
        return discovery.map
    }

    let indexMap = try await mapFromIndex()
    let finalIDs = mapIDs
    let spansMap = try await mapFromSpans(finalIDs)
    precondition(indexMap.flows == mapFlows && indexMap.edgeCounts == spansMap.edgeCounts, "both map paths must agree")
    row("flows map over \(mapFlows) flows (index trails + discovery)", try await sample(max(5, runs / 3)) { _ = try await mapFromIndex() }, "≤ 1000 ms")
    row("flows map over \(mapFlows) flows (rebuilt from spans)", try await sample(3) { _ = try await mapFromSpans(finalIDs) }, "comparison")
    let xes = try await sample(max(5, runs / 3)) {
        _ = FlowExport.xes(try await service.trails(FlowQuery(since: mapStart, limit: mapFlows)))
    }
    row("flows export --format xes over \(mapFlows) flows", xes, "extra")

    print(table.render())
}

/// One value from `psql` (the PostgreSQL client on the PATH) for `sql` on the database of `url`.
func psql(_ url: String, _ sql: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["psql", libpqURL(url), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw PSQLFailure(sql: sql, status: process.terminationStatus) }
    return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

/// The URL without the store's own options (schema), which libpq does not know.
func libpqURL(_ url: String) -> String {
    guard var parts = URLComponents(string: url) else { return url }
    parts.queryItems = parts.queryItems?.filter { $0.name != "schema" && $0.name != "application_name" }
    if parts.queryItems?.isEmpty == true { parts.queryItems = nil }
    return parts.string ?? url
}

func dropSchema(_ schema: String, url: String) throws {
    _ = try psql(url, "DROP SCHEMA \(schema) CASCADE")
}

struct PSQLFailure: Error, CustomStringConvertible {
    var sql: String
    var status: Int32
    var description: String { "psql exited with status \(status) running: \(sql)" }
}

import BenchSupport
import ChoreoFlows
import ChoreoModel
import ChoreoStore
import Foundation

// flow-queries: the flow queries of issue 4 through the code path the CLI (--db) and the
// collector's API use: SQLiteSpanStore reads + FlowBuilder / ProcessDiscovery + JSON encoding.
//
//     cd Benchmarks && swift build -c release --product flow-queries
//     .build/release/flow-queries [--flows 1000000] [--map-flows 10000] [--runs 30]

let arguments = Arguments()
let bulkFlows = arguments.int("flows", 1_000_000)
let mapFlows = arguments.int("map-flows", 10_000)
let runs = arguments.int("runs", 30)

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flow-queries-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }
let store = try SQLiteSpanStore(path: directory.appendingPathComponent("flows.sqlite").path, options: SQLiteOptions(synchronous: .normal))

print("# flow-queries")
print("")
Machine.description().forEach { print($0) }
print("- load average before: \(Machine.loadAverage())")
print("")

// 1. Fill the index with `bulkFlows` flows (summary, type/service rows, trail).
let (_, fill) = try await Stopwatch.measure {
    var n = 0
    while n < bulkFlows {
        let batch = (n..<min(n + 20_000, bulkFlows)).map(Workload.indexEntry)
        try await store.upsertFlows(batch, clearing: [])
        n += batch.count
    }
}
print("indexed \(bulkFlows) flows in \(Format.fixed(fill.wallNanoseconds / 1e9, 1)) s")

// 2. The map flows: real spans, indexed as the collector's indexer does (build, summary, trail).
let builder = FlowBuilder()
let mapStart = Workload.base + UInt64(bulkFlows + 10) * 1_000_000
var mapIDs: [String] = []
for chunk in stride(from: 0, to: mapFlows, by: 1_000) {
    var spans: [SpanRecord] = []
    var entries: [IndexedFlow] = []
    for n in chunk..<min(chunk + 1_000, mapFlows) {
        let id = "map-\(n)"
        let flowSpans = Workload.spans(correlationID: id, types: Workload.variants[n % 3], startNanos: mapStart + UInt64(n) * 1_000_000, trace: UInt64(n + 1))
        spans += flowSpans
        let flow = builder.build(correlationID: id, spans: flowSpans, now: mapStart + 3_600_000_000_000)!
        entries.append(
            IndexedFlow(
                summary: builder.summary(of: flow),
                trail: flow.steps.map {
                    FlowTrail.Step(type: $0.type, service: $0.source, publishedAtUnixNano: $0.publishedAtUnixNano)
                }))
        mapIDs.append(id)
    }
    try await store.append(spans)
    try await store.upsertFlows(entries, clearing: [])
}

// 3. One 100-step flow and one 10-step flow.
let longTypes = (0..<100).map { "Step\($0 % 12)" }
try await store.append(Workload.spans(correlationID: "long-100", types: longTypes, startNanos: Workload.base, trace: 900_001))
try await store.append(Workload.spans(correlationID: "short-10", types: Array(longTypes.prefix(10)), startNanos: Workload.base, trace: 900_002))
print("span count: \(try await store.spanCount())")
print("")

/// `flows show`: read the spans, rebuild, encode the JSON contract.
func show(_ id: String) async throws -> Int {
    let spans = try await store.spans(correlationID: id)
    let flow = builder.build(correlationID: id, spans: spans, now: Workload.base + 3_600_000_000_000)!
    return try JSONEncoder().encode(flow).count
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
@MainActor func row(_ name: String, _ s: Samples, _ target: String) {
    table.add([name, Format.fixed(s.p50, 3), Format.fixed(s.p99, 3), target])
}

row("flows show, 100-step flow (200 spans)", try await sample(runs) { _ = try await show("long-100") }, "≤ 20 ms")
row("flows show, 10-step flow (20 spans)", try await sample(runs) { _ = try await show("short-10") }, "comparison")
let stuck = try await sample(runs) { _ = try await store.flowSummaries(FlowQuery(statuses: [.stuck], limit: 100)) }
row("flows list --status stuck (limit 100), \(bulkFlows + mapFlows) flows", stuck, "≤ 50 ms")
row("flows list (no filter, limit 100)", try await sample(runs) { _ = try await store.flowSummaries(FlowQuery(limit: 100)) }, "comparison")
row(
    "flows list --status stuck --limit 10000", try await sample(runs) { _ = try await store.flowSummaries(FlowQuery(statuses: [.stuck], limit: 10_000)) },
    "extra")
row(
    "flows list --type PaymentDeclined (limit 100)",
    try await sample(runs) { _ = try await store.flowSummaries(FlowQuery(types: ["PaymentDeclined"], limit: 100)) }, "extra")
row("flows stats (count per status)", try await sample(max(3, runs / 5)) { _ = try await store.flowCounts(FlowQuery()) }, "extra")

func mapFromIndex() async throws -> ProcessMap {
    var discovery = ProcessDiscovery()
    for trail in try await store.flowTrails(FlowQuery(since: mapStart, limit: mapFlows)) {
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
    _ = FlowExport.xes(try await store.flowTrails(FlowQuery(since: mapStart, limit: mapFlows)))
}
row("flows export --format xes over \(mapFlows) flows", xes, "extra")

print(table.render())
print("")
print("- load average after: \(Machine.loadAverage())")
await store.close()

import BenchSupport
import ChoreoOTLP
import Foundation
import RawSQLite

// collector-ingest: spans/s into SQLite, in process (IngestWriter + SQLiteSpanStore) and over
// HTTP and OTLP/gRPC (the choreo-collector binary), against a raw SQLite insert of the same rows; with
// --postgres, into PostgreSQL over HTTP through 1, 2, 3 collectors against a raw COPY.
let arguments = Arguments()
if arguments.flag("help") {
    print("""
        usage: collector-ingest [--runs 15] [--batches 40] [--batch-size 512] [--submitters 1,4,16]
                                [--clients 4,16] [--grpc-clients 4,16] [--polled-clients 4] [--collector ../.build/release/choreo-collector]
                                [--postgres URL [--pg-collectors 1,2,3] [--pg-clients 6] [--pg-data DIR]]
        Every run ingests --batches batches of --batch-size spans into a fresh database file.
        Over HTTP only when the --collector binary exists (build it with
        `swift build -c release --product choreo-collector` in the main package); --clients 0 skips
        HTTP, --submitters 0 the in-process cases. --grpc-clients: OTLP/gRPC Export calls of the same
        request bytes into the same binary (--grpc-listen), that many callers over one HTTP/2
        connection; 0 skips it. --polled-clients repeats the HTTP case with a
        dashboard polling the query API every second (0 skips it).
        --postgres postgres://user@host:port/db adds PostgreSQL (needs --collector and psql on the
        PATH): HTTP through each number of collector processes in --pg-collectors sharing one fresh
        schema per run (--pg-clients connections in all, round-robin over the collectors), and the
        raw baseline, psql's \\copy of the same rows (one COPY, one transaction per batch) into a
        fresh schema of the same shape. --pg-data is the server's data directory, for its CPU time
        (default: the throwaway cluster's, /tmp/choreo-pg-test-cluster/data).
        --baseline-collector PATH and/or --baseline-args="ARGS" repeat every HTTP case (SQLite and
        PostgreSQL) as a baseline: through another collector binary (an older build; default the
        same one) started with extra arguments (e.g. a flag whose effect is measured), interleaved with
        the other cases in every run; prints the paired ratio of the case to its baseline.
        --flow-build ROUNDS times the flow builder alone on the workload's flows (no store, no
        HTTP: the flow indexer's rebuild of each flow) and exits.
        --index-pass ROUNDS times the flow indexer's whole catch-up in process on the workload
        appended to a fresh SQLite file (claims, reading back, rebuilding, writing the index), the
        reading back alone, and the flow builder alone, and exits.
        """)
    exit(0)
}
let runs = arguments.int("runs", 15)
let batchSize = arguments.int("batch-size", 512)
let workload = Workload(batchCount: arguments.int("batches", 40), batchSize: batchSize)
let submitterCounts = arguments.ints("submitters", [1, 4, 16]).filter { $0 > 0 }
let binary = arguments.string("collector", "../.build/release/choreo-collector")
let httpClients = FileManager.default.isExecutableFile(atPath: binary) ? arguments.ints("clients", [4, 16]).filter { $0 > 0 } : []
let hasBinary = FileManager.default.isExecutableFile(atPath: binary)
let grpcClients = hasBinary ? arguments.ints("grpc-clients", [4, 16]).filter { $0 > 0 } : []
let polledClients = httpClients.isEmpty ? [] : arguments.ints("polled-clients", [4]).filter { $0 > 0 }
if arguments.flag("flow-build") {
    FlowBuildTiming.run(workload: workload, rounds: arguments.int("flow-build", 15))
    exit(0)
}
if arguments.flag("write-bodies") {
    let directory = arguments.string("write-bodies", ".")
    for (n, batch) in workload.batches.enumerated() {
        try Data(try OTLPProtobuf.encodeRequest(batch)).write(to: URL(fileURLWithPath: "\(directory)/body-\(n).pb"))
    }
    print("wrote \(workload.batches.count) OTLP request bodies to \(directory)")
    exit(0)
}
let scratch = try ScratchDirectory()
defer { scratch.remove() }
if arguments.flag("index-pass") {
    try await IndexPassTiming.run(workload: workload, rounds: arguments.int("index-pass", 5), directory: scratch.path)
    FlowBuildTiming.run(workload: workload, rounds: 10)
    exit(0)
}
let postgresURL = arguments.flag("postgres") ? arguments.string("postgres", "") : nil
if postgresURL != nil && !FileManager.default.isExecutableFile(atPath: binary) {
    print("--postgres needs the collector binary; none at \(binary)")
    exit(2)
}
let baselineArguments = arguments.string("baseline-args", "").split(separator: " ").map(String.init)
let baselineBinary =
    arguments.flag("baseline-collector") || arguments.flag("baseline-args") ? arguments.string("baseline-collector", binary) : nil
if let baselineBinary, !FileManager.default.isExecutableFile(atPath: baselineBinary) {
    print("--baseline-collector: no executable at \(baselineBinary)")
    exit(2)
}
let pgCollectors = postgresURL == nil ? [] : arguments.ints("pg-collectors", [1, 2, 3]).filter { $0 > 0 }
let pgClients = arguments.int("pg-clients", 6)
PostgresIngest.dataDirectory = arguments.string("pg-data", PostgresIngest.dataDirectory)
var postgres = postgresURL.map { PostgresIngest(url: $0, binary: binary, scratch: scratch.path) }

/// One measured configuration.
enum Case: Hashable {
    case raw
    case inProcess(submitters: Int)
    case http(clients: Int)
    case grpc(clients: Int)
    case polled(clients: Int)
    case postgresRaw
    case postgresHTTP(collectors: Int)
    /// The same as `.http` and `.postgresHTTP`, through the `--baseline-collector` binary.
    case httpBaseline(clients: Int)
    case postgresHTTPBaseline(collectors: Int)

    /// The case this one is compared with.
    var baseline: Case {
        switch self {
        case .postgresRaw, .postgresHTTP, .postgresHTTPBaseline: .postgresRaw
        default: .raw
        }
    }

    var label: String {
        switch self {
        case .raw: "raw SQLite C API, 1 connection, 1 txn/batch"
        case .inProcess(let n): "IngestWriter + SQLiteSpanStore, \(n) submitter\(n == 1 ? "" : "s")"
        case .http(let n): "HTTP → choreo-collector, \(n) client\(n == 1 ? "" : "s")"
        case .grpc(let n): "OTLP/gRPC → choreo-collector, \(n) caller\(n == 1 ? "" : "s") on 1 HTTP/2 connection"
        case .polled(let n): "HTTP → choreo-collector, \(n) client\(n == 1 ? "" : "s"), dashboard polling 1/s"
        case .postgresRaw: "PostgreSQL: raw COPY (psql \\copy), 1 connection, 1 txn/batch"
        case .postgresHTTP(let n): "PostgreSQL: HTTP → \(n) choreo-collector\(n == 1 ? "" : "s"), \(pgClients) clients"
        case .httpBaseline(let n): "HTTP → choreo-collector (baseline), \(n) client\(n == 1 ? "" : "s")"
        case .postgresHTTPBaseline(let n): "PostgreSQL: HTTP → \(n) choreo-collector\(n == 1 ? "" : "s") (baseline), \(pgClients) clients"
        }
    }
}

print("# collector-ingest\n")
Machine.description().forEach { print($0) }
print("- load average before: \(Machine.loadAverage())")
print("- runs: \(runs) per case (+1 warm-up, discarded), cases interleaved; \(workload.batches.count) batches × "
    + "\(batchSize) spans = \(workload.spanCount) spans per run, fresh database file per run in \(scratch.path)")
if !hasBinary { print("- HTTP: skipped (no executable at \(binary))") } else if httpClients.isEmpty { print("- HTTP into SQLite: skipped (--clients 0)") }

// The baseline's rows: what the store writes for this workload, read back from a warm-up run.
let warmupPath = scratch.database("warmup")
let warmup = try await InProcessIngest.run(workload, submitters: 1, database: warmupPath)
let rawRows = try RawSpanReader.rows(path: warmupPath)
precondition(rawRows.count == workload.spanCount, "the store kept \(rawRows.count) of \(workload.spanCount) spans")
let rawBatches = rawRows.batches(of: batchSize)
print("- row bytes as stored (ids, columns, record blob): \(rawRows.byteCount / rawRows.count) per span on average")
let bodies = try workload.batches.map { (body: try OTLPProtobuf.encodeRequest($0), spans: $0.count) }
print("- OTLP protobuf request body: \(bodies.reduce(0) { $0 + $1.body.count } / bodies.count) bytes per \(batchSize) spans\n")

// PostgreSQL's baseline rows: what one collector stored for this workload in a warm-up run.
var copyBatches: [String] = []
var templateSchema = ""
if let url = postgresURL, var setup = postgres {
    print("- PostgreSQL: \(try PSQL.describe(url))")
    templateSchema = setup.freshSchema("warmup")
    let warm = try await setup.http(bodies: bodies, collectors: 1, clients: pgClients, schema: templateSchema)
    precondition(warm.storedSpans == workload.spanCount, "PostgreSQL kept \(warm.storedSpans) of \(workload.spanCount) spans")
    copyBatches = try setup.exportBatches(schema: templateSchema, batchSize: batchSize)
    postgres = setup
    print("- PostgreSQL: \(pgClients) HTTP clients in all, round-robin over the collectors; fresh schema per run, dropped after it\n")
}

let cases: [Case] =
    [.raw] + submitterCounts.map { .inProcess(submitters: $0) } + httpClients.map { .http(clients: $0) }
    + (baselineBinary == nil ? [] : httpClients.map { .httpBaseline(clients: $0) })
    + grpcClients.map { .grpc(clients: $0) }
    + polledClients.map { .polled(clients: $0) } + (postgresURL == nil ? [] : [.postgresRaw])
    + pgCollectors.map { .postgresHTTP(collectors: $0) }
    + (baselineBinary == nil ? [] : pgCollectors.map { .postgresHTTPBaseline(collectors: $0) })
var rate: [Case: Samples] = [:]
var cpuPerSpan: [Case: Samples] = [:]
var collectorCPUPerSpan: [Case: Samples] = [:]
var spansPerCommit: [Case: Samples] = [:]
var retries: [Case: Int] = [:]
var polls: [Case: Int] = [:]
var serverCPUPerSpan: [Case: Samples] = [:]
var indexedShare: [Case: Samples] = [:]
var indexComplete: [Case: Samples] = [:]

@MainActor func runOnce(_ c: Case, tag: String) async throws -> Timing {
    let path = scratch.database("\(tag)")
    switch c {
    case .raw:
        return try await RawIngest.run(rawBatches, database: path)
    case .inProcess(let submitters):
        let result = try await InProcessIngest.run(workload, submitters: submitters, database: path)
        precondition(result.committedSpans == workload.spanCount)
        spansPerCommit[c, default: Samples()].add(Double(result.committedSpans) / Double(result.commits))
        return result.measurement
    case .http(let clients), .polled(let clients), .httpBaseline(let clients):
        let polling = c == .polled(clients: clients)
        let isBaseline = c == .httpBaseline(clients: clients)
        let result = try await HTTPIngest.run(
            bodies: bodies, clients: clients, polling: polling, binary: isBaseline ? baselineBinary! : binary, database: path,
            extraArguments: isBaseline ? baselineArguments : [])
        polls[c, default: 0] += result.polls
        precondition(result.storedSpans == result.acknowledgedSpans, "stored \(result.storedSpans) of \(result.acknowledgedSpans) acknowledged")
        collectorCPUPerSpan[c, default: Samples()].add(result.collectorCPUNanoseconds / Double(result.acknowledgedSpans))
        retries[c, default: 0] += result.retries
        return result.measurement
    case .grpc(let clients):
        let result = try await GRPCIngest.run(bodies: bodies, clients: clients, binary: binary, database: path)
        precondition(result.storedSpans == result.acknowledgedSpans, "stored \(result.storedSpans) of \(result.acknowledgedSpans) acknowledged")
        collectorCPUPerSpan[c, default: Samples()].add(result.collectorCPUNanoseconds / Double(result.acknowledgedSpans))
        retries[c, default: 0] += result.retries
        return result.measurement
    case .postgresRaw:
        let schema = postgres!.freshSchema("raw")
        let result = try await postgres!.raw(copyBatches, schema: schema, template: templateSchema)
        try postgres!.drop(schema)
        precondition(result.storedSpans == workload.spanCount, "COPY stored \(result.storedSpans) of \(workload.spanCount)")
        serverCPUPerSpan[c, default: Samples()].add(result.serverCPUNanoseconds / Double(result.storedSpans))
        return result.measurement
    case .postgresHTTP(let collectors), .postgresHTTPBaseline(let collectors):
        let schema = postgres!.freshSchema("c\(collectors)")
        let isBaseline = c == .postgresHTTPBaseline(collectors: collectors)
        let result = try await postgres!.http(
            bodies: bodies, collectors: collectors, clients: pgClients, schema: schema, binary: isBaseline ? baselineBinary : nil,
            extraArguments: isBaseline ? baselineArguments : [])
        try postgres!.drop(schema)
        precondition(result.storedSpans == result.acknowledgedSpans, "stored \(result.storedSpans) of \(result.acknowledgedSpans) acknowledged")
        collectorCPUPerSpan[c, default: Samples()].add(result.collectorCPUNanoseconds / Double(result.acknowledgedSpans))
        serverCPUPerSpan[c, default: Samples()].add(result.serverCPUNanoseconds / Double(result.acknowledgedSpans))
        indexedShare[c, default: Samples()].add(Double(result.indexedFlows) / Double(max(1, result.flows)))
        indexComplete[c, default: Samples()].add(result.indexCompleteAfterSeconds ?? .infinity)
        retries[c, default: 0] += result.retries
        return result.measurement
    }
}

for c in cases { _ = try await runOnce(c, tag: "warmup-case") }
spansPerCommit = [:]
retries = [:]
polls = [:]
collectorCPUPerSpan = [:]
serverCPUPerSpan = [:]
indexedShare = [:]
indexComplete = [:]
for run in 0..<runs {
    let order = cases.indices.map { cases[($0 + run) % cases.count] }
    for c in order {
        let m = try await runOnce(c, tag: "run")
        rate[c, default: Samples()].add(Double(workload.spanCount) / (m.wallNanoseconds / 1e9))
        cpuPerSpan[c, default: Samples()].add(m.cpuNanoseconds / Double(workload.spanCount))
    }
}

var table = MarkdownTable([
    "case", "spans/s p50", "spans/s p99-worst", "vs raw (p50 of paired ratios)", "bench-process CPU µs/span p50",
    "collector CPU µs/span p50", "PostgreSQL server CPU µs/span p50", "spans/commit p50", "flows indexed at the end p50", "index complete after p50",
])
for c in cases {
    let r = rate[c]!
    table.add([
        c.label, Format.grouped(r.p50), Format.grouped(r.percentile(1)),
        c == c.baseline ? "1.00" : Format.fixed(r.pairedRatio(over: rate[c.baseline]!).p50, 2),
        c == .postgresRaw ? "–" : Format.fixed(cpuPerSpan[c]!.p50 / 1000, 2),
        collectorCPUPerSpan[c].map { Format.fixed($0.p50 / 1000, 2) } ?? "–",
        serverCPUPerSpan[c].map { Format.fixed($0.p50 / 1000, 2) } ?? "–",
        spansPerCommit[c].map { Format.fixed($0.p50, 0) } ?? (c == .raw || c == .postgresRaw ? "\(batchSize)" : "–"),
        indexedShare[c].map { "\(Format.fixed($0.p50 * 100, 0)) %" } ?? "–",
        indexComplete[c].map { $0.p50.isFinite ? "\(Format.fixed($0.p50, 2)) s" : "> 60 s" } ?? "–",
    ])
}
print(table.render())
print("\nspans/s p99-worst: the 1st percentile of throughput (nearest rank), i.e. the slowest run — the p99 of time per span.")
if !indexedShare.isEmpty {
    print(
        "flows indexed at the end: the share of the run's flows in the flow index when the last request was acknowledged "
            + "(counted by psql right after); index complete after: from then until no flow was left to index, the collectors "
            + "still running (psql polling every 50 ms).")
}
for (c, n) in retries.sorted(by: { $0.key.label < $1.key.label }) where n > 0 {
    print("- \(c.label): \(n) requests retried after 429/503 over all runs")
}
for clients in polledClients {
    guard let polled = rate[.polled(clients: clients)], let plain = rate[.http(clients: clients)] else { continue }
    let ratio = polled.pairedRatio(over: plain)
    print(
        "- dashboard polling, \(clients) clients: ingest with polling ÷ without, paired by run: p50 \(Format.fixed(ratio.p50, 3)), "
            + "worst \(Format.fixed(ratio.percentile(1), 3)); \(polls[.polled(clients: clients)] ?? 0) polls of 3 queries over all runs")
}
for clients in grpcClients {
    guard let grpc = rate[.grpc(clients: clients)], let http = rate[.http(clients: clients)] else { continue }
    let ratio = grpc.pairedRatio(over: http)
    print(
        "- OTLP/gRPC ÷ HTTP, \(clients) clients, same collector binary and bodies, paired by run: p50 \(Format.fixed(ratio.p50, 2)), "
            + "worst \(Format.fixed(ratio.percentile(1), 2)), best \(Format.fixed(ratio.max, 2))")
}
for clients in httpClients where baselineBinary != nil {
    let ratio = rate[.http(clients: clients)]!.pairedRatio(over: rate[.httpBaseline(clients: clients)]!)
    print(
        "- SQLite, HTTP, \(clients) clients: this case ÷ its baseline, paired by run: p50 \(Format.fixed(ratio.p50, 3)), "
            + "worst \(Format.fixed(ratio.percentile(1), 3)), best \(Format.fixed(ratio.max, 3))")
}
for n in pgCollectors where baselineBinary != nil {
    let ratio = rate[.postgresHTTP(collectors: n)]!.pairedRatio(over: rate[.postgresHTTPBaseline(collectors: n)]!)
    print(
        "- PostgreSQL, \(n) collector\(n == 1 ? "" : "s"): this case ÷ its baseline, paired by run: p50 \(Format.fixed(ratio.p50, 3)), "
            + "worst \(Format.fixed(ratio.percentile(1), 3)), best \(Format.fixed(ratio.max, 3))")
}
for c in cases where c.baseline == .postgresRaw && c != .postgresRaw {
    let ratio = rate[c]!.pairedRatio(over: rate[.postgresRaw]!)
    print("- \(c.label) ÷ raw COPY, paired by run: p50 \(Format.fixed(ratio.p50, 2)), worst \(Format.fixed(ratio.percentile(1), 2)), best \(Format.fixed(ratio.max, 2))")
}
if let setup = postgres { try setup.drop(templateSchema) }
if let baselineBinary {
    print("- baseline: \(baselineBinary) \(baselineArguments.joined(separator: " "))")
}
print("- load average after: \(Machine.loadAverage())")

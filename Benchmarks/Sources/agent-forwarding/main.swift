import SinkServer
import AsyncHTTPClient
import BenchSupport
import ChoreoModel
import ChoreoOTLP
import Foundation

// agent-forwarding: spans/s through a real choreo-agent process into a minimal in-process sink
// (answers 200 at once), with and without --spool-dir, and the agent's peak RSS (VmHWM).
// Baseline: the same load posted straight to the sink.
//
//   swift build -c release --product agent-forwarding
//   .build/release/agent-forwarding [--agent ../.build/release/choreo-agent] [--seconds 10]
//       [--senders 4] [--spans-per-request 512]

let arguments = Arguments()
let agentBinary = arguments.string("agent", "../.build/release/choreo-agent")
let seconds = arguments.int("seconds", 10)
let senders = arguments.int("senders", 4)
let spansPerRequest = arguments.int("spans-per-request", 512)

guard FileManager.default.isExecutableFile(atPath: agentBinary) else {
    print("agent-forwarding: no choreo-agent at \(agentBinary); build it with `swift build -c release --product choreo-agent` or pass --agent PATH")
    exit(1)
}

/// One request of `n` spans shaped like the instrumentation's (messaging attributes).
func requestBody(spans n: Int) throws -> [UInt8] {
    var spans: [SpanRecord] = []
    for i in 0..<n {
        var attributes: [String: AttributeValue] = [:]
        attributes["messaging.system"] = .string("memory")
        attributes["messaging.destination.name"] = .string("orders")
        attributes["messaging.operation.type"] = .string("process")
        attributes["messaging.message.id"] = .string("msg-\(i)")
        attributes["messaging.message.conversation_id"] = .string("order-\(i / 8)")
        attributes["choreo.event_type"] = .string("OrderPlaced")
        let start: UInt64 = 1_700_000_000_000_000_000 + UInt64(i) * 1000
        let parent: SpanID? = i % 8 == 0 ? nil : SpanID(UInt64(i))
        spans.append(SpanRecord(
            traceID: TraceID(high: 0xBE4C, low: UInt64(i / 8 + 1)), spanID: SpanID(UInt64(i + 1)), parentSpanID: parent,
            name: "process orders", kind: .consumer, startTimeUnixNano: start, endTimeUnixNano: start + 500_000,
            attributes: attributes, serviceName: "order"
        ))
    }
    return try OTLPProtobuf.encodeRequest(spans)
}

let body = try requestBody(spans: spansPerRequest)
var configuration = HTTPClient.Configuration()
configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: senders)
let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
let sink = try await SinkServer.start()
let duration = Duration.seconds(seconds)

struct Row {
    var name: String
    var ingest: Double
    var forwarded: Double
    var rssKiB: Int
    var hwmKiB: Int
    var refused: Int
}
var rows: [Row] = []

// Baseline: straight to the sink.
do {
    let before = sink.answered
    let outcome = try await Load.run(
        url: "http://127.0.0.1:\(sink.port)/v1/traces", body: body, spansPerRequest: spansPerRequest, senders: senders, for: duration, client: client
    )
    let forwarded = Double((sink.answered - before) * spansPerRequest) / Double(seconds)
    rows.append(Row(name: "direct to sink (baseline)", ingest: Double(outcome.acknowledgedSpans) / Double(seconds), forwarded: forwarded, rssKiB: 0, hwmKiB: 0, refused: outcome.refused))
}

for spooled in [false, true] {
    let spoolDirectory = spooled ? FileManager.default.temporaryDirectory.appendingPathComponent("agent-bench-spool-\(UUID().uuidString)").path : nil
    let agent = try AgentProcess(binary: agentBinary, collector: "http://127.0.0.1:\(sink.port)", spoolDirectory: spoolDirectory)
    defer {
        agent.stop()
        if let spoolDirectory { try? FileManager.default.removeItem(atPath: spoolDirectory) }
    }
    try await agent.waitUntilReady(client: client)
    // Warm up for 2 s, then measure.
    _ = try await Load.run(url: "http://127.0.0.1:\(agent.port)/v1/traces", body: body, spansPerRequest: spansPerRequest, senders: senders, for: .seconds(2), client: client)
    let sentBefore = try await agent.spansSent(client: client)
    let outcome = try await Load.run(
        url: "http://127.0.0.1:\(agent.port)/v1/traces", body: body, spansPerRequest: spansPerRequest, senders: senders, for: duration, client: client
    )
    let sentAfter = try await agent.spansSent(client: client)
    rows.append(Row(
        name: spooled ? "through choreo-agent, --spool-dir (fsync interval)" : "through choreo-agent, memory only",
        ingest: Double(outcome.acknowledgedSpans) / Double(seconds), forwarded: (sentAfter - sentBefore) / Double(seconds),
        rssKiB: agent.memoryKiB("VmRSS"), hwmKiB: agent.memoryKiB("VmHWM"), refused: outcome.refused
    ))
}

// The collector away: everything goes to the spool; memory must not grow with it.
var outage: (ingest: Double, hwmKiB: Int, spooledBytes: Int)?
do {
    let spoolDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("agent-bench-spool-\(UUID().uuidString)").path
    let nobody = try freeLoopbackPort()
    let agent = try AgentProcess(binary: agentBinary, collector: "http://127.0.0.1:\(nobody)", spoolDirectory: spoolDirectory)
    defer {
        agent.stop()
        try? FileManager.default.removeItem(atPath: spoolDirectory)
    }
    try await agent.waitUntilReady(client: client)
    let outcome = try await Load.run(
        url: "http://127.0.0.1:\(agent.port)/v1/traces", body: body, spansPerRequest: spansPerRequest, senders: senders, for: duration, client: client
    )
    let spooled = (try? FileManager.default.contentsOfDirectory(atPath: spoolDirectory))?.reduce(0) { total, name in
        total + ((try? FileManager.default.attributesOfItem(atPath: spoolDirectory + "/" + name)[.size] as? Int) ?? 0)
    } ?? 0
    outage = (Double(outcome.acknowledgedSpans) / Double(seconds), agent.memoryKiB("VmHWM"), spooled)
}

try await client.shutdown()
await sink.stop()

print("## agent-forwarding\n")
for line in Machine.description() { print(line) }
print("- load average at the end: \(Machine.loadAverage())")
print("- \(senders) senders, \(spansPerRequest) spans per request (protobuf, \(body.count) bytes), \(seconds) s measured after a 2 s warm-up\n")
print("| path | acknowledged spans/s | forwarded spans/s | agent RSS at end | agent peak RSS (VmHWM) | 503s |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
for row in rows {
    let rss = row.rssKiB > 0 ? "\(row.rssKiB / 1024) MiB" : "-"
    let hwm = row.hwmKiB > 0 ? "\(row.hwmKiB / 1024) MiB" : "-"
    print("| \(row.name) | \(Int(row.ingest)) | \(Int(row.forwarded)) | \(rss) | \(hwm) | \(row.refused) |")
}
if let outage {
    print("\nCollector unreachable, --spool-dir: \(Int(outage.ingest)) spans/s acknowledged into the spool for \(seconds) s, "
        + "spool \(outage.spooledBytes >> 20) MiB at the end, agent peak RSS (VmHWM) \(outage.hwmKiB / 1024) MiB.")
}

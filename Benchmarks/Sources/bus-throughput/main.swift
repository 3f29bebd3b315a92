import SinkServer
import BenchSupport
import ChoreoInstrumentation
import ChoreoNATSBus
import ChoreoPostgresBus
import ChoreoRabbitMQBus
import ChoreoTracer
import Foundation
import Tracing

// bus-throughput: deliveries/s on every bus, raw and through TracedBus with ChoreoTracer.
let arguments = Arguments()
if arguments.flag("help") {
    print(
        """
        usage: bus-throughput [--postgres URL] [--amqp URL] [--nats URL] [--runs 5] [--messages 2000]
                              [--publishers 4] [--body-bytes 256] [--timeout-seconds 120]
        For the in-memory bus and each bus whose URL is given: --publishers tasks publish --messages
        messages to one topic that one consumer group handles (the handler does nothing); a run is
        timed from the first publish until the last delivery was handled. Each run is done twice,
        on the raw bus and through TracedBus with ChoreoTracer exporting OTLP/HTTP to a local sink
        that answers 200, alternating which goes first. Every run uses a fresh bus with names of
        its own (PostgreSQL schema, RabbitMQ prefix, NATS stream). Prints a Markdown table.
        """)
    exit(0)
}
let runs = arguments.int("runs", 5)
let scenario = Scenario(
    messages: arguments.int("messages", 2000), publishers: arguments.int("publishers", 4),
    bodySize: arguments.int("body-bytes", 256), timeout: .seconds(arguments.int("timeout-seconds", 120)))

/// The buses to measure, or why one is skipped.
var buses: [BusUnderTest] = [.memory]
var skipped: [(String, String)] = []
@MainActor func parse(_ flag: String, _ name: String, _ make: (String) throws -> BusUnderTest) {
    let url = arguments.string(flag, "")
    guard !url.isEmpty, url != "true" else {
        skipped.append((name, "no --\(flag) URL given"))
        return
    }
    do {
        buses.append(try make(url))
    } catch {
        FileHandle.standardError.write(Data("bus-throughput: --\(flag) \(url): \(error)\n".utf8))
        exit(2)
    }
}
parse("postgres", "PostgreSQL") { .postgres(try PostgresBus.Configuration(url: $0)) }
parse("amqp", "RabbitMQ") { .rabbitMQ(try RabbitMQBus.Configuration(url: $0)) }
parse("nats", "NATS JetStream") { .nats(try NATSBus.Configuration(url: $0)) }

let sink = try await SinkServer.start()
var configuration = ChoreoTracerConfiguration(serviceName: "bus-throughput", endpoint: "http://127.0.0.1:\(sink.port)/v1/traces")
configuration.maxQueueSize = max(65_536, 4 * scenario.messages)
let (tracer, processor) = try ChoreoTracing.make(configuration: configuration, exportLogPath: nil)

print("# bus-throughput\n")
Machine.description().forEach { print($0) }
print("- load average before: \(Machine.loadAverage())")
print(
    "- runs: \(runs) pairs (raw, traced; the order alternates) per bus, +1 warm-up pair discarded; "
        + "\(scenario.messages) messages per run from \(scenario.publishers) publishers, \(scenario.bodySize)-byte bodies, "
        + "headers id, type, source, correlationid, traceparent; 1 topic, 1 consumer group, no-op handler")
print(
    "- traced: TracedBus + ChoreoTracer (BatchSpanProcessor, OTLP/HTTP exporter to a local sink answering 200; "
        + "flushed after each run: outside the wall time, inside the CPU time)")
for bus in buses { print("- \(bus.name): \(bus.settings)") }
print("")

let runID = String(UInt32.random(in: 0...UInt32.max), radix: 16)
var sequence = 0
/// One timed run of `bus` on a fresh instance, raw or traced.
@MainActor func measure(_ bus: BusUnderTest, traced: Bool) async throws -> RunTiming {
    sequence += 1
    let instance = try bus.make(name: "bench_\(runID)_\(sequence)")
    func timed<B: RunnableBus>(_ b: B) async throws -> RunTiming {
        if traced {
            var timing = try await withTracer(tracer) { try await scenario.run(on: b, traced: true) }
            // The spans still queued are exported now, outside the wall time but inside the CPU
            // time, so that the CPU figure holds every span's whole cost.
            let cpuStart = ProcessCPUTime.nanoseconds()
            await tracer.flush()
            timing.cpu += Double(ProcessCPUTime.nanoseconds() - cpuStart)
            return timing
        }
        return try await scenario.run(on: b, traced: false)
    }
    return try await timed(instance)
}

struct Result {
    var raw = Samples()
    var traced = Samples()
    var rawCPU = Samples()
    var tracedCPU = Samples()

    mutating func add(_ timing: RunTiming, traced isTraced: Bool) {
        if isTraced {
            traced.add(timing.wall)
            tracedCPU.add(timing.cpu)
        } else {
            raw.add(timing.wall)
            rawCPU.add(timing.cpu)
        }
    }
}
var results: [String: Result] = [:]

try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { try await processor.run() }
    for bus in buses {
        _ = try await measure(bus, traced: false)  // warm-up
        _ = try await measure(bus, traced: true)
        var result = Result()
        for run in 0..<runs {
            if run % 2 == 0 {
                result.add(try await measure(bus, traced: false), traced: false)
                result.add(try await measure(bus, traced: true), traced: true)
            } else {
                result.add(try await measure(bus, traced: true), traced: true)
                result.add(try await measure(bus, traced: false), traced: false)
            }
            FileHandle.standardError.write(Data("bus-throughput: \(bus.name) pair \(run + 1) of \(runs) done\n".utf8))
        }
        results[bus.name] = result
    }
    processor.shutdown()
    try await group.waitForAll()
}
await sink.stop()

let perSecond = { (nanoseconds: Double) in Double(scenario.messages) / (nanoseconds / 1e9) }
var table = MarkdownTable([
    "bus", "raw deliveries/s (median)", "raw min–max", "traced deliveries/s (median)", "traced min–max",
    "overhead traced/raw time (median)", "ratio min–max", "µs added per delivery (median)",
    "client CPU µs/delivery raw", "client CPU µs added by tracing",
])
for bus in buses {
    let r = results[bus.name]!
    let ratio = r.traced.pairedRatio(over: r.raw)
    let added = r.traced.pairedDifference(minus: r.raw)
    table.add([
        bus.name,
        Format.grouped(perSecond(r.raw.p50)), "\(Format.grouped(perSecond(r.raw.max)))–\(Format.grouped(perSecond(r.raw.min)))",
        Format.grouped(perSecond(r.traced.p50)), "\(Format.grouped(perSecond(r.traced.max)))–\(Format.grouped(perSecond(r.traced.min)))",
        Format.fixed(ratio.p50, 2) + "×", "\(Format.fixed(ratio.min, 2))–\(Format.fixed(ratio.max, 2))",
        Format.fixed(added.p50 / 1000 / Double(scenario.messages), 1),
        Format.fixed(r.rawCPU.p50 / 1000 / Double(scenario.messages), 1),
        Format.fixed(r.tracedCPU.pairedDifference(minus: r.rawCPU).p50 / 1000 / Double(scenario.messages), 1),
    ])
}
for (name, reason) in skipped { table.add([name, "skipped: \(reason)", "", "", "", "", "", "", "", ""]) }
print(table.render())
let counters = processor.counters
print(
    "\nChoreoTracer: \(counters.exported) spans exported, \(counters.dropped) spans dropped, \(counters.failed) failed; the sink answered \(sink.answered) export requests"
)
print("- load average after: \(Machine.loadAverage())")

import BenchSupport
import ChoreoTracer
import Foundation
import Tracing

// tracer-costs: ns per id generated and per span started and ended by ChoreoTracer, with a
// processor that discards and with a running BatchSpanProcessor (exporter that discards).
// Moved here from the test suite (ChoreoTracerTests' MeasurementTests), where it asserted nothing.
let arguments = Arguments()
if arguments.flag("help") {
    print("""
        usage: tracer-costs [--rounds 200] [--per-round 5000]
        Times each operation in --rounds rounds of --per-round calls (+1 warm-up round) and prints
        p50 and p99 of ns per call over the rounds.
        """)
    exit(0)
}
let rounds = Rounds(rounds: arguments.int("rounds", 200), perRound: arguments.int("per-round", 5_000))

print("# tracer-costs\n")
Machine.description().forEach { print($0) }
print("- load average before: \(Machine.loadAverage())")
print("- \(rounds.rounds) rounds of \(rounds.perRound) calls per operation (+1 warm-up round)\n")

var table = MarkdownTable(["operation", "ns/op p50", "ns/op p99"])
var sink: UInt64 = 0
@MainActor func record(_ label: String, _ operation: () -> UInt64) {
    let (samples, folded) = rounds.measure(operation)
    sink ^= folded
    table.add([label, Format.fixed(samples.p50, 1), Format.fixed(samples.p99, 1)])
}

let generator = IDGenerator()
var system = SystemRandomNumberGenerator()
record("SpanID (IDGenerator)") { generator.nextSpanID().value }
record("TraceID (IDGenerator)") { generator.nextTraceID().low }
record("root TraceID + SpanID (IDGenerator)") { generator.nextRootIDs().1.value }
record("SystemRandomNumberGenerator.next(), for comparison") { system.next() }

let bare = ChoreoTracer(serviceName: "bench", processor: DiscardingProcessor())
let parent = bare.startSpan("parent", context: .topLevel)
record("root span start + end (discarding processor)") {
    let span = bare.startSpan("op", context: .topLevel, ofKind: .internal, at: DefaultTracerClock.now)
    span.end()
    return span.spanContext.spanID.value
}
record("child span start + end + 3 attributes (discarding processor)") {
    let span = bare.startSpan("op", context: parent.context, ofKind: .producer, at: DefaultTracerClock.now)
    span.attributes["messaging.system"] = "memory"
    span.attributes["messaging.destination.name"] = "orders"
    span.attributes["choreo.delivery.attempt"] = 1
    span.end()
    return span.spanContext.spanID.value
}

let processor = BatchSpanProcessor(
    exporter: DiscardingExporter(),
    configuration: BatchSpanProcessorConfiguration(maxQueueSize: 1 << 20, maxExportBatchSize: 512)
)
let tracer = ChoreoTracer(serviceName: "bench", processor: processor)
try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { try await processor.run() }
    record("root span start + end (running BatchSpanProcessor)") {
        let span = tracer.startSpan("op", context: .topLevel, ofKind: .internal, at: DefaultTracerClock.now)
        span.end()
        return span.spanContext.spanID.value
    }
    processor.shutdown()
    try await group.waitForAll()
}

print(table.render())
print("\n- batch processor counters: \(processor.counters) (sink \(sink & 1))")
print("- load average after: \(Machine.loadAverage())")

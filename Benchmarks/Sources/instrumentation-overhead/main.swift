import Foundation
import BenchSupport
import ChoreoInstrumentation
import ChoreoTracer
import Tracing

// instrumentation-overhead: ns per publish+consume through TracedBus vs the raw InMemoryBus.
let arguments = Arguments()
if arguments.flag("help") {
    print("""
        usage: instrumentation-overhead [--runs 15] [--messages 20000] [--body-bytes 256] [--tracer-queue N]
        Publishes --messages messages per run through InMemoryBus raw, TracedBus + NoOpTracer and
        TracedBus + ChoreoTracer (discarding exporter), interleaved; prints p50/p99 over the runs.
        --only raw|noop|choreo runs one variant (for profiling with perf); no overhead table then.
        --debug-exports prints the processor's counters at the end of each ChoreoTracer run, before
        its flush (inside the timed region): how much the export loop exported during the burst.
        --tracer-queue is the BatchSpanProcessor's maxQueueSize; the default, 2 × messages + 1024,
        holds a whole run's spans, so that every span is queued and exported, none dropped.
        """)
    exit(0)
}
let runs = arguments.int("runs", 15)
let scenario = BusScenario(messages: arguments.int("messages", 20_000), bodySize: arguments.int("body-bytes", 256))

let exporter = DiscardingExporter()
let batchConfiguration = BatchSpanProcessorConfiguration(
    maxQueueSize: arguments.int("tracer-queue", 2 * scenario.messages + 1024)
)
let processor = BatchSpanProcessor(exporter: exporter, configuration: batchConfiguration)
let tracer = ChoreoTracer(serviceName: "bench", processor: processor)
let debugExports = arguments.flag("debug-exports")

/// One run of a variant, timed; the ChoreoTracer variant includes flushing its queue.
func runOnce(_ variant: Variant) async throws -> Timing {
    switch variant {
    case .raw:
        try await Stopwatch.measure { try await scenario.run(traced: false) }.measurement
    case .tracedNoOp:
        try await Stopwatch.measure { try await scenario.run(traced: true) }.measurement
    case .tracedChoreo:
        try await withTracer(tracer) {
            try await Stopwatch.measure {
                try await scenario.run(traced: true, afterIdle: {
                    if debugExports { print("before flush: \(processor.counters), exporter received \(exporter.spanCount)") }
                    await tracer.flush()
                })
            }.measurement
        }
    }
}

print("# instrumentation-overhead\n")
Machine.description().forEach { print($0) }
print("- load average before: \(Machine.loadAverage())")
print("- runs: \(runs) (+1 warm-up per variant, discarded), \(scenario.messages) messages per run, "
    + "\(scenario.bodySize)-byte bodies, 1 topic, 1 consumer group, no-op handler\n")

let variants: [Variant] = switch arguments.string("only", "all") {
case "raw": [.raw]
case "noop": [.tracedNoOp]
case "choreo": [.tracedChoreo]
default: Variant.allCases
}
var wall: [Variant: Samples] = [:]
var cpu: [Variant: Samples] = [:]
var allocations: [Variant: Double] = [:]
let perMessage = Double(scenario.messages)

try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { try await processor.run() }

    for variant in variants { _ = try await runOnce(variant) }  // warm-up
    for run in 0..<runs {
        // Rotate the order so that no variant always runs first (or right after another).
        let order = variants.indices.map { variants[($0 + run) % variants.count] }
        for variant in order {
            let m = try await runOnce(variant)
            wall[variant, default: Samples()].add(m.wallNanoseconds / perMessage)
            cpu[variant, default: Samples()].add(m.cpuNanoseconds / perMessage)
        }
    }
    if AllocationCounter.isWorking() {
        for variant in variants {
            let counted = try await AllocationCounter.count { try await runOnce(variant) }
            allocations[variant] = Double(counted.allocations) / perMessage
        }
    }
    processor.shutdown()
    try await group.waitForAll()
}

var table = MarkdownTable([
    "variant", "wall ns/msg p50", "wall p99", "CPU ns/msg p50", "CPU p99", "allocs/msg",
])
for variant in variants {
    table.add([
        variant.rawValue,
        Format.fixed(wall[variant]!.p50), Format.fixed(wall[variant]!.p99),
        Format.fixed(cpu[variant]!.p50), Format.fixed(cpu[variant]!.p99),
        allocations[variant].map { Format.fixed($0, 1) } ?? "not counted",
    ])
}
print(table.render())

/// Traced minus raw, per message, paired by run (both measured in the same run).
@MainActor func printOverhead() {
    print("\nOverhead per message (traced − raw, paired by run):\n")
    var overhead = MarkdownTable(["tracer", "wall ns p50", "wall p99", "CPU ns p50", "CPU p99", "allocs"])
    for variant in [Variant.tracedNoOp, .tracedChoreo] {
        let w = wall[variant]!.pairedDifference(minus: wall[.raw]!)
        let c = cpu[variant]!.pairedDifference(minus: cpu[.raw]!)
        let a = allocations[variant].flatMap { traced in allocations[.raw].map { traced - $0 } }
        overhead.add([
            variant.rawValue, Format.fixed(w.p50), Format.fixed(w.p99), Format.fixed(c.p50), Format.fixed(c.p99),
            a.map { Format.fixed($0, 1) } ?? "not counted",
        ])
    }
    print(overhead.render())
}
if variants.count == Variant.allCases.count { printOverhead() }

let counters = processor.counters
print("\nChoreoTracer: \(exporter.spanCount) spans exported (discarded), \(counters.dropped) dropped, "
    + "\(counters.failed) failed (maxQueueSize \(batchConfiguration.maxQueueSize), maxExportBatchSize "
    + "\(batchConfiguration.maxExportBatchSize), scheduleDelay \(batchConfiguration.scheduleDelay))")
print("- load average after: \(Machine.loadAverage())")

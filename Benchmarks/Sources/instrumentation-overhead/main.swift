import BenchSupport
import ChoreoInstrumentation
import ChoreoTracer
import Foundation
import Tracing

// instrumentation-overhead: CPU per traced message (TracedBus over the raw InMemoryBus, with no
// tracer, ChoreoTracer and swift-otel's tracer) and CPU per span (the OpenTelemetry Go anchor's
// work through ChoreoTracer and swift-otel, next to the Go SDK itself), in one run.
let arguments = Arguments()
if arguments.flag("help") {
    print(
        """
        usage: instrumentation-overhead [--runs 15] [--messages 20000] [--body-bytes 256] [--tracer-queue N]
                                        [--spans 20000] [--go-anchor PATH] [--only CASE] [--settle-seconds 10]
                                        [--bus in-memory|inline]
        Messages: publishes --messages messages per run through InMemoryBus raw, TracedBus + NoOpTracer, the
        floor (below) and TracedBus + ChoreoTracer (discarding exporter), interleaved, then TracedBus + swift-otel (no exporter)
        interleaved with raw again (run among the others, it slowed them); prints p50/p99 over the runs and
        the overhead over raw, paired by run.
        Spans: the OpenTelemetry Go anchor's work (child span start + 2 attributes + end, batch processor,
        discarding exporter; --spans per run) through ChoreoTracer, then swift-otel, CPU per span.
        --go-anchor runs that anchor (../shared/anchors/otel-go/run from the project's root) before and after
        the span runs, with the same runs and spans, and prints the ratios to it.
        Allocations per message and per span are counted in a separate, untimed pass of each case.
        --only raw|noop|choreo|otel|floor (message cases, comma-separated: with raw and another, the
        overhead table is printed), spans (both span cases), spans-choreo or spans-otel (one span case): for
        profiling with perf, or a quicker look at some cases. floor: no TracedBus, the publisher adds the id,
        source and correlationid headers and the handler binds a MessageContext by hand, the least a
        TracedBus with no tracer must do; its overhead is a lower bound of noop's.
        --bus inline replaces InMemoryBus by a bus that hands each message to its handler inside publish,
        in the publisher's task (no queue, no task switch, no second thread): the overhead over it is the
        middleware's and the tracer's own.
        --tracer-queue is both batch processors' maxQueueSize; the default, 4 × max(messages, spans) + 1024,
        holds a whole run's spans, so that every span is queued and exported, none dropped.
        Every measured run starts once the process used under 5 % of a core for 10 ms (what the run
        before it left behind, e.g. swift-otel's processor, is not charged to it), waiting at most
        --settle-seconds (default 10); the count of runs that started unsettled is printed.
        """)
    exit(0)
}
let runs = arguments.int("runs", 15)
guard let busKind = BusKind(rawValue: arguments.string("bus", BusKind.inMemory.rawValue)) else {
    print("instrumentation-overhead: --bus is in-memory or inline")
    exit(2)
}
let scenario = BusScenario(
    messages: arguments.int("messages", 20_000), bodySize: arguments.int("body-bytes", 256), bus: busKind)
let spanScenario = SpanScenario(spans: arguments.int("spans", 20_000))
let goAnchor = arguments.string("go-anchor", "")
let only = arguments.string("only", "all")
let queueSize = arguments.int("tracer-queue", 4 * max(scenario.messages, spanScenario.spans) + 1024)

let exporter = DiscardingExporter()
let batchConfiguration = BatchSpanProcessorConfiguration(maxQueueSize: queueSize)
let processor = BatchSpanProcessor(exporter: exporter, configuration: batchConfiguration)
let tracer = ChoreoTracer(serviceName: "bench", processor: processor)
let otel = try SwiftOTel.make(maxQueueSize: queueSize)
/// swift-otel's `forceFlush()` does not wait; its processor drains the few batches left within this.
let otelSettle = Duration.milliseconds(50)

/// One run of a message variant, timed; the traced variants include flushing their queue.
func runOnce(_ variant: Variant) async throws -> Timing {
    switch variant {
    case .raw:
        try await Stopwatch.measure { try await scenario.run(traced: false) }.measurement
    case .tracedNoOp:
        try await Stopwatch.measure { try await scenario.run(traced: true) }.measurement
    case .floor:
        try await Stopwatch.measure { try await scenario.run(traced: false, byHand: true) }.measurement
    case .tracedChoreo:
        try await withTracer(tracer) {
            try await Stopwatch.measure {
                try await scenario.run(traced: true, afterIdle: { await tracer.flush() })
            }.measurement
        }
    case .tracedOTel:
        try await withTracer(otel.tracer) {
            try await Stopwatch.measure {
                try await scenario.run(
                    traced: true,
                    afterIdle: {
                        otel.tracer.forceFlush()
                        try? await Task.sleep(for: otelSettle)
                    })
            }.measurement
        }
    }
}

enum SpanVariant: String, CaseIterable {
    case choreo = "ChoreoTracer"
    case otel = "swift-otel 1.6"
}

/// One run of the Go anchor's work through a tracer, timed.
func runOnce(_ variant: SpanVariant) async -> Timing {
    switch variant {
    case .choreo:
        await Stopwatch.measure { await spanScenario.run(tracer) { await tracer.flush() } }.measurement
    case .otel:
        await Stopwatch.measure {
            await spanScenario.run(otel.tracer) {
                otel.tracer.forceFlush()
                try? await Task.sleep(for: otelSettle)
            }
        }.measurement
    }
}

print("# instrumentation-overhead\n")
Machine.description().forEach { print($0) }
print("- load average before: \(Machine.loadAverage())")
print(
    "- runs: \(runs) (+1 warm-up per case, discarded); messages: \(scenario.messages) per run, "
        + "\(scenario.bodySize)-byte bodies, 1 topic, 1 consumer group, no-op handler, bus: \(scenario.bus.rawValue); "
        + "spans: \(spanScenario.spans) per run\n")

/// The message cases `--only` names (a comma-separated list of raw, noop, choreo, otel), or all.
let variants: [Variant] =
    switch only {
    case "all": [.raw, .tracedNoOp, .floor, .tracedChoreo, .tracedOTel]
    case "spans", "spans-choreo", "spans-otel": []
    default:
        only.split(separator: ",").map { name -> Variant in
            switch name {
            case "raw": return .raw
            case "noop": return .tracedNoOp
            case "choreo": return .tracedChoreo
            case "otel": return .tracedOTel
            case "floor": return .floor
            default:
                print("instrumentation-overhead: --only \(name)? (raw, noop, choreo, otel, floor, spans, spans-choreo, spans-otel)")
                exit(2)
            }
        }
    }
let spanVariants: [SpanVariant] =
    switch only {
    case "all", "spans": SpanVariant.allCases
    case "spans-choreo": [.choreo]
    case "spans-otel": [.otel]
    default: []
    }
/// A message case's samples: the variant, and whether it ran in swift-otel's phase (its raw case,
/// measured again there for pairing).
struct MessageCase: Hashable {
    var variant: Variant
    var pairedWithOTel = false
}
/// The message cases in the order they run: every case but swift-otel's, interleaved, then
/// swift-otel's with a raw case of its own.
let messagePhases: [[Variant]] = {
    let others = variants.filter { $0 != .tracedOTel }
    guard variants.contains(.tracedOTel) else { return [others] }
    let otel: [Variant] = variants.contains(.raw) ? [.raw, .tracedOTel] : [.tracedOTel]
    return others.allSatisfy { $0 == .raw } ? [otel] : [others, otel]
}()
var wall: [MessageCase: Samples] = [:]
var cpu: [MessageCase: Samples] = [:]
var allocations: [Variant: Double] = [:]
var spanCPU: [SpanVariant: Samples] = [:]
var spanAllocations: [SpanVariant: Double] = [:]
var goRuns: [(nanoseconds: Double, line: String)] = []
/// Measured runs that started before the process was quiet (``Quiescence``'s limit reached).
var unsettled = 0
/// How long a measured run waits for the process to go quiet, at most (`--settle-seconds`).
let settleLimit = Duration.seconds(arguments.int("settle-seconds", 10))
let perMessage = Double(scenario.messages)
let perSpan = Double(spanScenario.spans)

try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { try await processor.run() }
    let otelService = Task { try await otel.run() }

    // swift-otel's cases run after all the others (its message case with a raw case of its own,
    // for pairing): interleaved with them, it slowed the ChoreoTracer case by 20-40 % (its
    // allocations and processor left the heap and the threads busier, BENCHMARKS.md §1).
    for phase in messagePhases {
        for variant in phase { _ = try await runOnce(variant) }  // warm-up
        for run in 0..<runs {
            // Rotate the order so that no variant always runs first (or right after another).
            let order = phase.indices.map { phase[($0 + run) % phase.count] }
            for variant in order {
                if !(await Quiescence.wait(limit: settleLimit)) { unsettled += 1 }
                let m = try await runOnce(variant)
                let key = MessageCase(variant: variant, pairedWithOTel: phase.contains(.tracedOTel))
                wall[key, default: Samples()].add(m.wallNanoseconds / perMessage)
                cpu[key, default: Samples()].add(m.cpuNanoseconds / perMessage)
            }
        }
    }

    if !spanVariants.isEmpty {
        if !goAnchor.isEmpty, let go = GoAnchor.measure(path: goAnchor, runs: runs, spans: spanScenario.spans) { goRuns.append(go) }
        // One tracer after the other, ChoreoTracer first, for the same reason.
        for variant in spanVariants {
            _ = await runOnce(variant)  // warm-up
            for _ in 0..<runs {
                if !(await Quiescence.wait(limit: settleLimit)) { unsettled += 1 }
                spanCPU[variant, default: Samples()].add(await runOnce(variant).cpuNanoseconds / perSpan)
            }
        }
        if !goAnchor.isEmpty, let go = GoAnchor.measure(path: goAnchor, runs: runs, spans: spanScenario.spans) { goRuns.append(go) }
    }

    if AllocationCounter.isWorking() {
        for variant in variants {
            let counted = try await AllocationCounter.count { try await runOnce(variant) }
            allocations[variant] = Double(counted.allocations) / perMessage
        }
        for variant in spanVariants {
            let counted = await AllocationCounter.count { await runOnce(variant) }
            spanAllocations[variant] = Double(counted.allocations) / perSpan
        }
    }
    otelService.cancel()
    processor.shutdown()
    try await group.waitForAll()
}

let goNanoseconds: Double? = goRuns.isEmpty ? nil : goRuns.map(\.nanoseconds).sorted()[(goRuns.count - 1) / 2]

if !variants.isEmpty {
    var table = MarkdownTable(["variant", "wall ns/msg p50", "wall p99", "CPU ns/msg p50", "CPU p99", "allocs/msg"])
    for phase in messagePhases {
        for variant in variants where phase.contains(variant) {
            let key = MessageCase(variant: variant, pairedWithOTel: phase.contains(.tracedOTel))
            let label = variant.label(scenario.bus) + (key.pairedWithOTel && variant == .raw && messagePhases.count > 1 ? " (swift-otel's phase)" : "")
            table.add([
                label,
                Format.fixed(wall[key]!.p50), Format.fixed(wall[key]!.p99),
                Format.fixed(cpu[key]!.p50), Format.fixed(cpu[key]!.p99),
                allocations[variant].map { Format.fixed($0, 1) } ?? "not counted",
            ])
        }
    }
    print(table.render())
}

/// Traced minus raw, per message, paired by run (both measured in the same run).
@MainActor func printOverhead() {
    print("\nOverhead per message (traced − raw, paired by run):\n")
    var headers = ["tracer", "wall ns p50", "wall p99", "CPU ns p50", "CPU p99", "allocs"]
    if goNanoseconds != nil { headers.append("CPU p50 in Go spans") }
    var overhead = MarkdownTable(headers)
    for variant in [Variant.tracedNoOp, .floor, .tracedChoreo, .tracedOTel] where variants.contains(variant) {
        let key = MessageCase(variant: variant, pairedWithOTel: variant == .tracedOTel)
        let raw = MessageCase(variant: .raw, pairedWithOTel: key.pairedWithOTel)
        let w = wall[key]!.pairedDifference(minus: wall[raw]!)
        let c = cpu[key]!.pairedDifference(minus: cpu[raw]!)
        let a = allocations[variant].flatMap { traced in allocations[.raw].map { traced - $0 } }
        var row = [
            variant.label(scenario.bus), Format.fixed(w.p50), Format.fixed(w.p99), Format.fixed(c.p50), Format.fixed(c.p99),
            a.map { Format.fixed($0, 1) } ?? "not counted",
        ]
        if let go = goNanoseconds { row.append(Format.fixed(c.p50 / go, 2)) }
        overhead.add(row)
    }
    print(overhead.render())
}
if variants.contains(.raw) && variants.count > 1 { printOverhead() }

if !spanVariants.isEmpty {
    print("\nPer span (child span start + 2 attributes + end, batch processor, discarding exporter; CPU of all threads):\n")
    var headers = ["tracer", "CPU ns/span p50", "CPU p99", "allocs/span"]
    if goNanoseconds != nil { headers.append("× Go (p50)") }
    var table = MarkdownTable(headers)
    for variant in spanVariants {
        var row = [
            variant.rawValue, Format.fixed(spanCPU[variant]!.p50), Format.fixed(spanCPU[variant]!.p99),
            spanAllocations[variant].map { Format.fixed($0, 1) } ?? "not counted",
        ]
        if let go = goNanoseconds { row.append(Format.fixed(spanCPU[variant]!.p50 / go, 2)) }
        table.add(row)
    }
    if let go = goNanoseconds {
        table.add(["OpenTelemetry Go SDK (anchor)", Format.fixed(go), "-", "-", "1.00"])
    }
    print(table.render())
    for go in goRuns { print("- Go anchor: \(go.line)") }
    if !goAnchor.isEmpty && goRuns.count < 2 { print("- Go anchor: \(goAnchor) did not run (\(goRuns.count) of 2 runs)") }
}

let counters = processor.counters
print(
    "\nChoreoTracer: \(exporter.spanCount) spans exported (discarded), \(counters.dropped) dropped, "
        + "\(counters.failed) failed (maxQueueSize \(batchConfiguration.maxQueueSize), maxExportBatchSize "
        + "\(batchConfiguration.maxExportBatchSize), scheduleDelay \(batchConfiguration.scheduleDelay))")
print(
    "- every measured run started once the process used under 5 % of a core for 10 ms (leftovers of the run before it finished); runs that started unsettled after \(settleLimit) of waiting: \(unsettled)"
)
print("- load average after: \(Machine.loadAverage())")

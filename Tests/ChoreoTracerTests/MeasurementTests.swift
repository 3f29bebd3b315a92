import ChoreoModel
import ChoreoTracer
import Foundation
import Testing
import Tracing

/// Cost measurements, not assertions: run with
/// `CHOREO_MEASURE=1 swift test -c release --filter ChoreoTracerTests.MeasurementTests`.
@Suite("Measurements (CHOREO_MEASURE=1)", .enabled(if: ProcessInfo.processInfo.environment["CHOREO_MEASURE"] == "1"))
struct MeasurementTests {
    /// A processor that drops everything: isolates the tracer's own cost.
    struct DiscardingProcessor: SpanProcessor {
        func onEnd(_ span: SpanRecord) {}
        func forceFlush() async {}
        func requestFlush() {}
    }

    /// An exporter that drops every batch.
    struct DiscardingExporter: SpanExporter {
        func export(_ batch: [SpanRecord]) async throws {}
        func shutdown() async {}
    }

    /// Runs `operation` in rounds of `perRound` calls; prints p50 and p99 of ns/op over rounds.
    private func measure(_ label: String, rounds: Int = 200, perRound: Int = 5_000, _ operation: () -> UInt64) {
        var sink: UInt64 = 0
        for _ in 0..<perRound { sink ^= operation() }  // warm-up
        var perOp: [Double] = []
        let clock = ContinuousClock()
        for _ in 0..<rounds {
            let start = clock.now
            for _ in 0..<perRound { sink ^= operation() }
            let elapsed = start.duration(to: clock.now)
            let nanos = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
            perOp.append(nanos / Double(perRound))
        }
        perOp.sort()
        let p50 = perOp[perOp.count / 2]
        let p99 = perOp[perOp.count * 99 / 100]
        print("MEASURE \(label): p50 \(String(format: "%.1f", p50)) ns/op, p99 \(String(format: "%.1f", p99)) ns/op (sink \(sink & 1))")
    }

    @Test("id generation")
    func idGeneration() {
        let generator = IDGenerator()
        var system = SystemRandomNumberGenerator()
        measure("SpanID (IDGenerator)") { generator.nextSpanID().value }
        measure("TraceID (IDGenerator)") { generator.nextTraceID().low }
        measure("root TraceID+SpanID (IDGenerator)") { generator.nextRootIDs().1.value }
        measure("SystemRandomNumberGenerator.next() for comparison") { system.next() }
    }

    @Test("span start and end")
    func spanStartEnd() async throws {
        let bare = ChoreoTracer(serviceName: "bench", processor: DiscardingProcessor())
        let parent = bare.startSpan("parent", context: .topLevel)
        measure("root span start+end (discarding processor)") {
            let span = bare.startSpan("op", context: .topLevel, ofKind: .internal, at: DefaultTracerClock.now)
            span.end()
            return span.spanContext.spanID.value
        }
        measure("child span start+end + 3 attributes (discarding processor)") {
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
            measure("root span start+end (running BatchSpanProcessor)") {
                let span = tracer.startSpan("op", context: .topLevel, ofKind: .internal, at: DefaultTracerClock.now)
                span.end()
                return span.spanContext.spanID.value
            }
            processor.shutdown()
            try await group.waitForAll()
        }
        print("MEASURE batch processor counters: \(processor.counters)")
    }
}

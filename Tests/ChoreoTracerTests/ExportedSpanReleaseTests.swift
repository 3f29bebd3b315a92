import ChoreoModel
import ChoreoTestSupport
import ChoreoTracer
import Synchronization
import Testing

/// Exported spans are released by the spans that end next, two per end, on their threads, not on
/// the export task nor all at once: memory freed a little at a time by the threads that make spans
/// does not make the threads contend for the allocator's lock (on two cores that contention
/// tripled the tracer's CPU per span).
@Suite("BatchSpanProcessor: where exported spans are released")
struct ExportedSpanReleaseTests {
    /// Counts the spans alive.
    final class Census: Sendable {
        let alive = Atomic<Int>(0)
    }

    final class CountedSpan: ReadableSpan {
        let census: Census
        let record: SpanRecord
        init(_ index: Int, census: Census) {
            self.census = census
            record = spanRecord(index)
            census.alive.add(1, ordering: .relaxed)
        }
        deinit { census.alive.subtract(1, ordering: .relaxed) }
        var traceID: TraceID { record.traceID }
        var spanID: SpanID { record.spanID }
        var statusCode: SpanStatusCode { record.statusCode }
        func stringAttribute(_ key: String) -> String? { record.attributes[key]?.stringValue }
    }

    /// Counts the spans exported and keeps none.
    final class CountingExporter: SpanExporter {
        let exported = Atomic<Int>(0)
        func export(_ batch: [any ReadableSpan]) async throws { exported.add(batch.count, ordering: .relaxed) }
        func shutdown() async {}
    }

    @Test("an exported batch lives until spans end and goes two spans per end; what is left goes at shutdown")
    func releasedByTheNextEnds() async throws {
        let census = Census()
        let exporter = CountingExporter()
        let processor = BatchSpanProcessor(
            exporter: exporter, configuration: BatchSpanProcessorConfiguration(maxQueueSize: 100, maxExportBatchSize: 4, scheduleDelay: .seconds(3600)),
            clock: TestClock(.manual))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await processor.run() }
            for i in 0..<4 { processor.onEnd(CountedSpan(i, census: census)) }
            while processor.counters.exported < 4 { await Task.yield() }
            #expect(exporter.exported.load(ordering: .relaxed) == 4)
            #expect(census.alive.load(ordering: .relaxed) == 4, "the export task did not release them")
            processor.onEnd(CountedSpan(4, census: census))
            #expect(census.alive.load(ordering: .relaxed) == 3, "the next span's end released two of the exported four")
            processor.onEnd(CountedSpan(5, census: census))
            #expect(census.alive.load(ordering: .relaxed) == 2, "and the one after it the other two")
            processor.onEnd(CountedSpan(6, census: census))
            #expect(census.alive.load(ordering: .relaxed) == 3, "nothing left to release: the three queued")
            processor.shutdown()
            try await group.waitForAll()
        }
        #expect(processor.counters.exported == 7)
        #expect(census.alive.load(ordering: .relaxed) == 0, "nothing kept after the processor stopped")
    }

    @Test("at most one exported batch waits: keeping the next hands back what is left of the one before")
    func oneBatchKept() {
        let census = Census()
        var state = BatchProcessorState(configuration: BatchSpanProcessorConfiguration(maxQueueSize: 100, maxExportBatchSize: 4))
        #expect(state.keepFinished((0..<4).map { CountedSpan($0, census: census) }).isEmpty)
        let (first, second) = state.takeFinished()
        #expect(first?.spanID == spanRecord(3).spanID && second?.spanID == spanRecord(2).spanID)
        let left = state.keepFinished((4..<8).map { CountedSpan($0, census: census) })
        #expect(left.map(\.spanID) == [spanRecord(0).spanID, spanRecord(1).spanID])
        #expect(state.takeAllFinished().count == 4)
        #expect(state.takeFinished().0 == nil)
    }
}

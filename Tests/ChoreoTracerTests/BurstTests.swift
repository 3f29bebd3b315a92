import ChoreoTestSupport
import ChoreoModel
import ChoreoTracer
import Testing

@Suite("BatchSpanProcessor under a burst")
struct BurstTests {
    @Test("60,000 spans ended before the export loop runs fit the default queue and leave in full batches, back to back")
    func burstFitsDefaults() async throws {
        let exporter = InMemorySpanExporter()
        let clock = TestClock(.manual)
        let defaults = BatchSpanProcessorConfiguration()
        let processor = BatchSpanProcessor(exporter: exporter, configuration: defaults, clock: clock)
        for i in 0..<60_000 { processor.onEnd(spanRecord(i)) }
        #expect(processor.counters.dropped == 0)
        #expect(processor.counters.queued == 60_000)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await processor.run() }
            await exporter.waitForSpans(count: 60_000 / defaults.maxExportBatchSize * defaults.maxExportBatchSize)
            #expect(clock.now.offset == .zero, "no timer tick was needed")
            let sizes = exporter.batches.map(\.count)
            #expect(sizes.allSatisfy { $0 == defaults.maxExportBatchSize }, "only full batches while more than one is queued")
            processor.shutdown()
            try await group.waitForAll()
        }
        #expect(exporter.spans.count == 60_000)
        #expect(exporter.spans.map(\.name) == (0..<60_000).map { "span-\($0)" })
        #expect(processor.counters == BatchSpanProcessorCounters(exported: 60_000))
    }

    @Test("a burst beyond the queue drops exactly the overflow, counted")
    func overflowCountedExactly() {
        let configuration = BatchSpanProcessorConfiguration(maxQueueSize: 1000, maxExportBatchSize: 100)
        let processor = BatchSpanProcessor(exporter: InMemorySpanExporter(), configuration: configuration, clock: TestClock(.manual))
        for i in 0..<1234 { processor.onEnd(spanRecord(i)) }
        #expect(processor.counters == BatchSpanProcessorCounters(dropped: 234, queued: 1000))
    }
}

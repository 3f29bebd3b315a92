import ChoreoTestSupport
import ChoreoModel
import ChoreoTracer
import Logging
import ServiceLifecycle
import Testing

@Suite("BatchSpanProcessor")
struct BatchSpanProcessorTests {
    private func makeProcessor(
        _ exporter: any SpanExporter, queue: Int = 100, batch: Int = 100, delay: Duration = .seconds(3600)
    ) -> (BatchSpanProcessor<TestClock>, TestClock) {
        let clock = TestClock(.manual)
        let configuration = BatchSpanProcessorConfiguration(
            maxQueueSize: queue, maxExportBatchSize: batch, scheduleDelay: delay
        )
        return (BatchSpanProcessor(exporter: exporter, configuration: configuration, clock: clock), clock)
    }

    /// Runs `processor` while `body` executes, then shuts it down and waits for it to stop.
    private func running<C: Clock>(
        _ processor: BatchSpanProcessor<C>, _ body: () async throws -> Void
    ) async throws where C.Duration == Duration {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await processor.run() }
            try await body()
            processor.shutdown()
            try await group.waitForAll()
        }
    }

    @Test("a full batch is exported at once, without waiting for the timer")
    func exportsFullBatch() async throws {
        let exporter = InMemorySpanExporter()
        let (processor, clock) = makeProcessor(exporter, batch: 4)
        try await running(processor) {
            for i in 0..<6 { processor.onEnd(spanRecord(i)) }
            await exporter.waitForSpans(count: 4)
            #expect(exporter.batches.map { $0.map(\.name) } == [["span-0", "span-1", "span-2", "span-3"]])
            #expect(clock.now.offset == .zero)
        }
        #expect(exporter.batches.map(\.count) == [4, 2])
    }

    @Test("a partial batch is exported when the schedule delay elapses")
    func exportsOnDelay() async throws {
        let exporter = InMemorySpanExporter()
        let (processor, clock) = makeProcessor(exporter, batch: 100, delay: .milliseconds(500))
        try await running(processor) {
            for i in 0..<3 { processor.onEnd(spanRecord(i)) }
            await clock.waitForSleepers(1)
            #expect(exporter.batches.isEmpty)
            #expect(clock.pendingDeadlines == [TestClock.Instant(offset: .milliseconds(500))])

            clock.advance(by: .milliseconds(500))
            await exporter.waitForSpans(count: 3)
            #expect(exporter.batches.map(\.count) == [3])

            processor.onEnd(spanRecord(3))
            await clock.waitForSleepers(1)
            clock.advance(by: .milliseconds(500))
            await exporter.waitForSpans(count: 4)
            #expect(exporter.batches.map(\.count) == [3, 1])
        }
        #expect(processor.counters.exported == 4)
    }

    @Test("a full queue drops and counts spans instead of blocking")
    func boundedQueue() async throws {
        let exporter = InMemorySpanExporter()
        let (processor, _) = makeProcessor(exporter, queue: 10, batch: 10)
        for i in 0..<15 { processor.onEnd(spanRecord(i)) }
        #expect(processor.counters == BatchSpanProcessorCounters(exported: 0, dropped: 5, failed: 0, queued: 10))

        try await running(processor) {}
        #expect(exporter.spans.map(\.name) == (0..<10).map { "span-\($0)" })
        #expect(processor.counters == BatchSpanProcessorCounters(exported: 10, dropped: 5, failed: 0, queued: 0))
    }

    @Test("forceFlush returns once everything queued before it is exported")
    func forceFlush() async throws {
        let exporter = InMemorySpanExporter()
        let (processor, clock) = makeProcessor(exporter, batch: 4)
        try await running(processor) {
            for i in 0..<7 { processor.onEnd(spanRecord(i)) }
            await processor.forceFlush()
            #expect(exporter.spans.count == 7)
            #expect(processor.counters.exported == 7)
            #expect(clock.now.offset == .zero)
            await processor.forceFlush()
        }
    }

    @Test("graceful shutdown of a ServiceGroup exports everything, then stops the exporter")
    func gracefulShutdown() async throws {
        let exporter = InMemorySpanExporter()
        let (processor, _) = makeProcessor(exporter, batch: 50)
        let group = ServiceGroup(
            configuration: .init(services: [processor], logger: Logger(label: "test"))
        )
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for i in 0..<5 { processor.onEnd(spanRecord(i)) }
            await processor.forceFlush()  // returns only once the service runs
            for i in 5..<8 { processor.onEnd(spanRecord(i)) }
            #expect(processor.counters.queued == 3)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(exporter.spans.map(\.name) == (0..<8).map { "span-\($0)" })
        #expect(exporter.shutdownCount == 1)

        processor.onEnd(spanRecord(99))
        #expect(processor.counters.dropped == 1)
        await processor.forceFlush()
    }

    @Test("a failing exporter's spans are counted as failed")
    func failedExports() async throws {
        let (processor, _) = makeProcessor(FailingExporter(), batch: 2)
        try await running(processor) {
            for i in 0..<3 { processor.onEnd(spanRecord(i)) }
            await processor.forceFlush()
        }
        #expect(processor.counters == BatchSpanProcessorCounters(exported: 0, dropped: 0, failed: 3, queued: 0))
    }

    @Test("at most one export is in flight")
    func oneExportInFlight() async throws {
        let exporter = GatedExporter()
        let (processor, _) = makeProcessor(exporter, batch: 2)
        try await running(processor) {
            for i in 0..<6 { processor.onEnd(spanRecord(i)) }
            await exporter.waitForStarted(1)
            #expect(exporter.started == 1)
            exporter.releaseOne()
            await exporter.waitForStarted(2)
            exporter.releaseOne()
            await exporter.waitForStarted(3)
            exporter.releaseOne()
            await processor.forceFlush()
        }
        #expect(exporter.maxInFlight == 1)
        #expect(exporter.exported.flatMap { $0 }.map(\.name) == (0..<6).map { "span-\($0)" })
    }

    @Test("run may be called only once")
    func runOnce() async throws {
        let (processor, _) = makeProcessor(InMemorySpanExporter())
        try await running(processor) {
            processor.onEnd(spanRecord(0))
            await processor.forceFlush()  // returns only once run() is looping
            let error = await #expect(throws: ChoreoTracerError.self) { try await processor.run() }
            #expect(error?.code == .alreadyStarted)
        }
    }

    @Test("spans ended through a tracer reach the exporter")
    func tracerToExporter() async throws {
        let exporter = InMemorySpanExporter()
        let (processor, _) = makeProcessor(exporter)
        let tracer = ChoreoTracer(serviceName: "orders", processor: processor)
        try await running(processor) {
            tracer.withSpan("place order") { _ in }
            await tracer.flush()
            #expect(exporter.spans.map(\.name) == ["place order"])
            #expect(exporter.spans.first?.serviceName == "orders")
        }
    }
}

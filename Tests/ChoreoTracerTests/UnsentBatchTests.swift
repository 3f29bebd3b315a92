import ChoreoTestSupport
import ChoreoModel
import ChoreoTracer
import Testing

@Suite("BatchSpanProcessor: unsent batches and the shutdown deadline")
struct UnsentBatchTests {
    private func makeProcessor(
        _ exporter: ScriptedExporter, batch: Int = 2, maxUnsent: Int = 1000, shutdownTimeout: Duration = .seconds(5)
    ) -> (BatchSpanProcessor<TestClock>, TestClock) {
        let clock = TestClock(.manual)
        let configuration = BatchSpanProcessorConfiguration(
            maxQueueSize: 1000, maxExportBatchSize: batch, scheduleDelay: .seconds(3600), maxUnsentSpans: maxUnsent,
            retryInitialBackoff: .seconds(1), retryMaxBackoff: .seconds(4), shutdownTimeout: shutdownTimeout
        )
        return (BatchSpanProcessor(exporter: exporter, configuration: configuration, clock: clock), clock)
    }

    @Test("a batch the endpoint could not take is kept and retried after the backoff, in order")
    func retriedAfterBackoff() async throws {
        let exporter = ScriptedExporter(script: [.unreachable, .unreachable])
        let (processor, clock) = makeProcessor(exporter, batch: 2)
        for i in 0..<4 { processor.onEnd(spanRecord(i)) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await processor.run() }
            await processor.forceFlush()  // returns although nothing could be sent
            #expect(exporter.attempts == 1)
            #expect(processor.counters.unsent == 4, "the failed batch and the one set aside")
            #expect(processor.counters.exported == 0)

            // Timer ticks past the backoff retry; the second failure doubles the backoff.
            while exporter.attempts < 4 {
                await clock.waitForSleepers(1)
                clock.advance(by: .seconds(3600))
                await Task.yield()
            }
            await processor.forceFlush()
            #expect(exporter.deliveredNames == (0..<4).map { "span-\($0)" })
            processor.shutdown()
            try await group.waitForAll()
        }
        #expect(processor.counters == BatchSpanProcessorCounters(exported: 4))
    }

    @Test("past maxUnsentSpans the oldest unsent batches are dropped and counted; the rest is delivered")
    func boundedUnsent() async throws {
        let exporter = ScriptedExporter(then: .unreachable)
        let (processor, _) = makeProcessor(exporter, batch: 2, maxUnsent: 4)
        for i in 0..<10 { processor.onEnd(spanRecord(i)) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await processor.run() }
            await processor.forceFlush()
            #expect(processor.counters.unsent == 4)
            #expect(processor.counters.evicted == 6)
            exporter.answerFromNowOn(.deliver)
            processor.shutdown()
            try await group.waitForAll()
        }
        #expect(exporter.deliveredNames == (6..<10).map { "span-\($0)" })
        let counters = processor.counters
        #expect(counters.exported + counters.evicted == 10, "every span accounted for")
        #expect(counters.abandoned == 0 && counters.dropped == 0 && counters.failed == 0)
    }

    @Test("a final rejection is counted as failed and not retried")
    func rejectionIsFinal() async throws {
        let exporter = ScriptedExporter(script: [.reject])
        let (processor, _) = makeProcessor(exporter, batch: 2)
        for i in 0..<4 { processor.onEnd(spanRecord(i)) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await processor.run() }
            await processor.forceFlush()
            processor.shutdown()
            try await group.waitForAll()
        }
        #expect(exporter.attempts == 2)
        #expect(processor.counters == BatchSpanProcessorCounters(exported: 2, failed: 2))
    }

    @Test("shutdown keeps retrying until the deadline, then gives up and counts what was not exported")
    func shutdownDeadline() async throws {
        let exporter = ScriptedExporter(then: .unreachable)
        let (processor, clock) = makeProcessor(exporter, batch: 4, shutdownTimeout: .seconds(5))
        for i in 0..<10 { processor.onEnd(spanRecord(i)) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await processor.run() }
            await processor.forceFlush()
            processor.shutdown()
            // Sleeping: the timer, the shutdown deadline, and the final drain's backoff.
            while clock.now.offset < .milliseconds(4500) {
                await clock.waitForSleepers(3)
                clock.advance(by: .milliseconds(500))
            }
            await clock.waitForSleepers(3)
            #expect(exporter.attempts >= 3, "shutdown kept retrying (attempts: \(exporter.attempts))")
            #expect(processor.counters.abandoned == 0, "nothing given up before the deadline")
            clock.advance(by: .milliseconds(500))
            try await group.waitForAll()
        }
        #expect(clock.now.offset == .seconds(5), "stopped at the deadline, not later")
        #expect(processor.counters.abandoned == 10)
        #expect(processor.counters.exported == 0 && processor.counters.unsent == 0 && processor.counters.queued == 0)
    }

    @Test("shutdown with a reachable endpoint exports everything before the deadline")
    func shutdownDrains() async throws {
        let exporter = ScriptedExporter(script: [.unreachable, .unreachable])
        let (processor, clock) = makeProcessor(exporter, batch: 3)
        for i in 0..<7 { processor.onEnd(spanRecord(i)) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await processor.run() }
            await processor.forceFlush()
            processor.shutdown()
            await clock.waitForSleepers(3)
            #expect(exporter.attempts == 2, "the drain tried at once, then waits for its backoff")
            clock.advance(by: .seconds(2))  // the second backoff is at most 2 s
            try await group.waitForAll()
        }
        #expect(exporter.deliveredNames == (0..<7).map { "span-\($0)" })
        #expect(processor.counters == BatchSpanProcessorCounters(exported: 7))
    }
}

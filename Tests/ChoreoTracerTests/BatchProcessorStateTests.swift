import ChoreoModel
import ChoreoTracer
import Testing

@Suite("BatchProcessorState and SpanQueue (pure, no I/O)")
struct BatchProcessorStateTests {
    private func makeState(queue: Int = 10, batch: Int = 4) -> BatchProcessorState {
        BatchProcessorState(configuration: BatchSpanProcessorConfiguration(maxQueueSize: queue, maxExportBatchSize: batch))
    }

    @Test("the wake-up signal fires exactly when a batch becomes full")
    func wakeOnFullBatch() {
        var state = makeState()
        let signals = (0..<6).map { state.enqueue(spanRecord($0)) }
        #expect(signals == [false, false, false, true, false, false])
    }

    @Test("without timer or flush only full batches are due")
    func onlyFullBatches() {
        var state = makeState()
        _ = state.start()
        for i in 0..<6 { _ = state.enqueue(spanRecord(i)) }
        #expect(state.nextBatch()?.map(\.name) == ["span-0", "span-1", "span-2", "span-3"])
        #expect(state.nextBatch() == nil)
        #expect(state.queue.count == 2)
    }

    @Test("a timer tick drains the partial batch, then is consumed")
    func timerDrains() {
        var state = makeState()
        _ = state.start()
        for i in 0..<2 { _ = state.enqueue(spanRecord(i)) }
        state.markTimerDue()
        #expect(state.nextBatch()?.count == 2)
        #expect(state.nextBatch() == nil)
        _ = state.enqueue(spanRecord(2))
        #expect(state.nextBatch() == nil)
    }

    @Test("shutdown drains everything in batches and the final pass stops the processor")
    func finalDrain() {
        var state = makeState()
        _ = state.start()
        for i in 0..<7 { _ = state.enqueue(spanRecord(i)) }
        state.beginShutdown()
        #expect(state.nextBatch()?.count == 4)
        #expect(state.nextBatch()?.count == 3)
        #expect(state.nextBatch(final: true) == nil)
        #expect(state.phase == .stopped)
        #expect(state.enqueue(spanRecord(8)) == false)
        #expect(state.snapshot.dropped == 1)
    }

    @Test("overflow is dropped, counted and reported once")
    func overflow() {
        var state = makeState(queue: 3, batch: 3)
        for i in 0..<5 { _ = state.enqueue(spanRecord(i)) }
        #expect(state.snapshot == BatchSpanProcessorCounters(dropped: 2, queued: 3))
        #expect(state.takeDropReport() == 2)
        #expect(state.takeDropReport() == 0)
    }

    @Test("export outcomes are counted per span")
    func outcomes() {
        var state = makeState()
        for i in 0..<4 { _ = state.enqueue(spanRecord(i)) }
        _ = state.finishExport(count: 3, succeeded: true)
        _ = state.finishExport(count: 1, succeeded: false)
        #expect(state.counters.exported == 3 && state.counters.failed == 1)
        #expect(state.completed == state.accepted)
    }

    @Test("a shutdown before start still lets run start once, to drain")
    func shutdownBeforeStart() {
        var state = makeState()
        state.beginShutdown()
        let first = state.start()
        let second = state.start()
        #expect(first && !second)
        #expect(state.phase == .shuttingDown)
    }

    @Test("SpanQueue keeps FIFO order through interleaved appends and removals", arguments: [1, 3, 7])
    func queueOrder(step: Int) {
        var queue = SpanQueue<Int>(capacity: 16)
        var next = 0
        var removed: [Int] = []
        for _ in 0..<50 {
            while queue.append(next) { next += 1 }
            removed += queue.removeFirst(upTo: step)
        }
        removed += queue.removeFirst(upTo: .max)
        #expect(removed == Array(0..<next))
        #expect(queue.isEmpty)
    }
}

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
        #expect(state.nextBatch()?.map(\.record.name) == ["span-0", "span-1", "span-2", "span-3"])
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

    @Test(
        "SpanQueue in chunks keeps FIFO order and its capacity through any removal size",
        arguments: [(1, 1), (3, 3), (3, 5), (4, 2), (8, 7), (5, 64)] as [(Int, Int)]
    )
    func chunkedQueueOrder(chunkSize: Int, step: Int) {
        var queue = SpanQueue<Int>(capacity: 23, chunkSize: chunkSize)
        var next = 0
        var removed: [Int] = []
        for round in 0..<60 {
            while queue.append(next) { next += 1 }
            #expect(queue.count == 23)
            removed += queue.removeFirst(upTo: round % 5 == 0 ? chunkSize : step)
        }
        removed += queue.removeFirst(upTo: .max)
        #expect(removed == Array(0..<next))
        #expect(queue.isEmpty && queue.count == 0)
        let empty = queue.removeFirst(upTo: 10)
        #expect(empty.isEmpty)
    }

    @Test("removing a chunk's worth from the front takes whole chunks, in order")
    func chunkedQueueBatches() {
        var queue = SpanQueue<Int>(capacity: 100, chunkSize: 10)
        let appended = (0..<35).map { queue.append($0) }
        #expect(appended.allSatisfy { $0 })
        var batches: [[Int]] = []
        for size in [10, 10, 4, 10, 10] { batches.append(queue.removeFirst(upTo: size)) }
        #expect(batches == [Array(0..<10), Array(10..<20), Array(20..<24), Array(24..<34), [34]])
        #expect(queue.isEmpty)
    }
}

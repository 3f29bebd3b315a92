@testable import ChoreoInstrumentation
import Testing

@Suite("BoundedQueue")
struct BoundedQueueTests {
    @Test("push suspends while the queue is full and resumes when a pop makes room, FIFO")
    func backpressure() async throws {
        let queue = BoundedQueue<Int>(capacity: 2)
        try await queue.push(1)
        try await queue.push(2)
        let producer = Task { try await queue.push(3) }
        // The third push cannot complete until there is room; the first pop makes room.
        #expect(await queue.pop() == 1)
        try await producer.value
        #expect(await queue.pop() == 2)
        #expect(await queue.pop() == 3)
        #expect(queue.count == 0)
    }

    @Test("a cancelled pop returns nil and a cancelled push throws without enqueueing")
    func cancellation() async throws {
        let queue = BoundedQueue<Int>(capacity: 1)
        let consumer = Task { await queue.pop() }
        consumer.cancel()
        #expect(await consumer.value == nil)

        try await queue.push(1)
        let producer = Task { try await queue.push(2) }
        producer.cancel()
        await #expect(throws: CancellationError.self) { try await producer.value }
        #expect(await queue.pop() == 1)
        #expect(queue.count == 0)
    }
}

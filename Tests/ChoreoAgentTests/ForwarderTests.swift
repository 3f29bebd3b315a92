import ChoreoTestSupport
import ChoreoAgent
import ChoreoModel
import ChoreoOTLP
import Logging
import ServiceLifecycle
import Testing

@Suite("Agent forwarder")
struct ForwarderTests {
    static func spans(_ n: Int, from start: Int = 0) -> [SpanRecord] {
        (start..<start + n).map { i in
            SpanRecord(
                traceID: TraceID(high: 1, low: UInt64(i + 1)), spanID: SpanID(UInt64(i + 1)), name: "span \(i)",
                kind: .producer, startTimeUnixNano: 1_000, endTimeUnixNano: 2_000, serviceName: "svc"
            )
        }
    }

    static func chunk(_ spans: [SpanRecord]) throws -> SpanChunk {
        let message = try OTLPProtobuf.decodeRequestMessage(try OTLPProtobuf.encodeRequest(spans))
        return try SpanChunk(resourceSpans: message.resourceSpans, spanCount: spans.count)
    }

    func configuration(batch: Int = 10) -> AgentConfiguration {
        var c = AgentConfiguration()
        c.batchMaxSpans = batch
        c.batchMaxDelay = .milliseconds(200)
        c.initialBackoff = .milliseconds(100)
        c.maxBackoff = .seconds(1)
        c.shutdownGrace = .seconds(2)
        return c
    }

    @Test("a full batch leaves at once; a partial one after the batch delay")
    func batching() async throws {
        let clock = TestClock(.manual)
        let sender = FakeSender()
        let queue = SpanQueue(capacity: 1000)
        let forwarder = Forwarder(queue: queue, sender: sender, configuration: configuration(), clock: clock, logger: Logger(label: "t"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await forwarder.run() }
            let firstBatch = try Self.chunk(Self.spans(10))
            #expect(queue.offer(firstBatch))
            while sender.accepted.count < 1 { await Task.yield() }
            #expect(sender.accepted[0].count == 10)
            #expect(clock.sleeps.isEmpty, "a full batch does not wait")

            let partialBatch = try Self.chunk(Self.spans(3, from: 10))
            #expect(queue.offer(partialBatch))
            await clock.waitForSleepers()
            #expect(sender.accepted.count == 1, "a partial batch waits for the delay")
            clock.advance(by: .milliseconds(200))
            while sender.accepted.count < 2 { await Task.yield() }
            #expect(sender.accepted[1].map(\.name) == ["span 10", "span 11", "span 12"])
            group.cancelAll()
        }
    }

    @Test("retryable failures back off exponentially, honour Retry-After, and keep order")
    func retries() async throws {
        let clock = TestClock(.manual)
        let sender = FakeSender(script: [
            .retryable(reason: "HTTP 503", retryAfter: nil),
            .retryable(reason: "connection refused", retryAfter: nil),
            .retryable(reason: "HTTP 429", retryAfter: .seconds(3)),
        ])
        let queue = SpanQueue(capacity: 1000)
        let forwarder = Forwarder(queue: queue, sender: sender, configuration: configuration(), clock: clock, logger: Logger(label: "t"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await forwarder.run() }
            let firstBatch = try Self.chunk(Self.spans(10))
            #expect(queue.offer(firstBatch))
            let secondBatch = try Self.chunk(Self.spans(10, from: 10))
            #expect(queue.offer(secondBatch))
            for _ in 0..<3 {
                await clock.waitForSleepers()
                clock.advance(by: .seconds(3))
            }
            while sender.accepted.count < 2 { await Task.yield() }
            #expect(sender.accepted.flatMap { $0 }.map(\.name) == Self.spans(20).map(\.name), "order kept across retries")
            let waits = clock.sleeps
            #expect(waits.count == 3)
            #expect(waits[0] >= .milliseconds(50) && waits[0] <= .milliseconds(100), "first backoff within the jittered initial backoff")
            #expect(waits[1] >= .milliseconds(100) && waits[1] <= .milliseconds(200), "backoff doubles")
            #expect(waits[2] == .seconds(3), "Retry-After is honoured")
            #expect(forwarder.stats.retries == 3)
            #expect(forwarder.stats.sentSpans == 20)
            group.cancelAll()
        }
    }

    @Test("a permanent rejection drops the batch, counted, without retrying")
    func permanent() async throws {
        let clock = TestClock(.manual)
        let sender = FakeSender(script: [.permanent(reason: "HTTP 400")])
        let queue = SpanQueue(capacity: 1000)
        let forwarder = Forwarder(queue: queue, sender: sender, configuration: configuration(), clock: clock, logger: Logger(label: "t"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await forwarder.run() }
            let firstBatch = try Self.chunk(Self.spans(10))
            #expect(queue.offer(firstBatch))
            let secondBatch = try Self.chunk(Self.spans(10, from: 10))
            #expect(queue.offer(secondBatch))
            while sender.accepted.count < 1 { await Task.yield() }
            #expect(sender.attempts == 2)
            #expect(forwarder.stats.droppedRejected == 10)
            #expect(forwarder.stats.sentSpans == 10)
            group.cancelAll()
        }
    }

    @Test("graceful shutdown forwards what is queued")
    func shutdownFlushes() async throws {
        let clock = TestClock(.manual)
        let sender = FakeSender()
        let queue = SpanQueue(capacity: 1000)
        let forwarder = Forwarder(queue: queue, sender: sender, configuration: configuration(batch: 100), clock: clock, logger: Logger(label: "t"))
        let group = ServiceGroup(services: [forwarder], logger: Logger(label: "t"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let sevenSpans = try Self.chunk(Self.spans(7))
            #expect(queue.offer(sevenSpans))
            await clock.waitForSleepers()  // waiting for the batch to fill
            await group.triggerGracefulShutdown()
            clock.advance(by: .milliseconds(200))
            try await tasks.waitForAll()
        }
        #expect(sender.accepted.flatMap { $0 }.count == 7)
        #expect(forwarder.stats.droppedShutdown == 0)
    }

    @Test("the queue refuses what does not fit, so the receiver can push back")
    func boundedQueue() throws {
        let queue = SpanQueue(capacity: 15)
        let firstBatch = try Self.chunk(Self.spans(10))
        #expect(queue.offer(firstBatch))
        let extra = try Self.chunk(Self.spans(10))
        #expect(!queue.offer(extra))
        #expect(queue.depth == 10)
        #expect(queue.take(maxSpans: 100).count == 1)
        #expect(queue.depth == 0)
    }
}

import ChoreoAgent
import ChoreoOTLP
import ChoreoTestSupport
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite("Agent memory queue bounded in bytes")
struct SpanQueueBytesTests {
    static func chunk(bytes: Int, spans: Int = 1) -> SpanChunk {
        SpanChunk(serialized: [UInt8](repeating: 0, count: bytes), spanCount: spans)
    }

    @Test("an offer past the byte bound is refused while the span bound has room; taking frees the bytes")
    func byteBound() {
        let queue = SpanQueue(capacity: 1000, maxBytes: 1000)
        #expect(queue.offer(Self.chunk(bytes: 600)))
        #expect(queue.offer(Self.chunk(bytes: 400)))
        #expect(!queue.offer(Self.chunk(bytes: 1)), "1,001 bytes would exceed the bound")
        #expect(queue.depth == 2 && queue.byteDepth == 1000)
        #expect(queue.take(maxSpans: 1).count == 1)
        #expect(queue.byteDepth == 400)
        #expect(queue.offer(Self.chunk(bytes: 600)))
        #expect(queue.byteDepth == 1000)
    }

    @Test("an empty queue takes one chunk larger than the bound, so no request is refused for ever")
    func oversizeChunkIntoEmptyQueue() {
        let queue = SpanQueue(capacity: 10, maxBytes: 100)
        #expect(queue.offer(Self.chunk(bytes: 5000, spans: 50)))
        #expect(!queue.offer(Self.chunk(bytes: 1)))
        _ = queue.take(maxSpans: 100)
        #expect(queue.depth == 0 && queue.byteDepth == 0)
        #expect(queue.offer(Self.chunk(bytes: 1)))
    }

    @Test("the receiver answers 503 with Retry-After when the bytes, not the spans, are full")
    func receiverBackpressureOnBytes() async throws {
        var configuration = AgentConfiguration()
        configuration.queueCapacity = 1000
        configuration.batchMaxSpans = 1000
        let first = try OTLPProtobuf.encodeRequest(ForwardersSpans.make(5, from: 0))
        configuration.queueMaxBytes = first.count + 10
        let agent = AgentApp(configuration: configuration, sender: FakeSender(), clock: TestClock(.manual), logger: Logger(label: "t"))
        try await ReceiverRouteTests.expectSecondRequestRefused(by: agent)
    }
}

import ChoreoCollector
import ChoreoModel
import ChoreoOTLP
import ChoreoStore
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@Suite("Ingest overload: 429 when the queue is full, 503 when the store fails or the collector stops")
struct OverloadTests {
    @Test("queue full: 429 with Retry-After, nothing of that request stored; queued requests still commit")
    func queueFull() async throws {
        let store = InterceptingStore(gatedAppends: true)
        let harness = IngestHarness(store: store) {
            $0.ingestQueueCapacity = 10
            $0.commitsInFlight = 1  // b waits in the queue while a's commit is held
        }
        let a = Fixtures.spans(10, trace: TraceID(high: 1, low: 1), prefix: "a")
        let b = Fixtures.spans(10, trace: TraceID(high: 2, low: 2), prefix: "b")
        let c = Fixtures.spans(1, trace: TraceID(high: 3, low: 3), prefix: "c")
        try await harness.application.test(.router) { client in
            try await withThrowingTaskGroup(of: IngestAnswer.self) { group in
                group.addTask { try await client.ingestJSON(a) }
                await store.waitForAppendToStart()  // a is being committed
                group.addTask { try await client.ingestJSON(b) }
                while harness.app.writer.queueDepth < 10 { await Task.yield() }  // b waits in the queue
                let refused = try await client.ingestJSON(c)
                #expect(refused.status == .tooManyRequests)
                #expect(refused.retryAfter == "1")
                #expect(refused.message?.contains("queue full") == true)
                #expect(harness.app.writer.queueDepth == 10, "the queue never grows past its capacity")
                store.open()
                for try await answer in group { #expect(answer.status == .ok) }
            }
        }
        #expect(try await store.inner.spanCount() == a.count + b.count)
        #expect(try await store.inner.spans(correlationID: "c-0").isEmpty)
        #expect(harness.app.rejections.value(.overloaded) == 1, "overloaded counts spans")
        #expect(harness.app.rejections.value(.shuttingDown) == 0)
    }

    @Test("shutting down: 503 with Retry-After; a commit in flight still finishes and is acknowledged")
    func shuttingDown() async throws {
        let store = InterceptingStore(gatedAppends: true)
        let harness = IngestHarness(store: store)
        let inFlight = Fixtures.spans(3, trace: TraceID(high: 4, low: 4), prefix: "x")
        try await harness.application.test(.router) { client in
            async let first = client.ingestJSON(inFlight)
            await store.waitForAppendToStart()
            harness.app.writer.close()  // graceful shutdown begins
            let late = try await client.ingestJSON(Fixtures.spans(2, trace: TraceID(high: 5, low: 5), prefix: "y"))
            #expect(late.status == .serviceUnavailable)
            #expect(late.retryAfter == "5")
            #expect(late.message?.contains("shutting down") == true)
            store.open()
            #expect(try await first.status == .ok, "the in-flight request is answered after its commit")
        }
        #expect(try await store.inner.spanCount() == inFlight.count)
        #expect(harness.app.rejections.value(.shuttingDown) == 2)
        #expect(harness.app.rejections.value(.overloaded) == 0)
    }

    @Test("store failure: 503 with Retry-After, counted apart from overload")
    func storeFailure() async throws {
        let harness = IngestHarness(store: InterceptingStore.failingAppends())
        try await harness.application.test(.router) { client in
            let answer = try await client.ingestJSON(Fixtures.spans(4, trace: TraceID(high: 6, low: 6)))
            #expect(answer.status == .serviceUnavailable)
            #expect(answer.retryAfter != nil)
            #expect(answer.message?.contains("could not commit") == true)
        }
        #expect(harness.app.rejections.value(.storeFailure) == 4)
        #expect(harness.app.rejections.value(.overloaded) == 0)
    }

    @Test(
        "many senders against a tiny queue and a slow store: refusals are 429 with Retry-After and every acknowledged span is stored",
        arguments: [UInt64(1), 2, 3])
    func flood(seed: UInt64) async throws {
        let store = InterceptingStore(before: { if $0 == .append { for _ in 0..<200 { await Task.yield() } } })
        let capacity = 8
        let harness = IngestHarness(store: store) {
            $0.ingestQueueCapacity = capacity
            $0.maxSpansPerRequest = 6
        }
        let maxDepth = MaxTracker()
        var random = SplitMix64(seed: seed)
        let requests = (0..<60).map { i in
            Fixtures.spans(Int.random(in: 1...6, using: &random), trace: TraceID(high: seed, low: UInt64(i + 1)), prefix: "s\(seed)-r\(i)")
        }
        let answers = try await harness.application.test(.router) { client in
            try await withThrowingTaskGroup(of: (Int, IngestAnswer).self) { group in
                for (i, spans) in requests.enumerated() {
                    group.addTask {
                        let answer = try await client.ingestJSON(spans)
                        maxDepth.observe(harness.app.writer.queueDepth)
                        return (i, answer)
                    }
                }
                return try await group.reduce(into: [Int: IngestAnswer]()) { $0[$1.0] = $1.1 }
            }
        }
        var acknowledged = 0
        for (i, answer) in answers {
            switch answer.status {
            case .ok:
                acknowledged += requests[i].count
                for span in requests[i] {
                    #expect(try await store.inner.spans(traceID: span.traceID).contains(span), "acknowledged span \(i) is stored")
                }
            case .tooManyRequests:
                #expect(answer.retryAfter == "1")
                #expect(try await store.inner.spans(traceID: requests[i][0].traceID).isEmpty, "a refused request stored nothing")
            default:
                Issue.record("unexpected \(answer.status) for request \(i)")
            }
        }
        #expect(try await store.inner.spanCount() == acknowledged)
        #expect(harness.app.writer.stats.committedSpans == acknowledged)
        #expect(maxDepth.value <= max(capacity, 6), "the queue stays bounded")
        #expect(harness.app.rejections.value(.overloaded) + acknowledged == requests.map(\.count).reduce(0, +))
    }
}

/// The largest value observed, from any task.
final class MaxTracker: Sendable {
    private let largest = Mutex(0)
    func observe(_ candidate: Int) { largest.withLock { $0 = Swift.max($0, candidate) } }
    var value: Int { largest.withLock { $0 } }
}

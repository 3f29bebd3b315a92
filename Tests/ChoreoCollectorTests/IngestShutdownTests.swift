import ChoreoCollector
import ChoreoModel
import ChoreoStore
import Logging
import ServiceLifecycle
import Testing

@Suite("Ingest graceful shutdown")
struct IngestShutdownTests {
    @Test("graceful shutdown finishes the commit in flight and the queued ones, then refuses new spans")
    func drainsInFlight() async throws {
        let store = InterceptingStore(gatedAppends: true)
        let writer = IngestWriter(store: store, capacity: 100, maxSpansPerCommit: 5, commitsInFlight: 1, logger: Logger(label: "test"))
        let group = ServiceGroup(services: [writer], logger: Logger(label: "test"))
        let inFlight = Fixtures.spans(5, trace: TraceID(high: 1, low: 1), prefix: "in-flight")
        let queued = Fixtures.spans(5, trace: TraceID(high: 2, low: 2), prefix: "queued")
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask { try await writer.submit(inFlight) }
            await store.waitForAppendToStart()  // the first commit is under way
            tasks.addTask { try await writer.submit(queued) }
            while writer.queueDepth < queued.count { await Task.yield() }
            await group.triggerGracefulShutdown()
            while writer.isAccepting { await Task.yield() }
            // The writer takes no more spans ...
            let refused = await #expect(throws: IngestError.self) {
                try await writer.submit(Fixtures.spans(1, trace: TraceID(high: 3, low: 3), prefix: "late"))
            }
            #expect(refused?.code == .shuttingDown)
            // ... but what it accepted is still committed and acknowledged.
            store.open()
            try await tasks.waitForAll()
        }
        #expect(try await store.inner.spanCount() == inFlight.count + queued.count)
        #expect(try await store.inner.spans(correlationID: "late-0").isEmpty)
        #expect(writer.stats.commits == 2, "two commits: the one in flight and the queued one")
        #expect(writer.queueDepth == 0)
    }
}

@Suite("Readiness during shutdown")
struct ReadinessTests {
    @Test("/readyz answers 200 while ingest is open and 503 once shutdown began; /healthz stays 200")
    func readiness() async throws {
        let harness = IngestHarness()
        try await harness.application.test(.router) { client in
            let before = try await client.execute(uri: "/readyz", method: .get) { $0.status }
            harness.app.writer.close()
            let after = try await client.execute(uri: "/readyz", method: .get) { $0.status }
            let health = try await client.execute(uri: "/healthz", method: .get) { $0.status }
            #expect(before == .ok)
            #expect(after == .serviceUnavailable)
            #expect(health == .ok)
        }
    }
}

import ChoreoCollector
import ChoreoFlows
import ChoreoModel
import ChoreoStore
import Logging
import Synchronization
import Testing

/// The indexer takes the flows it rebuilds as claims; a pass that fails gives them back.
@Suite("Flow indexer: claims")
struct FlowIndexerClaimTests {
    struct Injected: Error {}

    @Test("a pass that fails after claiming gives its claims back: the next pass indexes the flows without waiting out the lease")
    func failedPassReleasesClaims() async throws {
        let failNextRead = Mutex(true)
        let store = InterceptingStore(before: { call in
            if call == .spansOfFlows,
                failNextRead.withLock({ fail in
                    defer { fail = false }
                    return fail
                })
            {
                throw Injected()
            }
        })
        let now = Fixtures.t0 + 10_000_000_000  // a clock that does not move: a held claim would never run out
        let indexer = FlowIndexer(
            store: store, options: FlowOptions(), clock: ContinuousClock(), interval: .seconds(1), now: { now },
            claimLease: .seconds(3600), logger: Logger(label: "test"))
        try await store.append(Fixtures.compensatedOrder("order-r", trace: TraceID(high: 0xC1A, low: 1)))
        await #expect(throws: Injected.self) { try await indexer.catchUp() }
        #expect(try await store.inner.dirtyFlows(limit: 10).map(\.correlationID) == ["order-r"], "still dirty")
        #expect(try await indexer.catchUp() == 1)
        #expect(try await store.inner.flowSummary(correlationID: "order-r")?.status == .compensated)
    }
}

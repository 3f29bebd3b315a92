import ChoreoCollector
import ChoreoFlows
import ChoreoModel
import ChoreoQuery
import ChoreoStore
import Logging
import Testing

/// The indexer does not rebuild a growing large flow on every pass (issue 17): after it built
/// one, the flow's dirty mark waits until the pause has passed, then one build takes every span
/// that arrived meanwhile. Small flows are indexed on every pass as before.
@Suite("Flow indexer: large flows wait between builds")
struct LargeFlowDebounceTests {
    typealias Now = FlowIndexerDueTests.Now
    static let second: UInt64 = 1_000_000_000

    static func indexer(_ store: InMemorySpanStore, now: Now, cache: FlowBuildCache?) -> FlowIndexer<ContinuousClock> {
        FlowIndexer(
            store: store, options: FlowOptions(), clock: ContinuousClock(), interval: .seconds(1), now: { now.read() },
            logger: Logger(label: "test"), flowCache: cache)
    }

    static func steps(_ store: InMemorySpanStore, _ correlationID: String) async throws -> Int? {
        try await store.flowSummary(correlationID: correlationID)?.stepCount
    }

    @Test("a large flow built moments ago waits for the pause; a small one and a flow without a cache do not")
    func waits() async throws {
        let store = InMemorySpanStore()
        let now = Now(FlowBuildCacheTests.t0 + 3_600 * Self.second)
        // Large: at least the cache's minimum (50 here); small: below it.
        let indexer = Self.indexer(store, now: now, cache: FlowBuildCache(minimumSteps: 50))
        let big = FlowBuildCacheTests.chain("big", count: 60)
        // Its own traces (the chains share span ids, and a span is kept once per trace).
        let small = FlowBuildCacheTests.chain("small", count: 10).map { span in
            var span = span
            span.traceID = TraceID(high: 0x5, low: span.traceID.low)
            return span
        }
        try await store.append(Array(big[..<100]) + Array(small[..<10]))
        try await indexer.catchUp()
        #expect(try await Self.steps(store, "big") == 50)
        #expect(try await Self.steps(store, "small") == 5)

        // More spans of both within the pause: the small flow is indexed, the large one waits.
        try await store.append(Array(big[100..<110]) + Array(small[10..<20]))
        now.set(now.read() + Self.second)
        try await indexer.catchUp()
        #expect(try await Self.steps(store, "small") == 10)
        #expect(try await Self.steps(store, "big") == 50, "rebuilt within the pause")
        #expect(try await store.dirtyFlows(limit: 10).map(\.correlationID) == ["big"], "its mark stays for a later pass")

        // The pause (2 s, longer than twice this build) has passed: one build takes every span.
        try await store.append(Array(big[110...]))
        now.set(now.read() + 2 * Self.second)
        try await indexer.catchUp()
        #expect(try await Self.steps(store, "big") == 60)
        #expect(try await store.dirtyFlows(limit: 10).isEmpty)
    }

    @Test("without a cache (no query service to hand flows to) every pass indexes every dirty flow")
    func noCacheNoPause() async throws {
        let store = InMemorySpanStore()
        let now = Now(FlowBuildCacheTests.t0 + 3_600 * Self.second)
        let indexer = Self.indexer(store, now: now, cache: nil)
        let big = FlowBuildCacheTests.chain("big", count: 60)
        try await store.append(Array(big[..<100]))
        try await indexer.catchUp()
        try await store.append(Array(big[100...]))
        try await indexer.catchUp()
        #expect(try await Self.steps(store, "big") == 60)
    }
}

import ChoreoCollector
import ChoreoFlows
import ChoreoModel
import ChoreoStore
import Logging
import Synchronization
import Testing

/// Quiet in-flight flows are judged again when they fall due (a due time stored with each
/// in-flight flow), not by rereading every in-flight summary each cycle.
@Suite("Flow indexer: due times")
struct FlowIndexerDueTests {
    static let second: UInt64 = 1_000_000_000
    static let limit = 30 * second

    /// Wall-clock time the test sets.
    final class Now: Sendable {
        private let value: Mutex<UInt64>
        init(_ start: UInt64) { value = Mutex(start) }
        func set(_ nanos: UInt64) { value.withLock { $0 = nanos } }
        func read() -> UInt64 { value.withLock { $0 } }
    }

    /// An indexer over `store` with a fixed stuck limit and a clock the test moves.
    static func indexer(_ store: InMemorySpanStore, now: Now) -> FlowIndexer<ContinuousClock> {
        FlowIndexer(
            store: store, options: FlowOptions(stuckAfterNanos: limit), clock: ContinuousClock(), interval: .seconds(1),
            now: { now.read() }, logger: Logger(label: "test")
        )
    }

    @Test("an in-flight flow is stored with its due time, untouched before it, and turns stuck at it without a new span")
    func dueFlowTurnsStuck() async throws {
        let store = InMemorySpanStore()
        let clock = Now(0)
        let indexer = FlowIndexerDueTests.indexer(store, now: clock)
        let trace = TraceID(high: 0xD0E, low: 1)
        let sent = Fixtures.t0
        try await store.append([
            Fixtures.producer(trace: trace, span: 1, message: "d-m1", type: "OrderPlaced", correlation: "order-due", service: "checkout", at: sent)
        ])
        clock.set(sent + Self.second)
        try await indexer.catchUp()
        let first = try #require(try await store.flowSummary(correlationID: "order-due"))
        #expect(first.status == .inFlight)
        let due = first.lastActivityAtUnixNano + Self.limit + 1
        #expect(try await store.dueFlows(at: due - 1, limit: 10).isEmpty, "not due before its limit has passed")
        #expect(try await store.dueFlows(at: due, limit: 10) == ["order-due"])

        clock.set(due - 1)
        try await indexer.catchUp()
        #expect(try await store.flowSummary(correlationID: "order-due")?.status == .inFlight, "not judged again before it is due")

        clock.set(due)
        try await indexer.catchUp()
        let summary = try await store.flowSummary(correlationID: "order-due")
        #expect(summary?.status == .stuck)
        #expect(summary?.waitingFor == "OrderPlaced")
        #expect(try await store.dueFlows(at: .max, limit: 10).isEmpty, "a stuck flow has no due time: only a new span changes it")
    }

    @Test("settled flows never fall due")
    func settledFlowsHaveNoDueTime() async throws {
        let store = InMemorySpanStore()
        let clock = Now(Fixtures.t0 + 10 * Self.second)
        try await store.append(Fixtures.compensatedOrder("order-done", trace: TraceID(high: 0xD0E, low: 2)))
        try await FlowIndexerDueTests.indexer(store, now: clock).catchUp()
        #expect(try await store.flowSummary(correlationID: "order-done")?.status == .compensated)
        #expect(try await store.dueFlows(at: .max, limit: 10).isEmpty)
    }
}

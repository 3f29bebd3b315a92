import ChoreoFlows
import ChoreoModel
import ChoreoQuery
import ChoreoStore
import ChoreoTestSupport
import Foundation
import Synchronization
import Testing

/// The query service reuses a large flow it built while the flow's spans (the SQLite store's
/// fingerprint), the judging and the verdict at the request's time stay the same (issue 17:
/// the text, JSON and export of one flow of 100,000 steps cost one build, not three), and
/// never answers a flow older than its spans.
@Suite struct FlowBuildCacheTests {
    /// A reader that counts the flows read span by span (a rebuild), over a real store.
    final class CountingReader: SpanReader {
        let base: SQLiteSpanStore
        let reads = Atomic<Int>(0)
        init(_ base: SQLiteSpanStore) { self.base = base }
        func spans(traceID: TraceID) async throws -> [SpanRecord] { try await base.spans(traceID: traceID) }
        func spans(correlationID: String) async throws -> [SpanRecord] {
            reads.add(1, ordering: .relaxed)
            return try await base.spans(correlationID: correlationID)
        }
        func traceSummaries(_ query: TraceQuery) async throws -> [TraceSummary] { try await base.traceSummaries(query) }
        func spanCount() async throws -> Int { try await base.spanCount() }
        func flowFingerprint(correlationID: String) async throws -> FlowSpansFingerprint? {
            try await base.flowFingerprint(correlationID: correlationID)
        }
        var rebuilds: Int { reads.load(ordering: .relaxed) }
    }

    static let count = 2_500
    static let t0: UInt64 = 1_800_000_000_000_000_000

    /// The spans of a chain of `count` messages, each step its own trace (all handled).
    static func chain(_ correlationID: String, count: Int) -> [SpanRecord] {
        LargeFlows.spans(correlationID, count: count, chain: true, base: t0, traceHigh: 0xC)
    }

    /// A store in a fresh temporary directory.
    static func store() throws -> SQLiteSpanStore {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("choreo-cache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return try SQLiteSpanStore(path: directory.appendingPathComponent("choreo.sqlite").path)
    }

    /// One more message in the chain: its publish, and (unless `pending`) its handled delivery.
    static func step(_ i: Int, pending: Bool = false) -> [SpanRecord] {
        let all = Self.chain("big", count: i + 1)
        return pending ? [all[2 * i]] : Array(all[(2 * i)...])
    }

    /// A service over a fresh SQLite store holding a chain of `count` messages, the last one
    /// still waiting for its delivery when `pending`.
    static func harness(pending: Bool = false) async throws -> (SQLiteSpanStore, CountingReader, QueryService, Clock) {
        let store = try Self.store()
        var spans = Self.chain("big", count: count)
        if pending { spans.removeLast() }
        try await store.append(spans)
        let reader = CountingReader(store)
        let clock = Clock()
        let service = QueryService(spans: reader, index: store, now: { clock.now.load(ordering: .relaxed) })
        return (store, reader, service, clock)
    }

    final class Clock: Sendable {
        let now = Atomic<UInt64>(FlowBuildCacheTests.t0 + 10_000_000_000)
    }

    @Test func aLargeFlowIsBuiltOnceForRepeatedReads() async throws {
        let (_, reader, service, _) = try await Self.harness()
        let first = try #require(try await service.flow(correlationID: "big"))
        let second = try #require(try await service.flow(correlationID: "big"))
        let third = try #require(try await service.flow(correlationID: "big"))
        #expect(first.steps.count == Self.count)
        #expect(second == first && third == first)
        #expect(reader.rebuilds == 1, "the spans were read \(reader.rebuilds) times")
        #expect(service.cache.count == 1)
    }

    @Test func aNewSpanOfTheFlowIsNeverAnsweredFromTheCache() async throws {
        let (store, reader, service, _) = try await Self.harness()
        _ = try await service.flow(correlationID: "big")
        try await store.append(Self.step(Self.count))
        let flow = try #require(try await service.flow(correlationID: "big"))
        #expect(flow.steps.count == Self.count + 1)
        #expect(flow.steps.last?.messageID == "big-\(Self.count)")
        #expect(reader.rebuilds == 2)
    }

    @Test func changedJudgingRebuilds() async throws {
        let (store, reader, service, _) = try await Self.harness()
        _ = try await service.flow(correlationID: "big")
        try await store.saveJudging(FlowJudging(FlowOptions(terminalTypes: ["ItemReserved"])).encoded)
        let flow = try #require(try await service.flow(correlationID: "big"))
        #expect(flow.outcome == "ItemReserved")
        #expect(reader.rebuilds == 2)
    }

    @Test func anInFlightFlowTurnsStuckWhenItsLimitPasses() async throws {
        let (_, reader, service, clock) = try await Self.harness(pending: true)
        let early = try #require(try await service.flow(correlationID: "big"))
        #expect(early.status == .inFlight)
        // Still within the limit: the kept flow answers.
        _ = try await service.flow(correlationID: "big")
        #expect(reader.rebuilds == 1)
        clock.now.add(FlowOptions.defaultStuckAfterNanos + 1, ordering: .relaxed)
        let late = try #require(try await service.flow(correlationID: "big"))
        #expect(late.status == .stuck)
        #expect(reader.rebuilds == 2)
    }

    @Test func smallFlowsAreNotKept() async throws {
        let store = try Self.store()
        try await store.append(Self.chain("small", count: 10))
        let service = QueryService(store: store)
        #expect(try await service.flow(correlationID: "small")?.steps.count == 10)
        #expect(service.cache.count == 0)
    }
}

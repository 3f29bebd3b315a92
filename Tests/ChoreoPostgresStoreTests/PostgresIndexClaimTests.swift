import ChoreoCollector
import ChoreoFlows
import ChoreoModel
import ChoreoStore
import Logging
import PostgresNIO
import Synchronization
import Testing

@testable import ChoreoPostgresStore

/// Several collectors' indexers on one PostgreSQL store divide the flow index work by claims
/// (`FOR UPDATE SKIP LOCKED`): no flow goes to two of them, none is left out, and a claim whose
/// holder died is taken over after its lease.
@Suite("PostgreSQL span store: indexers of several collectors", .enabled(if: TestDatabase.url != nil, TestDatabase.skipReason), .timeLimit(.minutes(3)))
struct PostgresIndexClaimTests {
    static let second: UInt64 = 1_000_000_000

    @Test("two stores claiming dirty and due flows at once never get the same flow, and between them get every one")
    func concurrentClaims() async throws {
        try await withPostgresStore { first in
            try await PostgresSpanStore.withStore(configuration: first.configuration) { second in
                let ids = (0..<1_000).map { "flow-\($0)" }
                for chunk in stride(from: 0, to: ids.count, by: 250) {
                    try await first.append(
                        ids[chunk..<chunk + 250].enumerated().map { n, id in
                            Spans.make(trace: UInt64(chunk + n), span: 1, correlationID: id, startMs: UInt64(chunk + n))
                        })
                }
                let t = Spans.base
                // Each store claims small batches until it gets none, writing what it claimed.
                func drain(_ store: PostgresSpanStore) async throws -> [String] {
                    var got: [String] = []
                    while true {
                        let marks = try await store.claimDirtyFlows(at: t, limit: 25, lease: .seconds(60))
                        if marks.isEmpty { return got }
                        got += marks.map(\.correlationID)
                        let summaries = marks.map { Spans.summary($0.correlationID, .inFlight, startedMs: 0, lastMs: 1) }
                        try await store.upsertFlows(
                            summaries.map { IndexedFlow(summary: $0, trail: [], dueAtUnixNano: t + 10) }, clearing: marks)
                    }
                }
                async let a = drain(first)
                async let b = drain(second)
                let (byFirst, bySecond) = try await (a, b)
                #expect(Set(byFirst).isDisjoint(with: bySecond), "no flow claimed by both")
                #expect(byFirst.count + bySecond.count == ids.count, "no flow claimed twice")
                #expect(Set(byFirst + bySecond) == Set(ids), "every dirty flow claimed")
                #expect(try await first.dirtyFlows(limit: 10).isEmpty)

                // Every flow is now due (at t + 10): due claims divide them the same way.
                func drainDue(_ store: PostgresSpanStore) async throws -> [String] {
                    var got: [String] = []
                    while true {
                        let marks = try await store.claimDueFlows(at: t + 10, limit: 25, lease: .seconds(60))
                        if marks.isEmpty { return got }
                        got += marks.map(\.correlationID)
                    }
                }
                async let c = drainDue(first)
                async let d = drainDue(second)
                let (dueFirst, dueSecond) = try await (c, d)
                #expect(Set(dueFirst).isDisjoint(with: dueSecond))
                #expect(dueFirst.count + dueSecond.count == ids.count)
                #expect(Set(dueFirst + dueSecond) == Set(ids))
                #expect(try await first.claimDirtyFlows(at: t + 10, limit: 10, lease: .seconds(60)).isEmpty, "due claims hold as dirty ones")
            }
        }
    }

    @Test("a claim whose collector died (never wrote) is taken over by another collector once its lease ran out")
    func deadHolder() async throws {
        try await withPostgresStore { dead in
            try await PostgresSpanStore.withStore(configuration: dead.configuration) { alive in
                try await dead.append([Spans.make(trace: 1, span: 1, correlationID: "orphan", startMs: 1)])
                let t = Spans.base
                let held = try await dead.claimDirtyFlows(at: t, limit: 10, lease: .seconds(30))
                #expect(held.map(\.correlationID) == ["orphan"])
                // The holder dies here. Until its lease runs out, nobody else takes the flow...
                #expect(try await alive.claimDirtyFlows(at: t + 30 * Self.second - 1, limit: 10, lease: .seconds(30)).isEmpty)
                // ...then the next claim does, and indexes it.
                let taken = try await alive.claimDirtyFlows(at: t + 30 * Self.second, limit: 10, lease: .seconds(30))
                #expect(taken.map(\.correlationID) == ["orphan"])
                try await alive.upsertSummaries([Spans.summary("orphan", .inFlight, startedMs: 1, lastMs: 1)], clearing: taken)
                #expect(try await alive.flowSummary(correlationID: "orphan")?.status == .inFlight)
                #expect(try await dead.dirtyFlows(limit: 10).isEmpty)
            }
        }
    }

    @Test("a store of schema version 1 (no claims) is migrated by the next collector, and its dirty marks are claimed")
    func migrationFromVersion1() async throws {
        try await withPostgresStore { old in
            try await old.append([Spans.make(trace: 1, span: 1, correlationID: "before-claims", startMs: 1)])
            // Take the schema back to version 1, as a collector without claims left it.
            let s = old.configuration.schema
            for statement in [
                "ALTER TABLE \(s).dirty_flows DROP COLUMN claim", "ALTER TABLE \(s).dirty_flows DROP COLUMN claimed_until",
                "DROP SEQUENCE \(s).claim_seq", "DROP INDEX \(s).spans_by_service", "DROP INDEX \(s).spans_by_operation",
                "ALTER TABLE \(s).flow_summaries DROP COLUMN sampled_out_ns",
            ] + Self.typeAndServiceRows(s) + [
                "UPDATE \(s).store_meta SET value = 1 WHERE key = 'schema_version'"
            ] {
                try await old.query(PostgresQuery(unsafeSQL: statement))
            }
            try await PostgresSpanStore.withStore(configuration: old.configuration) { new in
                let claimed = try await new.claimDirtyFlows(at: Spans.base, limit: 10, lease: .seconds(30))
                #expect(claimed.map(\.correlationID) == ["before-claims"])
                try await new.upsertSummaries([Spans.summary("before-claims", .inFlight, startedMs: 1, lastMs: 1)], clearing: claimed)
                #expect(try await new.dirtyFlows(limit: 10).isEmpty)
                let version = try await new.query(PostgresQuery(unsafeSQL: "SELECT value FROM \(s).store_meta WHERE key = 'schema_version'"))
                #expect(try version.first?.decode(Int64.self) == Int64(PostgresSchema.currentVersion))
            }
        }
    }

    @Test("a store of schema version 4 (a row per flow and type or service) migrates to the GIN-indexed arrays: its flows are listed as before")
    func migrationFromVersion4() async throws {
        try await withPostgresStore { old in
            let s = old.configuration.schema
            try await old.upsertSummaries(
                [
                    Spans.summary("older", .completed, startedMs: 1, lastMs: 2, types: ["OrderPlaced", "OrderShipped"], services: ["orders"]),
                    Spans.summary("newer", .stuck, startedMs: 3, lastMs: 4, types: ["OrderPlaced"], services: ["orders", "payments"]),
                ], clearing: [])
            // Take the schema back to version 4, its type and service rows written as that version did.
            for statement in Self.typeAndServiceRows(s) + [
                "INSERT INTO \(s).flow_types SELECT correlation_id, unnest(types), last_activity_ns FROM \(s).flow_summaries",
                "INSERT INTO \(s).flow_services SELECT correlation_id, unnest(services), last_activity_ns FROM \(s).flow_summaries",
                "UPDATE \(s).store_meta SET value = 4 WHERE key = 'schema_version'",
            ] {
                try await old.query(PostgresQuery(unsafeSQL: statement))
            }
            try await PostgresSpanStore.withStore(configuration: old.configuration) { new in
                #expect(try await new.flowSummaries(FlowQuery(types: ["OrderPlaced"])).map(\.correlationID) == ["newer", "older"])
                #expect(try await new.flowSummaries(FlowQuery(types: ["OrderShipped"])).map(\.correlationID) == ["older"])
                #expect(try await new.flowSummaries(FlowQuery(services: ["payments"])).map(\.correlationID) == ["newer"])
                let tables = try await new.query(
                    PostgresQuery(
                        unsafeSQL: "SELECT count(*) FROM pg_tables WHERE schemaname = '\(s)' AND tablename IN ('flow_types', 'flow_services')"))
                #expect(try tables.first?.decode(Int64.self) == 0, "the row tables are gone")
                let version = try await new.query(PostgresQuery(unsafeSQL: "SELECT value FROM \(s).store_meta WHERE key = 'schema_version'"))
                #expect(try version.first?.decode(Int64.self) == Int64(PostgresSchema.currentVersion))
            }
        }
    }

    /// The type and service tables of schema versions 1 to 4 (migration 5 replaced them with GIN
    /// indexes on the summaries' arrays), in place of those indexes.
    static func typeAndServiceRows(_ s: String) -> [String] {
        [
            "DROP INDEX \(s).flow_summaries_by_type", "DROP INDEX \(s).flow_summaries_by_service",
            """
            CREATE TABLE \(s).flow_types (correlation_id text COLLATE "C" NOT NULL, type text NOT NULL,
                last_activity_ns bigint NOT NULL, PRIMARY KEY (correlation_id, type))
            """,
            "CREATE INDEX flow_types_by_activity ON \(s).flow_types (type, last_activity_ns DESC, correlation_id)",
            """
            CREATE TABLE \(s).flow_services (correlation_id text COLLATE "C" NOT NULL, service text NOT NULL,
                last_activity_ns bigint NOT NULL, PRIMARY KEY (correlation_id, service))
            """,
            "CREATE INDEX flow_services_by_activity ON \(s).flow_services (service, last_activity_ns DESC, correlation_id)",
        ]
    }

    @Test(
        "two FlowIndexers on one database, one holding its first claim while the other claims: every flow indexed exactly once, as one indexer indexes it"
    )
    func twoIndexers() async throws {
        let t0: UInt64 = 1_800_000_000_000_000_000
        let flows = 1_200  // more than an indexer claims at once (500), so both get work
        let spans = (0..<flows).flatMap { OrderSpans.order($0, at: t0 + UInt64($0) * 1_000, complete: $0 % 3 != 0) }
        let lastActivity = t0 + UInt64(flows) * 1_000 + 1_000_000
        let clock = Mutex(lastActivity + Self.second)  // in-flight flows stay in flight under any limit (floor 2 s)
        let now: @Sendable () -> UInt64 = { clock.withLock { $0 } }
        let options = FlowOptions(terminalTypes: ["OrderCompleted"])

        try await withPostgresStore { shared in
            try await PostgresSpanStore.withStore(configuration: shared.configuration) { other in
                try await withPostgresStore { alone in
                    for chunk in stride(from: 0, to: spans.count, by: 500) {
                        let batch = Array(spans[chunk..<min(chunk + 500, spans.count)])
                        try await shared.append(batch)
                        try await alone.append(batch)
                    }
                    let firstClaimed = Latch()
                    let secondClaimed = Latch()
                    let a = CountingStore(shared, afterClaim: { if !$0.isEmpty { firstClaimed.open() } }, beforeWrite: { try await secondClaimed.wait() })
                    let b = CountingStore(other, afterClaim: { if !$0.isEmpty { secondClaimed.open() } })
                    let single = CountingStore(alone)
                    func indexer(_ store: CountingStore) -> FlowIndexer<ContinuousClock> {
                        FlowIndexer(store: store, options: options, clock: ContinuousClock(), interval: .seconds(1), now: now, logger: Logger(label: "test"))
                    }
                    let (first, second, reference) = (indexer(a), indexer(b), indexer(single))

                    // A claims its first batch and holds it (its write waits) until B has claimed.
                    let running = Task { try await first.catchUp() }
                    try await firstClaimed.wait()
                    try await second.catchUp()
                    try await running.value
                    try await first.catchUp()
                    try await second.catchUp()
                    try await reference.catchUp()

                    let ids = Set((0..<flows).map { OrderSpans.id($0) })
                    let writes = a.writes.merging(b.writes, uniquingKeysWith: +)
                    #expect(Set(writes.keys) == ids, "every flow indexed")
                    #expect(writes.values.allSatisfy { $0 == 1 }, "no flow indexed twice: \(writes.filter { $0.value != 1 }.prefix(5))")
                    #expect(a.total >= 500 && b.total >= 1, "both indexed (\(a.total) and \(b.total))")
                    #expect(try await shared.dirtyFlows(limit: 10).isEmpty)
                    let inFlight = Set((0..<flows).filter { $0 % 3 == 0 }.map { OrderSpans.id($0) })
                    #expect(try await shared.flowCounts(FlowQuery()) == [.completed: flows - inFlight.count, .inFlight: inFlight.count])
                    try await expectSameIndex(shared, alone)

                    // Time passes: every in-flight flow falls due; both indexers re-judge them at once, each flow once.
                    clock.withLock { $0 = lastActivity + 10 * 60 * Self.second }
                    a.reset()
                    b.reset()
                    async let x = first.catchUp()
                    async let y = second.catchUp()
                    _ = try await (x, y)
                    try await reference.catchUp()
                    let rejudged = a.writes.merging(b.writes, uniquingKeysWith: +)
                    #expect(Set(rejudged.keys) == inFlight)
                    #expect(rejudged.values.allSatisfy { $0 == 1 })
                    #expect(try await shared.flowCounts(FlowQuery()) == [.completed: flows - inFlight.count, .stuck: inFlight.count])
                    try await expectSameIndex(shared, alone)
                }
            }
        }
    }

    /// The summaries and trails of two stores are the same.
    func expectSameIndex(_ one: PostgresSpanStore, _ other: PostgresSpanStore) async throws {
        let all = FlowQuery(limit: 100_000)
        let summaries = try await one.flowSummaries(all)
        #expect(!summaries.isEmpty)
        #expect(summaries == (try await other.flowSummaries(all)))
        #expect(try await one.flowTrails(all) == (try await other.flowTrails(all)))
    }
}

/// Spans of small orders: a complete one placed and completed, each message handled; another
/// placed only, its message not yet handled (in flight, stuck once quiet for long enough).
enum OrderSpans {
    static func id(_ n: Int) -> String { "order-\(n)" }

    static func order(_ n: Int, at: UInt64, complete: Bool) -> [SpanRecord] {
        let trace = TraceID(high: 0x0DE5, low: UInt64(n))
        var spans = step(trace: trace, span: 1, message: "\(id(n))-m1", type: "OrderPlaced", correlation: id(n), from: "checkout", to: "order", at: at)
        if !complete { return [spans[0]] }
        spans += step(
            trace: trace, span: 3, message: "\(id(n))-m2", type: "OrderCompleted", correlation: id(n), from: "order", to: "notification",
            at: at + 500, causation: "\(id(n))-m1")
        return spans
    }

    /// A producer span and the consumer span that handled its message 100 µs later.
    static func step(
        trace: TraceID, span: UInt64, message: String, type: String, correlation: String, from: String, to: String, at: UInt64,
        causation: String? = nil
    ) -> [SpanRecord] {
        var attributes: [String: AttributeValue] = [
            MessagingKey.operationType: .string(MessagingOperation.send),
            MessagingKey.messageID: .string(message),
            MessagingKey.conversationID: .string(correlation),
            MessagingKey.destinationName: .string(type),
            ChoreoKey.eventType: .string(type),
        ]
        if let causation { attributes[ChoreoKey.causationID] = .string(causation) }
        let producer = SpanRecord(
            traceID: trace, spanID: SpanID(span), name: "send \(type)", kind: .producer, startTimeUnixNano: at, endTimeUnixNano: at + 50,
            attributes: attributes, serviceName: from)
        let consumer = SpanRecord(
            traceID: trace, spanID: SpanID(span + 1), parentSpanID: SpanID(span), name: "process \(type)", kind: .consumer,
            startTimeUnixNano: at + 100, endTimeUnixNano: at + 200,
            attributes: [
                MessagingKey.operationType: .string(MessagingOperation.process),
                MessagingKey.messageID: .string(message),
                MessagingKey.conversationID: .string(correlation),
                MessagingKey.consumerGroup: .string(to),
                ChoreoKey.eventType: .string(type),
                ChoreoKey.deliveryAttempt: .int(1),
                ChoreoKey.deliveryOutcome: .string(DeliveryOutcome.handled.rawValue),
            ],
            links: [SpanLink(traceID: trace, spanID: SpanID(span))], serviceName: to)
        return [producer, consumer]
    }
}

/// Opens once; every waiter, before or after, goes on. A wait fails after 20 s of real time
/// without the latch opening (a bound, so a broken claim fails the test instead of hanging it).
final class Latch: Sendable {
    struct NeverOpened: Error {}
    private let state = Mutex<(open: Bool, expired: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, false, []))

    func open() { release(expired: false) }

    private func release(expired: Bool) {
        let waiting = state.withLock { state in
            if !state.open { state.expired = expired }
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiting { waiter.resume() }
    }

    func wait() async throws {
        let timer = Task {
            try await Task.sleep(for: .seconds(20))
            self.release(expired: true)
        }
        defer { timer.cancel() }
        await opened()
        if state.withLock({ $0.expired }) { throw NeverOpened() }
    }

    private func opened() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let go = state.withLock { state in
                if !state.open { state.waiters.append(continuation) }
                return state.open
            }
            if go { continuation.resume() }
        }
    }
}

/// A store that counts the index entries written through it per flow, with hooks after each
/// claim and before each index write.
final class CountingStore: SpanStore {
    let base: any SpanStore
    private let afterClaim: @Sendable ([DirtyFlow]) async -> Void
    private let beforeWrite: @Sendable () async throws -> Void
    private let counts = Mutex<[String: Int]>([:])

    init(
        _ base: any SpanStore, afterClaim: @escaping @Sendable ([DirtyFlow]) async -> Void = { _ in },
        beforeWrite: @escaping @Sendable () async throws -> Void = {}
    ) {
        self.base = base
        self.afterClaim = afterClaim
        self.beforeWrite = beforeWrite
    }

    /// Entries written per correlation id since the last ``reset()``.
    var writes: [String: Int] { counts.withLock { $0 } }
    var total: Int { writes.values.reduce(0, +) }
    func reset() { counts.withLock { $0 = [:] } }

    private func count(_ ids: [String]) {
        counts.withLock { counts in for id in ids { counts[id, default: 0] += 1 } }
    }

    func claimDirtyFlows(at unixNano: UInt64, limit: Int, lease: Duration) async throws -> [DirtyFlow] {
        let marks = try await base.claimDirtyFlows(at: unixNano, limit: limit, lease: lease)
        await afterClaim(marks)
        return marks
    }
    func claimDueFlows(at unixNano: UInt64, limit: Int, lease: Duration) async throws -> [DirtyFlow] {
        let marks = try await base.claimDueFlows(at: unixNano, limit: limit, lease: lease)
        await afterClaim(marks)
        return marks
    }
    func releaseClaims(_ marks: [DirtyFlow]) async throws { try await base.releaseClaims(marks) }
    func upsertFlows(_ flows: [IndexedFlow], clearing: [DirtyFlow]) async throws {
        try await beforeWrite()
        try await base.upsertFlows(flows, clearing: clearing)
        count(flows.map(\.summary.correlationID))
    }
    func upsertSummaries(_ summaries: [FlowSummary], clearing: [DirtyFlow]) async throws {
        try await beforeWrite()
        try await base.upsertSummaries(summaries, clearing: clearing)
        count(summaries.map(\.correlationID))
    }

    func append(_ spans: [SpanRecord]) async throws { try await base.append(spans) }
    func spans(traceID: TraceID) async throws -> [SpanRecord] { try await base.spans(traceID: traceID) }
    func spans(correlationID: String) async throws -> [SpanRecord] { try await base.spans(correlationID: correlationID) }
    func spans(correlationIDs: [String]) async throws -> [String: [SpanRecord]] { try await base.spans(correlationIDs: correlationIDs) }
    func spanCount() async throws -> Int { try await base.spanCount() }
    func traceSummaries(_ query: TraceQuery) async throws -> [TraceSummary] { try await base.traceSummaries(query) }
    func dirtyFlows(limit: Int) async throws -> [DirtyFlow] { try await base.dirtyFlows(limit: limit) }
    func dueFlows(at unixNano: UInt64, limit: Int) async throws -> [String] { try await base.dueFlows(at: unixNano, limit: limit) }
    func flowSummary(correlationID: String) async throws -> FlowSummary? { try await base.flowSummary(correlationID: correlationID) }
    func flowSummaries(_ query: FlowQuery) async throws -> [FlowSummary] { try await base.flowSummaries(query) }
    func flowTrails(_ query: FlowQuery) async throws -> [FlowTrail] { try await base.flowTrails(query) }
    func flowCounts(_ query: FlowQuery) async throws -> [FlowStatus: Int] { try await base.flowCounts(query) }
    func judging() async throws -> [UInt8]? { try await base.judging() }
    func sampledOutFlows(_ correlationIDs: [String]) async throws -> [String: SampledOutFlow] {
        try await base.sampledOutFlows(correlationIDs)
    }
    func saveJudging(_ settings: [UInt8]) async throws { try await base.saveJudging(settings) }
}

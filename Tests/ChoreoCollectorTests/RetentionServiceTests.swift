import ChoreoCollector
import ChoreoModel
import ChoreoStore
import ChoreoTestSupport
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@Suite("Retention service")
struct RetentionServiceTests {
    static let hour: UInt64 = 3_600_000_000_000

    @Test("sweeps at start and every interval, in chunks, deleting only what is older than the window")
    func sweeps() async throws {
        let store = FakeRetentionStore()
        let wall = WallClock(start: 100 * Self.hour)
        let clock = TestClock(.manual)
        let metrics = CollectorMetrics()
        // 12 spans 30 h old, 3 spans 10 h old; window 24 h, chunks of 5.
        await store.add(startTimes: Array(repeating: 70 * Self.hour, count: 12) + Array(repeating: 90 * Self.hour, count: 3))
        let service = RetentionService(
            store: store, window: .seconds(24 * 3600), interval: .seconds(300), chunkSpans: 5, clock: clock,
            now: { wall.now }, logger: Logger(label: "test"), metrics: metrics.factory
        )
        let group = ServiceGroup(services: [service], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await clock.waitForSleeps(1)  // first sweep done, waiting for the interval
            #expect(await store.calls == [5, 5, 2], "chunks of at most 5 until one comes back short")
            #expect(await store.remaining == 3)
            #expect(await store.cutoffs.allSatisfy { $0 == 76 * Self.hour })
            #expect(clock.sleeps == [.seconds(300)])

            wall.advance(by: 15 * Self.hour)  // the 10 h old spans are now 25 h old
            clock.advance(by: .seconds(300))
            await clock.waitForSleeps(2)
            #expect(await store.remaining == 0)
            #expect(service.stats.deletedSpans == 15)
            let exposition = Exposition(String(decoding: metrics.registry.emitToBuffer(), as: UTF8.self))
            #expect(exposition[CollectorMetrics.Name.retentionDeletedSpans] == 15)

            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test("a failing sweep is logged and retried at the next interval")
    func retriesAfterFailure() async throws {
        let store = FakeRetentionStore()
        await store.failNext()
        await store.add(startTimes: [1])
        let clock = TestClock(.manual)
        let service = RetentionService(
            store: store, window: .seconds(60), interval: .seconds(10), clock: clock, now: { 10 * Self.hour }, logger: Logger(label: "test")
        )
        let group = ServiceGroup(services: [service], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await clock.waitForSleeps(1)
            #expect(await store.remaining == 1, "the first sweep failed")
            clock.advance(by: .seconds(10))
            await clock.waitForSleeps(2)
            #expect(await store.remaining == 0)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test("the cutoff is now minus the window, never below zero")
    func cutoff() {
        let make = { (now: UInt64, window: Duration) in
            RetentionService(
                store: FakeRetentionStore(), window: window, interval: .seconds(1), clock: TestClock(.manual), now: { now }, logger: Logger(label: "t"))
        }
        #expect(make(10 * Self.hour, .seconds(3600)).cutoffUnixNano == 9 * Self.hour)
        #expect(make(10 * Self.hour, .milliseconds(1500)).cutoffUnixNano == 10 * Self.hour - 1_500_000_000)
        #expect(make(Self.hour, .seconds(7200)).cutoffUnixNano == 0)
    }

    @Test(
        "--retention values",
        arguments: [
            ("7d", RetentionDuration.Value.window(.seconds(7 * 86_400))), ("12h", .window(.seconds(43_200))), ("30m", .window(.seconds(1800))),
            ("45s", .window(.seconds(45))), ("2w", .window(.seconds(1_209_600))), ("forever", .forever), (" 7D ", .window(.seconds(604_800))),
            ("1.5h", .window(.seconds(5_400))), ("1d12h", .window(.seconds(129_600))),
        ])
    func parses(text: String, value: RetentionDuration.Value) {
        #expect(RetentionDuration.parse(text) == value)
    }

    @Test("bad --retention values are refused", arguments: ["", "7", "d", "0d", "0h0m", "-1d", "7 days", "1y", "99999999999w"])
    func refuses(text: String) {
        #expect(RetentionDuration.parse(text) == nil)
    }

    @Test("a configured collector on SQLite runs retention; without --retention it keeps everything")
    func wiring() throws {
        let path = try Fixtures.temporaryPath("retention.sqlite")
        let store = try SQLiteSpanStore(path: path)
        var configuration = CollectorConfiguration(databasePath: path)
        #expect(CollectorApp(configuration: configuration, store: store, logger: Logger(label: "t")).retention == nil)
        configuration.retention = .seconds(7 * 86_400)
        let app = CollectorApp(configuration: configuration, store: store, logger: Logger(label: "t"))
        #expect(app.retention?.window == .seconds(7 * 86_400))
        #expect(app.retention?.chunkSpans == 5000)
        #expect(
            CollectorApp(configuration: configuration, store: InMemorySpanStore(), logger: Logger(label: "t")).retention != nil,
            "the in-memory store deletes too")
    }
}

/// Span start times in memory, deleted the way ``SpanRetention`` says; records every call.
actor FakeRetentionStore: SpanRetention {
    private var startTimes: [UInt64] = []
    private(set) var calls: [Int] = []
    private(set) var cutoffs: [UInt64] = []
    private var failing = false
    var remaining: Int { startTimes.count }

    func add(startTimes: [UInt64]) { self.startTimes += startTimes }
    func failNext() { failing = true }

    func deleteSpans(startedBefore cutoffUnixNano: UInt64, limit: Int) async throws -> RetentionChunk {
        if failing {
            failing = false
            throw StoreError(.sqlite, "disk I/O error")
        }
        cutoffs.append(cutoffUnixNano)
        var deleted = 0
        startTimes.sort()
        while deleted < limit, let first = startTimes.first, first < cutoffUnixNano {
            startTimes.removeFirst()
            deleted += 1
        }
        calls.append(deleted)
        return RetentionChunk(deletedSpans: deleted)
    }
}

/// Wall time (Unix nanoseconds) that moves only when the test says.
final class WallClock: Sendable {
    private let value: Mutex<UInt64>
    init(start: UInt64) { value = Mutex(start) }
    var now: UInt64 { value.withLock { $0 } }
    func advance(by nanos: UInt64) { value.withLock { $0 += nanos } }
}

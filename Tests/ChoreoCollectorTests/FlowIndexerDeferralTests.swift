import ChoreoCollector
import ChoreoFlows
import ChoreoTestSupport
import Logging
import Synchronization
import Testing

/// Ingest comes first: while it is busy, the indexer's periodic pass waits, for its longest
/// deferral at most since the last pass began.
@Suite("Flow indexer: deferral while ingest is busy", .timeLimit(.minutes(1)))
struct FlowIndexerDeferralTests {
    @Test("busy ingest: a pass every maxDeferral (2 s), not every interval (250 ms); idle again: a pass every interval")
    func passesWaitForBusyIngest() async throws {
        let clock = TestClock(.jumping)
        let busy = Atomic(true)
        let (passes, recorder) = AsyncStream.makeStream(of: Duration.self)
        // Claiming dirty flows is the first store call of every pass.
        let store = InterceptingStore(before: { call in
            if call == .dirtyFlows { recorder.yield(clock.now.offset) }
        })
        let indexer = FlowIndexer(
            store: store, options: FlowOptions(), clock: clock, interval: .milliseconds(250), logger: Logger(label: "test"),
            ingestBusy: {
                // A bound, so a deferral that never ends fails the test instead of hanging it.
                if clock.now.offset > .seconds(60) { recorder.finish() }
                return busy.load(ordering: .relaxed)
            },
            maxDeferral: .seconds(2))
        let running = Task { try await indexer.run() }
        var times: [Duration] = []
        for await time in passes {
            times.append(time)
            if times.count == 3 { busy.store(false, ordering: .relaxed) }
            if times.count == 6 { break }
        }
        running.cancel()
        _ = await running.result
        #expect(times == [.seconds(2), .seconds(4), .seconds(6), .milliseconds(6250), .milliseconds(6500), .milliseconds(6750)])
    }

    @Test("an idle ingest never holds a pass back")
    func idleIngestPassesEveryInterval() async throws {
        let clock = TestClock(.jumping)
        let (passes, recorder) = AsyncStream.makeStream(of: Duration.self)
        let store = InterceptingStore(before: { call in
            if call == .dirtyFlows { recorder.yield(clock.now.offset) }
        })
        let indexer = FlowIndexer(
            store: store, options: FlowOptions(), clock: clock, interval: .milliseconds(250), logger: Logger(label: "test"),
            ingestBusy: { false }, maxDeferral: .seconds(2))
        let running = Task { try await indexer.run() }
        var times: [Duration] = []
        for await time in passes {
            times.append(time)
            if times.count == 3 { break }
        }
        running.cancel()
        _ = await running.result
        #expect(times == [.milliseconds(250), .milliseconds(500), .milliseconds(750)])
    }
}

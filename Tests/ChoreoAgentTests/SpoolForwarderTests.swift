import ChoreoTestSupport
import ChoreoAgent
import ChoreoModel
import ChoreoOTLP
import Foundation
import Logging
import ServiceLifecycle
import Testing
@testable import ChoreoAgent

@Suite("Agent forwarder with the disk spool")
struct SpoolForwarderTests {
    func configuration(batch: Int = 10) -> AgentConfiguration {
        var c = AgentConfiguration()
        c.batchMaxSpans = batch
        c.batchMaxDelay = .milliseconds(200)
        c.initialBackoff = .milliseconds(100)
        c.maxBackoff = .seconds(1)
        c.shutdownGrace = .seconds(2)
        return c
    }

    @Test("the next hop fails three times then accepts: every batch arrives once, in order, and the cursor follows")
    func retriesKeepOrder() async throws {
        let dir = try SpoolDirectory()
        let spool = try dir.open()
        for i in 0..<3 { try spool.append(try SpoolDirectory.request(10, from: i * 10), spanCount: 10) }
        let clock = TestClock(.manual)
        let sender = FakeSender(script: [
            .retryable(reason: "connection refused", retryAfter: nil),
            .retryable(reason: "HTTP 503", retryAfter: .seconds(2)),
            .retryable(reason: "HTTP 502", retryAfter: nil),
        ])
        let forwarder = Forwarder(spool: spool, sender: sender, configuration: configuration(), clock: clock, logger: Logger(label: "t"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await forwarder.run() }
            for _ in 0..<3 {
                await clock.waitForSleepers()
                clock.advance(by: .seconds(2))
            }
            while sender.accepted.count < 3 { await Task.yield() }
            group.cancelAll()
        }
        #expect(sender.accepted.flatMap { $0 }.map(\.name) == SpoolDirectory.names(0..<30))
        #expect(sender.attempts == 6)
        #expect(forwarder.stats.sentSpans == 30 && forwarder.stats.retries == 3)
        #expect(forwarder.stats.droppedShutdown == 0, "cancellation leaves nothing to drop: the spool keeps it")
        #expect(spool.pendingSpans == 0)
        let cursor = try #require(SpoolCursor.load(dir.path))
        #expect(cursor.offset == spool.bytes, "the cursor sits after the last accepted record")
    }

    @Test("a batch refused for good moves the cursor on (counted as rejected); nothing is resent")
    func permanentMovesOn() async throws {
        let dir = try SpoolDirectory()
        let spool = try dir.open()
        for i in 0..<2 { try spool.append(try SpoolDirectory.request(10, from: i * 10), spanCount: 10) }
        let sender = FakeSender(script: [.permanent(reason: "HTTP 400")])
        let forwarder = Forwarder(spool: spool, sender: sender, configuration: configuration(), clock: TestClock(.manual), logger: Logger(label: "t"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await forwarder.run() }
            while sender.accepted.count < 1 { await Task.yield() }
            group.cancelAll()
        }
        #expect(sender.accepted.flatMap { $0 }.map(\.name) == SpoolDirectory.names(10..<20))
        #expect(forwarder.stats.droppedRejected == 10)
        #expect(SpoolCursor.load(dir.path)?.offset == spool.bytes)
    }

    @Test("spans the forwarder read but the next hop never accepted are replayed after a crash")
    func replayAfterCrash() async throws {
        let dir = try SpoolDirectory()
        do {
            let spool = try dir.open()
            for i in 0..<3 { try spool.append(try SpoolDirectory.request(10, from: i * 10), spanCount: 10) }
            let clock = TestClock(.manual)
            let sender = FakeSender(script: [.accepted] + Array(repeating: .retryable(reason: "connection refused", retryAfter: nil), count: 10))
            let forwarder = Forwarder(spool: spool, sender: sender, configuration: configuration(), clock: clock, logger: Logger(label: "t"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await forwarder.run() }
                await clock.waitForSleepers()  // the second batch is backing off: it was read, not accepted
                #expect(sender.accepted.count == 1)
                group.cancelAll()
            }
        }
        let reopened = try dir.open()
        #expect(try SpoolDirectory.drain(reopened) == SpoolDirectory.names(10..<30))
    }

    @Test("graceful shutdown with the next hop down leaves the spans in the spool, not counted as dropped")
    func shutdownLeavesSpool() async throws {
        let dir = try SpoolDirectory()
        do {
            let spool = try dir.open()
            for i in 0..<3 { try spool.append(try SpoolDirectory.request(10, from: i * 10), spanCount: 10) }
            let clock = TestClock(.manual)
            let sender = FakeSender(script: Array(repeating: .retryable(reason: "connection refused", retryAfter: nil), count: 100))
            let forwarder = Forwarder(spool: spool, sender: sender, configuration: configuration(), clock: clock, logger: Logger(label: "t"))
            let group = ServiceGroup(services: [forwarder], logger: Logger(label: "t"))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                await clock.waitForSleepers()  // backing off on the first batch
                await group.triggerGracefulShutdown()
                while !forwarder.isShuttingDown { await Task.yield() }
                clock.advance(by: .seconds(3))  // the retry sets the 2 s shutdown deadline
                await clock.waitForSleepers()
                clock.advance(by: .seconds(3))  // past it: the next failure stops forwarding
                try await tasks.waitForAll()
            }
            #expect(forwarder.stats.droppedShutdown == 0)
            #expect(forwarder.stats.sentSpans == 0)
        }
        let reopened = try dir.open()
        #expect(try SpoolDirectory.drain(reopened) == SpoolDirectory.names(0..<30), "everything is still there for the next start")
    }
}

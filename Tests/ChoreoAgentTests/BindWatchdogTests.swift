import ChoreoAgent
import ChoreoTestSupport
import Foundation
@testable import ChoreoServer
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@Suite("Bind watchdog")
struct BindWatchdogTests {
    @Test("a server not listening when the bind time limit passes fails start-up")
    func timesOut() async throws {
        let clock = TestClock(.manual)
        let timeouts = Calls()
        var watchdog = BindWatchdog(signal: ListenSignal(), limit: .seconds(30), clock: clock)
        watchdog.onTimeout = { _ in timeouts.record(nil) }
        try await withThrowingTaskGroup(of: Void.self) { [watchdog] tasks in
            tasks.addTask { try await watchdog.run() }
            await clock.waitForSleepers()
            clock.advance(by: .seconds(29))
            #expect(clock.sleeperCount == 1, "still waiting before the limit")
            #expect(timeouts.ports.isEmpty)
            clock.advance(by: .seconds(1))
            await #expect(throws: BindWatchdog<TestClock>.Timeout.self) { try await tasks.next() }
        }
        #expect(timeouts.ports.count == 1, "the daemon's exit hook ran once")
    }

    @Test("once the server listens the watchdog waits for shutdown and never fails, whatever the clock does")
    func listensInTime() async throws {
        let clock = TestClock(.manual)
        let signal = ListenSignal()
        let watchdog = BindWatchdog(signal: signal, limit: .seconds(30), clock: clock)
        let group = ServiceGroup(services: [watchdog], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await clock.waitForSleepers()
            signal.fire(port: 4320)
            clock.advance(by: .seconds(60))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(signal.port == 4320)
    }

    @Test("the listening callback runs once, after the signal fires, with the bound port")
    func callbackOnce() async {
        let calls = Calls()
        let signal = ListenSignal { port in calls.record(port) }
        #expect(calls.ports.isEmpty)
        signal.fire(port: 1234)
        signal.fire(port: 5678)
        await signal.wait()
        #expect(calls.ports == [1234])
    }
}

final class Calls: Sendable {
    private let recorded = Mutex<[Int?]>([])
    func record(_ port: Int?) { recorded.withLock { $0.append(port) } }
    var ports: [Int?] { recorded.withLock { $0 } }
}

@Suite("Agent connection limits", .timeLimit(.minutes(1)))
struct AgentConnectionLimitsTests {
    @Test("the agent's receiver closes a connection that sends nothing after the idle timeout")
    func idleConnectionClosed() async throws {
        var configuration = AgentConfiguration()
        configuration.port = 0
        let agent = AgentApp(configuration: configuration, sender: FakeSender(), clock: ContinuousClock(), logger: Logger(label: "t"))
        let listening = ListenSignal()
        let application = agent.makeApplication(
            limits: HTTPServerLimits(idleTimeout: .milliseconds(300)), onServerRunning: listening.serverRunning
        )
        let group = ServiceGroup(services: [application], logger: Logger(label: "t"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await listening.wait()
            let port = try #require(listening.port)
            let closed = await Self.closedByServer(port: port, within: .seconds(20))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            #expect(closed, "the idle connection was closed by the agent")
        }
    }

    /// Connects, sends nothing, and says whether the server closed the connection in time.
    static func closedByServer(port: Int, within limit: Duration) async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                defer { close(fd) }
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                address.sin_port = UInt16(port).bigEndian
                let connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
                }
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                var byte: UInt8 = 0
                let closed = connected && poll(&poller, 1, Int32(limit.components.seconds * 1000)) > 0 && recv(fd, &byte, 1, 0) <= 0
                continuation.resume(returning: closed)
            }
        }
    }
}

import ChoreoInstrumentation
import ChoreoRabbitMQBus
import Foundation
import Synchronization
import Testing

/// Start-up without a broker: a clear error in time, and cancellation is honoured at once.
@Suite("RabbitMQ bus: start-up without a broker", .timeLimit(.minutes(1)))
struct StartupTests {
    /// A loopback port nothing listens on (bound, then closed).
    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                guard bind(fd, raw, length) == 0, getsockname(fd, raw, &length) == 0 else { throw BusError(.unavailable, "bind failed") }
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func configuration() throws -> RabbitMQBus.Configuration {
        var configuration = try RabbitMQBus.Configuration(url: "amqp://127.0.0.1:\(try closedPort())/")
        configuration.publishTimeout = .seconds(2)
        configuration.reconnectDelay = .milliseconds(50)
        configuration.maxReconnectDelay = .milliseconds(200)
        return configuration
    }

    @Test("run() without a reachable broker throws unavailable, naming where it looked, after publishTimeout")
    func unreachable() async throws {
        let configuration = try Self.configuration()
        let bus = try RabbitMQBus(configuration: configuration)
        let error = await #expect(throws: BusError.self) { try await bus.run() }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("127.0.0.1:\(configuration.endpoint.port)") == true)
        await #expect(throws: BusError(.notRunning, "the RabbitMQ bus is not running; run() ended")) {
            try await bus.publish(Message(topic: "t"))
        }
    }

    @Test("cancelling run() while it waits for the broker ends it at once, not after publishTimeout")
    func cancelled() async throws {
        var configuration = try Self.configuration()
        configuration.publishTimeout = .seconds(600)
        let bus = try RabbitMQBus(configuration: configuration)
        let task = Task { try await bus.run() }
        try await Task.sleep(for: .milliseconds(200))
        let ended = Atomic(false)
        let watcher = Task {
            _ = await task.result
            ended.store(true, ordering: .relaxed)
        }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        task.cancel()
        // Polls instead of awaiting the run task, so that a run() that ignores cancellation fails
        // this test instead of hanging it.
        while !ended.load(ordering: .relaxed), clock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let stopped = ended.load(ordering: .relaxed)
        #expect(stopped, "run() still running 30 s after cancellation")
        watcher.cancel()
    }
}

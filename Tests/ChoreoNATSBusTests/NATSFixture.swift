import ChoreoBusConformance
import ChoreoInstrumentation
import ChoreoNATSBus
import Foundation
import Synchronization
import Testing

/// The test server: `CHOREO_TEST_NATS_URL`, set by `eval "$(scripts/nats-test-server.sh start)"`.
enum TestServer {
    static let url = ProcessInfo.processInfo.environment["CHOREO_TEST_NATS_URL"].flatMap { $0.isEmpty ? nil : $0 }

    /// Why the NATS tests are skipped, shown in the test log.
    static let skipReason: Comment = """
        skipped: CHOREO_TEST_NATS_URL is not set; start a throwaway server with \
        `eval "$(scripts/nats-test-server.sh start)"` (scripts/test.sh does when nats-server is installed) to run the NATS bus tests
        """

    /// A fresh system name, so tests never share streams.
    static func freshSystem(_ prefix: String) -> String {
        "\(prefix)_\(UInt32.random(in: 0...UInt32.max))"
    }

    /// A configuration for `system` on the test server with fast retries and a short `ack_wait`.
    static func configuration(system: String, name: String = "choreo-test") throws -> NATSBus.Configuration {
        var configuration = try NATSBus.Configuration(url: try #require(url))
        configuration.system = system
        configuration.maxAttempts = 4
        configuration.initialBackoff = .milliseconds(1)
        configuration.maxBackoff = .milliseconds(8)
        // Short, so a crashed delivery comes back quickly, but not so short that a handler and
        // its settlement on a loaded 2-core machine outlast it (JetStream would then hand the
        // same attempt out twice: a redelivery the tests would count as a bus fault).
        configuration.ackWait = .seconds(3)
        configuration.connectionName = name
        return configuration
    }
}

/// One system (stream) on the test server; every bus instance made is a separate "process"
/// with its own connection.
///
/// Crash: the instance closes its connection while its handler runs, as the kernel does when
/// the process dies. What the crash check proves for this bus: the unacknowledged delivery is
/// handed out again by JetStream after `ack_wait` (3 s here) to another process of the group,
/// with attempt 1 although JetStream's delivery count is 2 (only recorded failures count),
/// and the dead handler's late failure reaches nothing.
final class NATSFixture: BusFixture {
    let system = TestServer.freshSystem("conformance")
    private let instances = Mutex(0)

    var maxAttempts: Int { 4 }

    func makeBus() async throws -> NATSBus {
        let n = instances.withLock { n in
            n += 1
            return n
        }
        return try NATSBus(configuration: try TestServer.configuration(system: system, name: "\(system)-\(n)"))
    }

    func run(_ bus: NATSBus) async throws { try await bus.run() }

    func deadLetters(_ bus: NATSBus) async throws -> [DeadLetter] { try await bus.deadLetters() }

    func pending(_ bus: NATSBus) async throws -> Int { try await bus.pendingDeliveries() }

    func crash(_ bus: NATSBus) async throws { try await bus.closeConnectionAbruptly() }
}

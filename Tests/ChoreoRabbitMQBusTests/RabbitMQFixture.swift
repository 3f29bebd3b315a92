import ChoreoBusConformance
import ChoreoInstrumentation
import ChoreoRabbitMQBus
import Foundation
import Testing

/// The test broker: `CHOREO_TEST_AMQP_URL`, set by `eval "$(scripts/rabbitmq-test-server.sh start)"`.
enum TestBroker {
    static let url = ProcessInfo.processInfo.environment["CHOREO_TEST_AMQP_URL"].flatMap { $0.isEmpty ? nil : $0 }

    /// Why the RabbitMQ tests are skipped, shown in the test log.
    static let skipReason: Comment = """
        skipped: CHOREO_TEST_AMQP_URL is not set; start a throwaway broker with \
        `eval "$(scripts/rabbitmq-test-server.sh start)"` (scripts/test.sh does when rabbitmq-server is installed) \
        to run the RabbitMQ bus tests
        """

    /// A fresh prefix, so tests never share exchanges or queues.
    static func freshPrefix(_ name: String) -> String {
        "\(name)-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// A configuration with `prefix` on the test broker with fast retries.
    static func configuration(prefix: String) throws -> RabbitMQBus.Configuration {
        var configuration = try RabbitMQBus.Configuration(url: try #require(url))
        configuration.prefix = prefix
        configuration.maxAttempts = 4
        configuration.initialBackoff = .milliseconds(1)
        configuration.maxBackoff = .milliseconds(8)
        configuration.concurrencyPerSubscription = 4
        configuration.reconnectDelay = .milliseconds(50)
        configuration.maxReconnectDelay = .milliseconds(500)
        return configuration
    }
}

/// One prefix on the test broker; every bus instance made is a separate "process" on it.
///
/// Crash: the consumer connections of the instance are shut down while its handler runs, as
/// the kernel closes them when the process dies, and never reopened. What the crash check
/// proves for this bus: acknowledgement is manual and the attempt number is in the message, so
/// the broker hands the unacknowledged delivery, unchanged and still attempt 1, to the other
/// instance's consumer while the dead handler is still blocked, and that handler's late failure
/// changes nothing (its delivery's connection is gone, so it republishes and acks nothing).
final class RabbitMQFixture: BusFixture {
    let prefix = TestBroker.freshPrefix("conformance")

    var maxAttempts: Int { 4 }

    func makeBus() async throws -> RabbitMQBus {
        try RabbitMQBus(configuration: try TestBroker.configuration(prefix: prefix))
    }

    func run(_ bus: RabbitMQBus) async throws { try await bus.run() }

    func deadLetters(_ bus: RabbitMQBus) async throws -> [DeadLetter] { try await bus.deadLetters() }

    func pending(_ bus: RabbitMQBus) async throws -> Int { try await bus.pendingDeliveries() }

    func crash(_ bus: RabbitMQBus) async throws { bus.crashConsumers() }
}

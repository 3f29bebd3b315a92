import ChoreoInstrumentation
import ChoreoRabbitMQBus
import Testing

@Suite("RabbitMQ bus: configuration")
struct ConfigurationTests {
    @Test("an amqp URL gives host, port, user, password, vhost and prefix")
    func url() throws {
        let configuration = try RabbitMQBus.Configuration(url: "amqp://app:s%40cret@broker.local:5673/orders%2Fprod?prefix=shop")
        #expect(configuration.endpoint == .init(host: "broker.local", port: 5673, username: "app", password: "s@cret", virtualHost: "orders/prod"))
        #expect(configuration.prefix == "shop")
    }

    @Test("defaults: port 5672, guest, vhost /, prefix choreo")
    func defaults() throws {
        let configuration = try RabbitMQBus.Configuration(url: "amqp://127.0.0.1")
        #expect(configuration.endpoint == .init())
        #expect(configuration.prefix == "choreo")
        #expect(try RabbitMQBus.Configuration(url: "amqp://h/%2F").endpoint.virtualHost == "/")
    }

    @Test(
        "bad URLs and values are refused with a reason",
        arguments: [
            "amqps://h/", "http://h/", "amqp:///", "not a url", "amqp://h:0/", "amqp://h/?prefix=", "amqp://h/?prefix=a%20b",
        ])
    func refused(_ url: String) {
        #expect(throws: BusError.self) { try RabbitMQBus.Configuration(url: url) }
    }

    @Test("validation names the value out of range")
    func validation() {
        var configuration = RabbitMQBus.Configuration()
        configuration.maxAttempts = 0
        #expect(throws: BusError(.invalidConfiguration, "maxAttempts is 0; set it to 1 or more")) { try configuration.validate() }
        configuration = RabbitMQBus.Configuration(initialBackoff: .seconds(2), maxBackoff: .seconds(1))
        #expect(throws: BusError.self) { try configuration.validate() }
    }

    @Test("retry delays double from the initial backoff up to the maximum, in milliseconds")
    func backoff() {
        let configuration = RabbitMQBus.Configuration(initialBackoff: .milliseconds(100), maxBackoff: .seconds(1))
        #expect((1...6).map { configuration.backoffMilliseconds(afterAttempt: $0) } == [100, 200, 400, 800, 1_000, 1_000])
    }
}

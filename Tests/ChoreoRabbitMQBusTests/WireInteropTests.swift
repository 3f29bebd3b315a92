import ChoreoBusConformance
import ChoreoInstrumentation
import Foundation
import Testing

@testable import ChoreoRabbitMQBus

/// What another AMQP client (pika, amqplib, Spring AMQP) sees of the bus's messages, and what
/// the bus makes of theirs, checked on the wire with a plain rabbitmq-c connection that knows
/// nothing of the bus but the exchange name.
@Suite("RabbitMQ bus: messages on the wire", .serialized, .enabled(if: TestBroker.url != nil, TestBroker.skipReason), .timeLimit(.minutes(2)))
struct WireInteropTests {
    static let headers = [
        "id": "m-1", "type": "OrderPlaced", "source": "checkout", "correlationid": "order-7", "causationid": "m-0", "compensates": "m-x",
        "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "tracestate": "a=b", "baggage": "user=%C3%BC",
    ]

    /// A plain connection to the test broker (channel 1 open).
    static func plainConnection() throws -> AMQPConnection {
        let endpoint = try RabbitMQBus.Configuration(url: try #require(TestBroker.url)).endpoint
        let connection = try AMQPConnection(endpoint, heartbeat: 0, timeout: .seconds(10))
        try connection.openChannel(1)
        return connection
    }

    /// Runs a bus while `body` runs.
    static func withBus(prefix: String, _ body: (RabbitMQBus) async throws -> Void) async throws {
        let bus = try RabbitMQBus(configuration: try TestBroker.configuration(prefix: prefix))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await bus.run() }
            defer { group.cancelAll() }
            _ = try await bus.pendingDeliveries()  // connected, topology declared
            try await body(bus)
        }
    }

    @Test("a published message carries message_id, type, app_id, correlation_id, timestamp and the other headers as strings")
    func busToForeignClient() async throws {
        let prefix = TestBroker.freshPrefix("wire-out")
        try await Self.withBus(prefix: prefix) { bus in
            let reader = try Self.plainConnection()
            defer { reader.close() }
            let queue = "\(prefix)-foreign-reader"
            try reader.declareQueue(queue, channel: 1)
            try reader.bind(queue: queue, exchange: "\(prefix).events", key: "orders", channel: 1)
            let before = UInt64(Date().timeIntervalSince1970)
            try await bus.publish(Message(topic: "orders", headers: Self.headers, body: Array("{\"order\":7}".utf8)))
            let got = try #require(try reader.get(queue, channel: 1))
            let properties = got.properties
            #expect(got.routingKey == "orders")
            #expect(properties.messageID == "m-1")
            #expect(properties.type == "OrderPlaced")
            #expect(properties.appID == "checkout")
            #expect(properties.correlationID == "order-7")
            #expect(try #require(properties.timestamp) >= before)
            #expect(
                properties.headers == [
                    "causationid": .string("m-0"), "compensates": .string("m-x"), "traceparent": .string(Self.headers["traceparent"]!),
                    "tracestate": .string("a=b"), "baggage": .string("user=%C3%BC"),
                ])
            #expect(got.body == Array("{\"order\":7}".utf8))
        }
    }

    @Test("a message another client publishes with basic properties reaches the handler with CloudEvents headers")
    func foreignClientToBus() async throws {
        let prefix = TestBroker.freshPrefix("wire-in")
        try await Self.withBus(prefix: prefix) { bus in
            let seen = Probe<Delivery>()
            try await bus.subscribe(topic: "payments", group: "billing") { seen.append($0) }
            let writer = try Self.plainConnection()
            defer { writer.close() }
            let properties = AMQPProperties(
                messageID: "py-1", correlationID: "order-9", type: "PaymentReceived", appID: "payments-py", timestamp: 1_700_000_000,
                headers: ["traceparent": .string("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"), "retries": .int(2)])
            try writer.publish(OutgoingMessage(exchange: "\(prefix).events", routingKey: "payments", properties: properties, body: [7]), channel: 1)
            let delivery = try await seen.wait(for: 1, "the foreign message")[0]
            #expect(delivery.attempt == 1)
            #expect(delivery.message.topic == "payments")
            #expect(
                delivery.message.headers == [
                    "id": "py-1", "correlationid": "order-9", "type": "PaymentReceived", "source": "payments-py",
                    "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "retries": "2",
                ])
            #expect(delivery.message.body == [7])
        }
    }

    @Test("a retried message keeps its properties and carries its attempt in x-choreo-attempt; dead letters say why")
    func retryOnTheWire() async throws {
        let prefix = TestBroker.freshPrefix("wire-retry")
        try await Self.withBus(prefix: prefix) { bus in
            let attempts = Probe<Int>()
            try await bus.subscribe(topic: "orders", group: "g") { delivery in
                attempts.append(delivery.attempt)
                throw ConformanceFailure("declined \(delivery.attempt)")
            }
            try await bus.publish(Message(topic: "orders", headers: Self.headers, body: [1]))
            _ = try await attempts.wait(for: 4, "attempts")
            let reader = try Self.plainConnection()
            defer { reader.close() }
            var letter: IncomingMessage?
            let deadline = ContinuousClock.now + .seconds(30)
            while letter == nil, ContinuousClock.now < deadline {
                letter = try reader.get("\(prefix).dead-letters", channel: 1)
                if letter == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
            let dead = try #require(letter, "a dead letter within 30 s")
            #expect(dead.properties.messageID == "m-1" && dead.properties.correlationID == "order-7")
            #expect(dead.properties.headers[BusHeader.attempt] == .int(4))
            #expect(dead.properties.headers[BusHeader.group] == .string("g"))
            #expect(dead.properties.headers[BusHeader.topic] == .string("orders"))
            #expect(dead.properties.headers[BusHeader.errorType] == .string("ConformanceFailure"))
            #expect(dead.properties.headers[BusHeader.error] == .string("declined 4"))
            #expect(attempts.values == [1, 2, 3, 4])
        }
    }
}

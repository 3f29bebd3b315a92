import ChoreoInstrumentation
import Testing

@testable import ChoreoRabbitMQBus

@Suite("RabbitMQ bus: messages as AMQP properties and headers")
struct MessageMappingTests {
    static let headers = [
        "id": "m-1", "type": "OrderPlaced", "source": "checkout", "correlationid": "order-7", "causationid": "m-0",
        "compensates": "m-x", "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "tracestate": "a=b",
        "baggage": "user=ü", "X-Mixed": "Value with \"quotes\"",
    ]

    @Test("CloudEvents headers with a basic property travel in it, the rest in the headers table")
    func outgoing() {
        let message = Message(topic: "orders", headers: Self.headers, body: [1, 2, 3])
        let out = MessageMapping.outgoing(message, exchange: "x", routingKey: "orders", timestamp: 1_700_000_000)
        #expect(out.properties.messageID == "m-1")
        #expect(out.properties.type == "OrderPlaced")
        #expect(out.properties.appID == "checkout")
        #expect(out.properties.correlationID == "order-7")
        #expect(out.properties.timestamp == 1_700_000_000)
        #expect(Set(out.properties.headers.keys) == ["causationid", "compensates", "traceparent", "tracestate", "baggage", "X-Mixed"])
        #expect(out.properties.headers["traceparent"] == .string(Self.headers["traceparent"]!))
        #expect(out.body == [1, 2, 3])
    }

    @Test("a message read back has exactly the headers it was published with")
    func roundTrip() {
        let message = Message(topic: "orders", headers: Self.headers, body: [0, 255])
        let out = MessageMapping.outgoing(message, exchange: "x", routingKey: "orders", busHeaders: [BusHeader.attempt: .int(3)], timestamp: 5)
        let (back, bus) = MessageMapping.message(IncomingMessage(tag: 1, routingKey: "orders", properties: out.properties, body: out.body))
        #expect(back == message)
        #expect(bus.attempt == 3)
    }

    @Test("a value too long for a property stays in the headers table and still round-trips")
    func longValues() {
        let long = String(repeating: "c", count: 300)
        let message = Message(topic: "t", headers: ["correlationid": long, "id": "m"])
        let out = MessageMapping.outgoing(message, exchange: "x", routingKey: "t", timestamp: 0)
        #expect(out.properties.correlationID == nil)
        #expect(out.properties.headers["correlationid"] == .string(long))
        let (back, _) = MessageMapping.message(IncomingMessage(tag: 1, routingKey: "t", properties: out.properties, body: []))
        #expect(back == message)
    }

    @Test("a message from another AMQP client: properties become CloudEvents headers, numbers and booleans text")
    func foreign() {
        let properties = AMQPProperties(
            messageID: "p-1", correlationID: "order-9", type: "PaymentReceived", appID: "payments-py", timestamp: 10,
            headers: ["traceparent": .string("00-x"), "retries": .int(2), "urgent": .bool(true), "x-death": .other, "x-first-death-queue": .string("q")])
        let (message, bus) = MessageMapping.message(IncomingMessage(tag: 1, routingKey: "payments", properties: properties, body: []))
        #expect(message.topic == "payments")
        #expect(
            message.headers == [
                "id": "p-1", "correlationid": "order-9", "type": "PaymentReceived", "source": "payments-py", "traceparent": "00-x", "retries": "2",
                "urgent": "true",
            ])
        #expect(bus.attempt == 1)
    }

    @Test("the bus's own headers never reach the handler; the topic of a retried message is restored from them")
    func busHeaders() {
        let properties = AMQPProperties(
            headers: [
                BusHeader.attempt: .string("2"), BusHeader.topic: .string("orders"), BusHeader.group: .string("g"), "x-choreo-future": .string("?"),
                "id": .string("m"),
            ])
        let (message, bus) = MessageMapping.message(IncomingMessage(tag: 1, routingKey: "choreo/g/orders", properties: properties, body: []))
        #expect(message.topic == "orders")
        #expect(message.headers == ["id": "m"])
        #expect(bus.attempt == 2 && bus.group == "g")
    }

    @Test("x-choreo-duplicate-to is the publisher's: it reaches the handler like any header")
    func duplicateHeader() {
        let message = Message(topic: "orders", headers: ["id": "m", InMemoryBus.duplicateDeliveryHeader: "billing,shipping"])
        let out = MessageMapping.outgoing(message, exchange: "x", routingKey: "orders", timestamp: 0)
        let (back, _) = MessageMapping.message(IncomingMessage(tag: 1, routingKey: "orders", properties: out.properties, body: []))
        #expect(back == message)
    }

    @Test("an attempt header that is not a positive number counts as attempt 1", arguments: [AMQPValue.string("zero"), .int(0), .int(-4), .bool(true)])
    func badAttempt(_ value: AMQPValue) {
        let properties = AMQPProperties(headers: [BusHeader.attempt: value])
        #expect(MessageMapping.message(IncomingMessage(tag: 1, routingKey: "t", properties: properties, body: [])).1.attempt == 1)
    }
}

import ChoreoInstrumentation
import Testing

@testable import ChoreoNATSBus

@Suite("NATS bus: configuration, names and headers (no server)")
struct NATSBusConfigurationTests {
    @Test("a NATS URL sets the server and the system")
    func url() throws {
        let configuration = try NATSBus.Configuration(url: "nats://127.0.0.1:4333?system=shop")
        #expect(configuration.url == "nats://127.0.0.1:4333")
        #expect(configuration.system == "shop")
        #expect(try NATSBus.Configuration(url: "nats://localhost").url == "nats://localhost:4222")
    }

    @Test("bad URLs and values are refused with the reason", arguments: ["http://x:4222", "nats://", "nats://h:1?sytem=x", "nats://h:1?system=a.b"])
    func badURL(_ url: String) {
        #expect(throws: BusError.self) { try NATSBus.Configuration(url: url) }
    }

    @Test("values out of range are refused")
    func validation() {
        var configuration = NATSBus.Configuration()
        configuration.maxAttempts = 0
        #expect(throws: BusError(.invalidConfiguration, "maxAttempts is 0; set it to 1 or more")) { try configuration.validate() }
        configuration = NATSBus.Configuration(ackWait: .milliseconds(10))
        #expect(throws: BusError.self) { try configuration.validate() }
        configuration = NATSBus.Configuration(retention: .seconds(10), duplicateWindow: .seconds(60))
        #expect(throws: BusError.self) { try configuration.validate() }
        configuration = NATSBus.Configuration(publishTimeout: .milliseconds(10))
        #expect(throws: BusError.self) { try configuration.validate() }
    }

    @Test("by default a publish waits long enough to ride out a server restart")
    func publishTimeout() {
        let configuration = NATSBus.Configuration()
        #expect(configuration.publishTimeout == .seconds(30))
        #expect(configuration.publishTimeout > configuration.requestTimeout * 3)
    }

    @Test("the attempt bucket's value: attempts made, and whether the requested duplicate was made")
    func attemptRecord() {
        #expect(AttemptRecord("").isEmpty)
        #expect(AttemptRecord("3") == AttemptRecord(made: 3))
        #expect(AttemptRecord("2;duplicated") == AttemptRecord(made: 2, duplicated: true))
        for record in [AttemptRecord(made: 4), AttemptRecord(made: 1, duplicated: true)] {
            #expect(AttemptRecord(record.value) == record, "\(record.value) round-trips")
        }
        #expect(AttemptRecord(made: 1, duplicated: true).value == "1;duplicated")
        #expect(!AttemptRecord(made: 0, duplicated: true).isEmpty)
    }

    @Test("a topic is a subject of the system's stream; one that cannot be a subject is refused")
    func subjects() throws {
        let names = NATSBus.Names(system: "shop")
        #expect(try names.subject(topic: "OrderPlaced") == "shop.OrderPlaced")
        #expect(try names.subject(topic: "orders.placed") == "shop.orders.placed")
        for bad in ["", "a b", "a.*", ">", "a..b", ".a", "a.", "tab\t"] {
            #expect(throws: NATSBusError.self, "topic '\(bad)'") { try names.subject(topic: bad) }
        }
    }

    @Test("every group and topic pair has its own consumer name made of safe characters")
    func durables() {
        let names = NATSBus.Names(system: "shop")
        let pairs = [("g", "a.b"), ("g", "a_b"), ("g.a", "b"), ("g", "a b"), ("billing", "OrderPlaced")]
        let durables = pairs.map { names.durable(group: $0.0, topic: $0.1) }
        #expect(Set(durables).count == pairs.count, "distinct: \(durables)")
        #expect(durables.allSatisfy { NATSBus.Names.isName($0, limit: 100) }, "\(durables)")
        #expect(names.durable(group: "billing", topic: "OrderPlaced") == names.durable(group: "billing", topic: "OrderPlaced"))
        #expect(names.durable(group: String(repeating: "x", count: 500), topic: "t").count < 100)
    }

    @Test("headers NATS cannot carry, and the reserved names, are refused")
    func headers() throws {
        for (name, value) in [("", "v"), ("a b", "v"), ("a:b", "v"), ("Nats-Msg-Id", "v"), ("choreo-dead-letter-group", "v"), ("x", "a\r\nb")] {
            #expect(throws: NATSBusError.self, "\(name): \(value)") { try NATSMessage.validate(name: name, value: value) }
        }
        try NATSMessage.validate(name: "x-Mixed-Case", value: "Value with spaces and \"quotes\" ü ✓")
    }

    @Test("a message keeps its headers exactly, names as written, and its body")
    func messageRoundTrip() throws {
        let headers = ["id": "m-1", "x-Mixed-Case": "Value \"q\"", "baggage": "user=ü%20x"]
        let message = try NATSMessage.make(subject: "shop.t", headers: headers, body: [0, 255, 10])
        #expect(message.userHeaders == headers)
        #expect(message.body == [0, 255, 10])
        #expect(message.subject == "shop.t")
    }

    @Test("retry delays double from the initial backoff up to the maximum")
    func backoff() {
        let configuration = NATSBus.Configuration(initialBackoff: .milliseconds(100), maxBackoff: .seconds(1))
        #expect(configuration.backoff(afterAttempt: 1) == .milliseconds(100))
        #expect(configuration.backoff(afterAttempt: 2) == .milliseconds(200))
        #expect(configuration.backoff(afterAttempt: 10) == .seconds(1))
    }
}

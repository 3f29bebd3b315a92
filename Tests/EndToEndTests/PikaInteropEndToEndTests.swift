import Foundation
import Testing

/// What a Python service sees: order-fulfilment publishes through `TracedBus` on RabbitMQ, and a
/// pika consumer (the Python client most RabbitMQ services use) reads the AMQP basic properties
/// and headers of the very messages: `message_id`, `correlation_id`, `type`, `app_id`,
/// `timestamp`, and `traceparent` / `causationid` in the headers table.
@Suite(
    "pika reads what TracedBus publishes on RabbitMQ",
    .enabled(if: PikaProbe.amqpURL != nil, "skipped: CHOREO_TEST_AMQP_URL is not set (scripts/test.sh starts a throwaway RabbitMQ)"),
    .enabled(if: PikaProbe.isInstalled, "skipped: the pika module is not installed (pip install pika; .ci/run does)"),
    .timeLimit(.minutes(3)))
struct PikaInteropEndToEndTests {
    @Test("message_id, correlation_id, type, app_id, timestamp and traceparent where pika finds them; a handler's publish names its cause")
    func pikaReadsProperties() async throws {
        let url = try #require(PikaProbe.amqpURL)
        let system = "pika-\(UInt32.random(in: 0...UInt32.max))"
        let queue = "\(system)-probe"
        try PikaProbe.python(PikaProbe.setup, [url, system, queue])
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let run = try harness.run(
            "order-fulfilment", ["--bus", url, "--system", system, "--orders", "2", "--scenario", "happy", "--day", "100ms"],
            environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9"])
        try #require(run.status == 0, "order-fulfilment failed: \(run.stderr.suffix(1_000))")
        let output = try PikaProbe.python(PikaProbe.read, [url, queue])
        let messages = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]])
        let placed = messages.filter { $0["type"] as? String == "OrderPlaced" }
        let retrieve = messages.filter { $0["type"] as? String == "RetrievePayment" }
        #expect(placed.count == 2, "\(messages)")
        #expect(retrieve.count == 2, "\(messages)")
        let traceparent = /00-([0-9a-f]{32})-[0-9a-f]{16}-0[01]/
        var placedByID: [String: [String: Any]] = [:]
        for message in placed {
            let id = try #require(message["message_id"] as? String)
            placedByID[id] = message
            #expect(message["app_id"] as? String == "checkout")
            #expect((message["correlation_id"] as? String)?.hasPrefix("order-") == true)
            #expect((message["timestamp"] as? Int ?? 0) > 1_700_000_000)
            let headers = try #require(message["headers"] as? [String: Any])
            #expect((headers["traceparent"] as? String)?.wholeMatch(of: traceparent) != nil, "\(headers)")
        }
        for message in retrieve {
            #expect(message["app_id"] as? String == "order")
            let headers = try #require(message["headers"] as? [String: Any])
            let causationID = try #require(headers["causationid"] as? String, "\(headers)")
            let cause = try #require(placedByID[causationID], "causationid names an OrderPlaced: \(headers)")
            #expect(message["correlation_id"] as? String == cause["correlation_id"] as? String)
            // One trace per flow (the default child mode): the handler's publish continues the OrderPlaced's trace.
            let own = try #require((headers["traceparent"] as? String)?.wholeMatch(of: traceparent))
            let causeHeaders = try #require(cause["headers"] as? [String: Any])
            let causeTrace = try #require((causeHeaders["traceparent"] as? String)?.wholeMatch(of: traceparent))
            #expect(own.1 == causeTrace.1)
        }
    }
}

/// The Python side of the test.
enum PikaProbe {
    static let amqpURL = ProcessInfo.processInfo.environment["CHOREO_TEST_AMQP_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let isInstalled: Bool = (try? python("import pika", [])) != nil

    /// Declares the system's events exchange as the bus does (durable topic) and a probe queue
    /// bound to OrderPlaced and RetrievePayment.
    static let setup = """
        import sys, pika
        url, system, queue = sys.argv[1:4]
        connection = pika.BlockingConnection(pika.URLParameters(url))
        channel = connection.channel()
        channel.exchange_declare(exchange=system + ".events", exchange_type="topic", durable=True)
        channel.queue_declare(queue=queue, durable=True)
        for key in ("OrderPlaced", "RetrievePayment"):
            channel.queue_bind(queue=queue, exchange=system + ".events", routing_key=key)
        connection.close()
        """

    /// Reads every message of the probe queue and prints their properties as JSON; deletes the queue.
    static let read = """
        import sys, json, pika
        url, queue = sys.argv[1:3]
        connection = pika.BlockingConnection(pika.URLParameters(url))
        channel = connection.channel()
        out = []
        while True:
            method, properties, body = channel.basic_get(queue=queue, auto_ack=True)
            if method is None:
                break
            headers = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in (properties.headers or {}).items()}
            out.append({"message_id": properties.message_id, "correlation_id": properties.correlation_id,
                        "type": properties.type, "app_id": properties.app_id, "timestamp": properties.timestamp,
                        "headers": headers})
        channel.queue_delete(queue=queue)
        connection.close()
        print(json.dumps(out))
        """

    /// Runs a Python program with arguments; returns its standard output, throws on failure.
    @discardableResult
    static func python(_ program: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", program] + arguments
        let directory = FileManager.default.temporaryDirectory
        let out = directory.appendingPathComponent("pika-\(UUID().uuidString).out")
        let err = directory.appendingPathComponent("pika-\(UUID().uuidString).err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw PikaFailure(message: "python3 exited \(process.terminationStatus): \((try? String(contentsOf: err, encoding: .utf8)) ?? "")")
        }
        return text
    }
}

struct PikaFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

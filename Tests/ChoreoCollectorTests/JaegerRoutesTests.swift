import ChoreoCollector
import ChoreoModel
import ChoreoServer
import ChoreoStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Jaeger's query API held to Jaeger's JSON model (as Jaeger query's `model/json` and its
/// HTTP handler write it), for an order-fulfilment flow spread over several traces.
@Suite("Jaeger query API")
struct JaegerRoutesTests {
    static let t0 = Fixtures.t0

    static func trace(_ step: Int) -> TraceID { TraceID(high: 0x0A0B_0C0D_0E0F_1011, low: UInt64(0x100 + step)) }

    /// order-fulfilment's shape over OpenTelemetry messaging: each handler runs in a new trace
    /// whose consumer span links (FOLLOWS_FROM) to the producer in the previous trace, and
    /// publishes the next message as a child of its consumer span.
    static func spreadFlow(_ id: String) -> [SpanRecord] {
        let steps: [(type: String, publisher: String, consumer: String)] = [
            ("OrderPlaced", "checkout", "order"), ("RetrievePayment", "order", "payment"), ("PaymentReceived", "payment", "order"),
            ("FetchGoods", "order", "inventory"), ("GoodsUnavailable", "inventory", "order"), ("RefundPayment", "order", "payment"),
        ]
        var spans: [SpanRecord] = []
        var handling: SpanRecord?
        for (i, step) in steps.enumerated() {
            let at = t0 + UInt64(i) * 10_000_000
            let message = "\(id)-m\(i + 1)"
            let common: [String: AttributeValue] = [
                MessagingKey.messageID: .string(message), MessagingKey.conversationID: .string(id),
                MessagingKey.destinationName: .string(step.type.lowercased()), ChoreoKey.eventType: .string(step.type),
            ]
            var publishAttributes = common
            publishAttributes[MessagingKey.operationType] = .string("send")
            let producer = SpanRecord(
                traceID: handling?.traceID ?? trace(0), spanID: SpanID(UInt64(i * 2 + 1)), parentSpanID: handling?.spanID,
                name: "\(step.type.lowercased()) publish", kind: .producer, startTimeUnixNano: at, endTimeUnixNano: at + 1_234_567,
                attributes: publishAttributes, serviceName: step.publisher,
                resourceAttributes: ["host.name": .string("node-\(step.publisher)"), "process.pid": .int(4242)], scopeName: "choreo-bus"
            )
            var consumeAttributes = common
            consumeAttributes[MessagingKey.operationType] = .string("process")
            consumeAttributes[MessagingKey.consumerGroup] = .string(step.consumer)
            let failed = step.type == "GoodsUnavailable"
            let consumer = SpanRecord(
                traceID: trace(i + 1), spanID: SpanID(UInt64(i * 2 + 2)), name: "\(step.type.lowercased()) process", kind: .consumer,
                startTimeUnixNano: at + 2_000_000, endTimeUnixNano: at + 7_000_000, attributes: consumeAttributes,
                events: failed ? [SpanEvent(name: "exception", timeUnixNano: at + 3_000_000, attributes: ["exception.message": .string("no stock")])] : [],
                links: [SpanLink(traceID: producer.traceID, spanID: producer.spanID)],
                statusCode: failed ? .error : .unset, statusMessage: failed ? "no stock" : nil, serviceName: step.consumer,
                resourceAttributes: ["host.name": .string("node-\(step.consumer)"), "process.pid": .int(4242)]
            )
            spans += [producer, consumer]
            handling = consumer
        }
        // A plain call inside the payment handler: payment calls the bank (another service).
        spans.append(
            SpanRecord(
                traceID: trace(2), spanID: SpanID(100), parentSpanID: SpanID(4), traceState: "vendor=1", name: "POST /charges", kind: .server,
                startTimeUnixNano: t0 + 13_000_000, endTimeUnixNano: t0 + 14_500_000,
                attributes: ["http.status_code": .int(201), "retry.ratio": .double(0.5), "bank.flags": .stringArray(["a", "b"])],
                statusCode: .ok, serviceName: "bank"
            ))
        return spans
    }

    static func harness(queryToken: AccessToken? = nil) async throws -> CollectorHarness {
        let harness = Fixtures.collector(queryToken: queryToken)
        try await harness.store.append(spreadFlow("order-1"))
        try await harness.app.indexer.catchUp()
        return harness
    }

    static func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    static func text(_ response: TestResponse) -> String { String(buffer: response.body) }

    /// The envelope of a successful answer: data, total, limit 0, offset 0, errors null.
    static func data(_ response: TestResponse, total: Int? = nil) throws -> Any {
        #expect(response.status == .ok, "\(text(response))")
        let body = try object(response)
        #expect(body["errors"] is NSNull, "errors is null on success")
        #expect(body["limit"] as? Int == 0 && body["offset"] as? Int == 0)
        if let total { #expect(body["total"] as? Int == total) }
        return try #require(body["data"])
    }

    /// Jaeger's error shape: data null, errors [{code, msg}] with the status as code.
    static func expectFailure(_ response: TestResponse, _ status: HTTPResponse.Status, mentioning words: String) throws {
        #expect(response.status == status, "\(text(response))")
        let body = try object(response)
        #expect(body["data"] is NSNull)
        let errors = try #require(body["errors"] as? [[String: Any]], "\(text(response))")
        #expect(errors.count == 1)
        #expect(errors.first?["code"] as? Int == status.code)
        let message = errors.first?["msg"] as? String ?? ""
        #expect(message.contains(words), "\(message)")
    }

    @Test("GET /api/services and the operations routes list from the store: names, span kinds, Jaeger's envelope")
    func servicesAndOperations() async throws {
        let harness = try await Self.harness()
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/services", method: .get) { response in
                let data = try Self.data(response, total: 5)
                #expect(data as? [String] == ["bank", "checkout", "inventory", "order", "payment"])
            }
            try await client.execute(uri: "/api/services/payment/operations", method: .get) { response in
                let data = try Self.data(response, total: 3)
                #expect(data as? [String] == ["paymentreceived publish", "refundpayment process", "retrievepayment process"])
            }
            try await client.execute(uri: "/api/operations?service=order", method: .get) { response in
                let operations = try #require(try Self.data(response, total: 6) as? [[String: String]])
                #expect(operations.first == ["name": "fetchgoods publish", "spanKind": "producer"])
                #expect(Set(operations.compactMap { $0["spanKind"] }) == ["producer", "consumer"])
            }
            try await client.execute(uri: "/api/operations?service=order&spanKind=consumer", method: .get) { response in
                let operations = try #require(try Self.data(response, total: 3) as? [[String: String]])
                #expect(operations.map { $0["name"] } == ["goodsunavailable process", "orderplaced process", "paymentreceived process"])
            }
            try await client.execute(uri: "/api/operations", method: .get) { response in
                try Self.expectFailure(response, .badRequest, mentioning: "'service' is required")
            }
            try await client.execute(uri: "/api/operations?service=order&spanKind=sideways", method: .get) { response in
                try Self.expectFailure(response, .badRequest, mentioning: "sideways")
            }
        }
    }

    @Test("GET /api/traces/{id}: Jaeger's span model, µs integers, CHILD_OF and FOLLOWS_FROM across traces, typed tags, logs, processes")
    func traceModel() async throws {
        let harness = try await Self.harness()
        try await harness.application.test(.router) { client in
            // Trace 3: the consumer of PaymentReceived (links to trace 2) and the FetchGoods publish it made.
            try await client.execute(uri: "/api/traces/\(Self.trace(3).hex)", method: .get) { response in
                let traces = try #require(try Self.data(response, total: 1) as? [[String: Any]])
                let trace = try #require(traces.first)
                #expect(trace["traceID"] as? String == Self.trace(3).hex)
                #expect(trace["warnings"] is NSNull)
                let spans = try #require(trace["spans"] as? [[String: Any]])
                #expect(spans.count == 2)
                let consumer = spans[0]
                #expect(consumer["spanID"] as? String == "0000000000000006")
                #expect(consumer["operationName"] as? String == "paymentreceived process")
                #expect(consumer["startTime"] as? Int == Int((Self.t0 + 22_000_000) / 1_000), "startTime is Unix microseconds")
                #expect(consumer["duration"] as? Int == 5_000, "duration is microseconds")
                #expect(consumer["flags"] as? Int == 1)
                #expect(consumer["warnings"] is NSNull)
                let references = try #require(consumer["references"] as? [[String: String]])
                #expect(references == [["refType": "FOLLOWS_FROM", "traceID": Self.trace(2).hex, "spanID": "0000000000000005"]])
                let publish = spans[1]
                #expect(
                    publish["references"] as? [[String: String]] == [["refType": "CHILD_OF", "traceID": Self.trace(3).hex, "spanID": "0000000000000006"]])
                #expect(publish["duration"] as? Int == 1_234, "whole microseconds, truncated")
                let processes = try #require(trace["processes"] as? [String: [String: Any]])
                #expect(Set(processes.keys) == ["p1"], "both spans run in the same resource: one process")
                #expect(consumer["processID"] as? String == "p1" && publish["processID"] as? String == "p1")
                #expect(processes["p1"]?["serviceName"] as? String == "order")
            }
            let body = try await client.execute(uri: "/api/traces/\(Self.trace(3).hex)", method: .get) { Self.text($0) }
            for fragment in [
                #"{"key":"span.kind","type":"string","value":"consumer"}"#,
                #"{"key":"messaging.message.id","type":"string","value":"order-1-m3"}"#,
                #"{"key":"host.name","type":"string","value":"node-order"}"#,
                #"{"key":"process.pid","type":"int64","value":4242}"#,
                #"{"key":"otel.scope.name","type":"string","value":"choreo-bus"}"#,
            ] {
                #expect(body.contains(fragment), "\(fragment) in \(body)")
            }
            // Trace 2 holds the bank call (typed attributes, status OK, trace state) under payment.
            let bank = try await client.execute(uri: "/api/traces/\(Self.trace(2).hex)", method: .get) { Self.text($0) }
            for fragment in [
                #"{"key":"http.status_code","type":"int64","value":201}"#, #"{"key":"retry.ratio","type":"float64","value":0.5}"#,
                #"{"key":"bank.flags","type":"string","value":"[\"a\",\"b\"]"}"#, #"{"key":"otel.status_code","type":"string","value":"OK"}"#,
                #"{"key":"w3c.tracestate","type":"string","value":"vendor=1"}"#, #""processes":{"p1":{"serviceName":"payment""#,
                #""p2":{"serviceName":"bank","tags":[]}"#,
            ] {
                #expect(bank.contains(fragment), "\(fragment) in \(bank)")
            }
            // Trace 5: the failed GoodsUnavailable consumer: error tags and the exception as a log.
            let failed = try await client.execute(uri: "/api/traces/\(Self.trace(5).hex)", method: .get) { Self.text($0) }
            for fragment in [
                #"{"key":"error","type":"bool","value":true}"#, #"{"key":"otel.status_code","type":"string","value":"ERROR"}"#,
                #"{"key":"otel.status_description","type":"string","value":"no stock"}"#,
                #""logs":[{"fields":[{"key":"event","type":"string","value":"exception"},{"key":"exception.message","type":"string","value":"no stock"}],"timestamp":\#((Self.t0 + 43_000_000) / 1_000)}]"#,
            ] {
                #expect(failed.contains(fragment), "\(fragment) in \(failed)")
            }
        }
    }

    @Test("GET /api/traces/{id}: 404 in Jaeger's error shape when absent, 400 when malformed; short ids are zero-padded")
    func traceErrors() async throws {
        let harness = try await Self.harness()
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/traces/\(TraceID(high: 1, low: 2).hex)", method: .get) { response in
                try Self.expectFailure(response, .notFound, mentioning: "trace not found")
            }
            try await client.execute(uri: "/api/traces/not-hex", method: .get) { response in
                try Self.expectFailure(response, .badRequest, mentioning: "not-hex")
            }
            try await client.execute(uri: "/api/traces/\(String(repeating: "0", count: 32))", method: .get) { response in
                try Self.expectFailure(response, .badRequest, mentioning: "malformed trace id")
            }
            let short = SpanRecord(
                traceID: TraceID(high: 0, low: 0xABC), spanID: SpanID(1), name: "x", startTimeUnixNano: Self.t0, endTimeUnixNano: Self.t0 + 1)
            try await harness.store.append([short])
            try await client.execute(uri: "/api/traces/abc", method: .get) { response in
                let traces = try #require(try Self.data(response, total: 1) as? [[String: Any]])
                #expect(traces.first?["traceID"] as? String == TraceID(high: 0, low: 0xABC).hex)
            }
        }
    }

    static func traceIDs(_ response: TestResponse) throws -> [String] {
        let traces = try #require(try Self.data(response) as? [[String: Any]])
        return traces.compactMap { $0["traceID"] as? String }
    }

    @Test("GET /api/traces: the flow's several traces by service, operation, tags (JSON, logfmt, tag=k:v), duration and time")
    func search() async throws {
        let harness = try await Self.harness()
        let start = (Self.t0 - 1_000) / 1_000
        let end = (Self.t0 + 60_000_000) / 1_000
        let window = "start=\(start)&end=\(end)"
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/traces?service=order&\(window)", method: .get) { response in
                let ids = try Self.traceIDs(response)
                #expect(ids == [5, 3, 1].map { Self.trace($0).hex }, "every trace of the flow order took part in, newest first")
            }
            try await client.execute(uri: "/api/traces?service=order&\(window)&limit=2", method: .get) { response in
                let ids = try Self.traceIDs(response)
                #expect(ids == [5, 3].map { Self.trace($0).hex })
            }
            try await client.execute(uri: "/api/traces?service=payment&operation=refundpayment%20process&\(window)", method: .get) { response in
                let ids = try Self.traceIDs(response)
                #expect(ids == [Self.trace(6).hex])
            }
            let json = #"{"error":"true"}"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            try await client.execute(uri: "/api/traces?service=order&tags=\(json)&\(window)", method: .get) { response in
                let ids = try Self.traceIDs(response)
                #expect(ids == [Self.trace(5).hex])
            }
            let logfmt = #"host.name="node-order" messaging.message.id=order-1-m1"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            try await client.execute(uri: "/api/traces?service=order&tags=\(logfmt)&\(window)", method: .get) { response in
                let ids = try Self.traceIDs(response)
                #expect(ids == [Self.trace(1).hex])
            }
            try await client.execute(uri: "/api/traces?service=bank&tag=http.status_code:201&\(window)", method: .get) { response in
                let ids = try Self.traceIDs(response)
                #expect(ids == [Self.trace(2).hex])
            }
            try await client.execute(uri: "/api/traces?service=order&minDuration=2ms&maxDuration=1.1s&\(window)", method: .get) { response in
                let ids = try Self.traceIDs(response)
                #expect(ids == [5, 3, 1].map { Self.trace($0).hex }, "only consumer spans (5 ms) in order, not its 1.23 ms publishes")
            }
            try await client.execute(uri: "/api/traces?service=order&start=\((Self.t0 + 30_000_000) / 1_000)&end=\(end)", method: .get) { response in
                let ids = try Self.traceIDs(response)
                #expect(ids == [5, 3].map { Self.trace($0).hex }, "spans started from start to end (µs)")
            }
            try await client.execute(uri: "/api/traces?service=order&end=\((Self.t0 + 25_000_000) / 1_000)&lookback=20ms", method: .get) { response in
                let ids = try Self.traceIDs(response)
                #expect(ids == [3, 1].map { Self.trace($0).hex }, "lookback before end when start is absent")
            }
            try await client.execute(uri: "/api/traces?traceID=\(Self.trace(1).hex)&traceID=\(Self.trace(6).hex)", method: .get) { response in
                let ids = try Self.traceIDs(response)
                #expect(ids == [1, 6].map { Self.trace($0).hex })
            }
        }
    }

    @Test(
        "GET /api/traces: malformed parameters are 400 in Jaeger's error shape",
        arguments: [
            ("operation=x", "'service' is required"), ("service=order&minDuration=fast", "minDuration"),
            ("service=order&maxDuration=-1s", "maxDuration"), ("service=order&minDuration=2s&maxDuration=1s", "greater than 'minDuration'"),
            ("service=order&start=yesterday", "start"), ("service=order&end=1.5", "end"), ("service=order&start=20&end=10", "after 'end'"),
            ("service=order&limit=-3", "limit"), ("service=order&lookback=forever", "lookback"),
            ("service=order&tags=%7Bnot%20json", "tags"), ("service=order&tags=%7B%22a%22%3A%5B1%5D%7D", "tags"),
            ("service=order&tags=a%3D%22open", "not closed"), ("service=order&tag=novalue", "key:value"),
            ("traceID=zz", "malformed trace id"),
        ])
    func searchErrors(_ query: String, _ words: String) async throws {
        let harness = try await Self.harness()
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/traces?\(query)", method: .get) { response in
                try Self.expectFailure(response, .badRequest, mentioning: words)
            }
        }
    }

    @Test("GET /api/dependencies: service edges of the flows in the window (publisher → consumer per message, parent links across services)")
    func dependencies() async throws {
        let harness = try await Self.harness()
        let end = (Self.t0 + 60_000_000) / 1_000_000
        try await harness.application.test(.router) { client in
            try await client.execute(uri: "/api/dependencies?endTs=\(end)&lookback=600000", method: .get) { response in
                let links = try #require(try Self.data(response) as? [[String: Any]])
                let edges = links.map { "\($0["parent"] as? String ?? "?")→\($0["child"] as? String ?? "?")=\($0["callCount"] as? Int ?? -1)" }
                #expect(
                    edges == [
                        "checkout→order=1", "inventory→order=1", "order→inventory=1", "order→payment=2", "payment→bank=1", "payment→order=1",
                    ], "a consumer's link to its producer is counted once, with its message")
            }
            try await client.execute(uri: "/api/dependencies?endTs=\((Self.t0 + 15_000_000) / 1_000_000)&lookback=15", method: .get) { response in
                let links = try #require(try Self.data(response) as? [[String: Any]])
                let edges = links.map { "\($0["parent"] as? String ?? "?")→\($0["child"] as? String ?? "?")" }
                #expect(edges == ["checkout→order", "order→payment", "payment→bank"], "only spans that started in the window: \(edges)")
            }
            try await client.execute(uri: "/api/dependencies?endTs=soon", method: .get) { response in
                try Self.expectFailure(response, .badRequest, mentioning: "endTs")
            }
            try await client.execute(uri: "/api/dependencies?lookback=-5", method: .get) { response in
                try Self.expectFailure(response, .badRequest, mentioning: "lookback")
            }
        }
    }

    @Test("every Jaeger route is behind the query token")
    func token() async throws {
        let token = try AccessToken("jaeger-query-secret")
        let harness = try await Self.harness(queryToken: token)
        let routes = [
            "/api/services", "/api/services/order/operations", "/api/operations?service=order", "/api/traces?service=order",
            "/api/traces/\(Self.trace(1).hex)", "/api/dependencies",
        ]
        try await harness.application.test(.router) { client in
            for route in routes {
                try await client.execute(uri: route, method: .get) { response in
                    #expect(response.status == .unauthorized, "\(route) without a token")
                }
                try await client.execute(uri: route, method: .get, headers: [.authorization: "Bearer wrong"]) { response in
                    #expect(response.status == .unauthorized, "\(route) with a wrong token")
                }
                try await client.execute(uri: route, method: .get, headers: [.authorization: "Bearer jaeger-query-secret"]) { response in
                    #expect(response.status == .ok, "\(route) with the token")
                }
            }
        }
    }
}

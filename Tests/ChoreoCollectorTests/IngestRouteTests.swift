import ChoreoCollector
import ChoreoModel
import ChoreoOTLP
import ChoreoStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Collector ingest")
struct IngestRouteTests {
    let trace = TraceID(high: 0xABCD, low: 0x1234)

    @Test("protobuf spans are committed before the 200 answer")
    func protobufIngest() async throws {
        let harness = Fixtures.collector()
        let spans = Fixtures.compensatedOrder("order-1", trace: trace)
        try await harness.application.test(.router) { client in
            let body = try OTLPProtobuf.encodeRequest(spans)
            try await client.execute(
                uri: "/v1/traces", method: .post, headers: [.contentType: OTLPHTTP.protobufContentType], body: ByteBuffer(bytes: body)
            ) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == OTLPHTTP.protobufContentType)
            }
            // Acknowledged means stored: no waiting needed.
            #expect(try await harness.store.spanCount() == spans.count)
            #expect(try await harness.store.spans(traceID: trace).count == spans.count)
        }
    }

    @Test("gzip-compressed OTLP/JSON is accepted and answered in JSON")
    func gzipJSONIngest() async throws {
        let harness = Fixtures.collector()
        let spans = Fixtures.compensatedOrder("order-2", trace: trace)
        try await harness.application.test(.router) { client in
            let body = Gzip.compress(try OTLPJSON.encodeRequest(spans))
            try await client.execute(
                uri: "/v1/traces", method: .post,
                headers: [.contentType: "application/json", .contentEncoding: "gzip"], body: ByteBuffer(bytes: body)
            ) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == OTLPHTTP.jsonContentType)
            }
            #expect(try await harness.store.spans(correlationID: "order-2").count == spans.count)
        }
    }

    @Test(
        "bad input gets a 400 with a message, and the collector keeps serving",
        arguments: [
            ("application/x-protobuf", nil, [UInt8](repeating: 0xFF, count: 64)),
            ("application/json", nil, Array("{\"resourceSpans\": [".utf8)),
            ("text/plain", nil, Array("hello".utf8)),
            ("application/x-protobuf", "gzip", Array("not gzip at all".utf8)),
            ("application/x-protobuf", "br", [UInt8]([1, 2, 3])),
        ] as [(String, String?, [UInt8])])
    func badInput(contentType: String, encoding: String?, body: [UInt8]) async throws {
        let harness = Fixtures.collector()
        try await harness.application.test(.router) { client in
            var headers: HTTPFields = [.contentType: contentType]
            if let encoding { headers[.contentEncoding] = encoding }
            try await client.execute(uri: "/v1/traces", method: .post, headers: headers, body: ByteBuffer(bytes: body)) { response in
                #expect(response.status == .badRequest)
                #expect(response.body.readableBytes > 0, "a 400 must say why")
            }
            #expect(harness.app.rejections.value(RejectionCounters.Reason.malformed) == 1)
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
            }
            let good = try OTLPProtobuf.encodeRequest(Fixtures.compensatedOrder("order-3", trace: trace))
            try await client.execute(
                uri: "/v1/traces", method: .post, headers: [.contentType: OTLPHTTP.protobufContentType], body: ByteBuffer(bytes: good)
            ) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test("an oversize body gets 413")
    func oversize() async throws {
        let harness = Fixtures.collector()
        try await harness.application.test(.router) { client in
            let body = [UInt8](repeating: 0, count: (1 << 20) + 1)
            try await client.execute(
                uri: "/v1/traces", method: .post, headers: [.contentType: OTLPHTTP.protobufContentType], body: ByteBuffer(bytes: body)
            ) { response in
                #expect(response.status == .contentTooLarge)
            }
            #expect(try await harness.store.spanCount() == 0)
        }
    }

    @Test("a span with an all-zero trace id is rejected alone: partial success")
    func partialSuccess() async throws {
        let harness = Fixtures.collector()
        var spans = Fixtures.compensatedOrder("order-4", trace: trace)
        spans[0].traceID = TraceID(high: 0, low: 0)
        let body = try OTLPJSON.encodeRequest(spans)
        let expected = spans.count - 1
        try await harness.application.test(.router) { client in
            try await client.execute(
                uri: "/v1/traces", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(bytes: body)
            ) { response in
                #expect(response.status == .ok)
                let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                let partial = json?["partialSuccess"] as? [String: Any]
                #expect(partial?["rejectedSpans"] as? String == "1" || partial?["rejectedSpans"] as? Int == 1)
            }
            #expect(try await harness.store.spanCount() == expected)
        }
    }

    @Test("when the store cannot commit, the answer is 503 with Retry-After and nothing is acknowledged")
    func storeFailure() async throws {
        let harness = Fixtures.collector(store: InterceptingStore.failingAppends())
        try await harness.application.test(.router) { client in
            let spans = Fixtures.compensatedOrder("order-5", trace: trace)
            let body = try OTLPProtobuf.encodeRequest(spans)
            try await client.execute(
                uri: "/v1/traces", method: .post, headers: [.contentType: OTLPHTTP.protobufContentType], body: ByteBuffer(bytes: body)
            ) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "1")
            }
            #expect(harness.app.rejections.value(RejectionCounters.Reason.storeFailure) == spans.count, "store failures count spans")
        }
    }
}

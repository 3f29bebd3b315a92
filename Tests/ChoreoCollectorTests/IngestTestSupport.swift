import ChoreoCollector
import ChoreoModel
import ChoreoOTLP
import ChoreoStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging

/// A collector built from a configuration the test adjusts, driven in process by its router.
struct IngestHarness {
    let store: any SpanStore
    let app: CollectorApp

    init(store: any SpanStore = InMemorySpanStore(), _ adjust: (inout CollectorConfiguration) -> Void = { _ in }) {
        var configuration = CollectorConfiguration()
        configuration.maxBodyBytes = 1 << 20
        configuration.databasePath = "/nonexistent/choreo-\(UUID().uuidString).sqlite"
        adjust(&configuration)
        self.store = store
        self.app = CollectorApp(
            configuration: configuration, store: store, logger: Logger(label: "test"), now: { Fixtures.t0 + 10_000_000_000 }
        )
    }

    /// The router with the ingest writer running (what `app.test(.router)` drives).
    var application: some ApplicationProtocol { Application(router: app.makeRouter(), services: [app.writer]) }
}

/// An answer of `POST /v1/traces`, kept whole.
struct IngestAnswer: Sendable {
    var status: HTTPResponse.Status
    var retryAfter: String?
    var contentType: String?
    var body: [UInt8]

    /// The OTLP `Status` message of a refusal (JSON answers only).
    var message: String? {
        let json = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        return json?["message"] as? String
    }
}

extension TestClientProtocol {
    /// Posts an OTLP body to `/v1/traces`.
    func ingest(
        _ body: [UInt8], contentType: String? = OTLPHTTP.protobufContentType, encoding: String? = nil
    ) async throws -> IngestAnswer {
        var headers: HTTPFields = [:]
        if let contentType { headers[.contentType] = contentType }
        if let encoding { headers[.contentEncoding] = encoding }
        return try await execute(uri: "/v1/traces", method: .post, headers: headers, body: ByteBuffer(bytes: body)) { response in
            IngestAnswer(
                status: response.status, retryAfter: response.headers[.retryAfter], contentType: response.headers[.contentType],
                body: Array(response.body.readableBytesView)
            )
        }
    }

    /// Posts spans as OTLP/JSON (so refusals come back as readable JSON).
    func ingestJSON(_ spans: [SpanRecord]) async throws -> IngestAnswer {
        try await ingest(try OTLPJSON.encodeRequest(spans), contentType: OTLPHTTP.jsonContentType)
    }
}

extension Fixtures {
    /// `count` independent spans of one trace, each in its own flow `prefix-i`.
    static func spans(_ count: Int, trace: TraceID, prefix: String = "f", at: UInt64 = t0) -> [SpanRecord] {
        (0..<count).map { i in
            producer(
                trace: trace, span: UInt64(i + 1), message: "\(prefix)-m\(i)", type: "Tick", correlation: "\(prefix)-\(i)",
                service: "svc", at: at + UInt64(i)
            )
        }
    }
}

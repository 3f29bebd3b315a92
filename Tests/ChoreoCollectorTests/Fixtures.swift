import ChoreoServer
import ChoreoCollector
import ChoreoModel
import ChoreoOTLP
import ChoreoStore
import Foundation
import Hummingbird
import Logging

/// Spans of a small flow, as the instrumentation records them.
enum Fixtures {
    static let t0: UInt64 = 1_800_000_000_000_000_000

    static func producer(
        trace: TraceID, span: UInt64, message: String, type: String, correlation: String,
        causation: String? = nil, compensates: String? = nil, service: String, at: UInt64
    ) -> SpanRecord {
        var attributes: [String: AttributeValue] = [
            MessagingKey.operationType: .string(MessagingOperation.send),
            MessagingKey.messageID: .string(message),
            MessagingKey.conversationID: .string(correlation),
            MessagingKey.destinationName: .string(type),
            ChoreoKey.eventType: .string(type),
        ]
        if let causation { attributes[ChoreoKey.causationID] = .string(causation) }
        if let compensates { attributes[ChoreoKey.compensates] = .string(compensates) }
        return SpanRecord(
            traceID: trace, spanID: SpanID(span), name: "send \(type)", kind: .producer,
            startTimeUnixNano: at, endTimeUnixNano: at + 1000, attributes: attributes, serviceName: service
        )
    }

    static func consumer(
        trace: TraceID, span: UInt64, parent: UInt64, message: String, type: String, correlation: String,
        group: String, attempt: Int = 1, outcome: DeliveryOutcome = .handled, at: UInt64
    ) -> SpanRecord {
        SpanRecord(
            traceID: trace, spanID: SpanID(span), parentSpanID: SpanID(parent), name: "process \(type)", kind: .consumer,
            startTimeUnixNano: at, endTimeUnixNano: at + 5000,
            attributes: [
                MessagingKey.operationType: .string(MessagingOperation.process),
                MessagingKey.messageID: .string(message),
                MessagingKey.conversationID: .string(correlation),
                MessagingKey.consumerGroup: .string(group),
                ChoreoKey.eventType: .string(type),
                ChoreoKey.deliveryAttempt: .int(Int64(attempt)),
                ChoreoKey.deliveryOutcome: .string(outcome.rawValue),
            ],
            links: [SpanLink(traceID: trace, spanID: SpanID(parent))],
            serviceName: group
        )
    }

    /// A compensated order: paid, goods unavailable, refunded, cancelled.
    static func compensatedOrder(_ id: String, trace: TraceID) -> [SpanRecord] {
        let steps: [(String, String, String?, String?, String, String)] = [
            // (message, type, causation, compensates, publisher, consumer)
            ("m1", "OrderPlaced", nil, nil, "checkout", "order"),
            ("m2", "PaymentReceived", "m1", nil, "payment", "order"),
            ("m3", "GoodsUnavailable", "m2", nil, "inventory", "order"),
            ("m4", "RefundPayment", "m3", "m2", "order", "payment"),
            ("m5", "OrderCancelled", "m4", nil, "order", "notification"),
        ]
        var spans: [SpanRecord] = []
        for (i, step) in steps.enumerated() {
            let at = t0 + UInt64(i) * 1_000_000
            let p = UInt64(i * 2 + 1)
            let message = "\(id)-\(step.0)"
            spans.append(
                producer(
                    trace: trace, span: p, message: message, type: step.1, correlation: id,
                    causation: step.2.map { "\(id)-\($0)" }, compensates: step.3.map { "\(id)-\($0)" }, service: step.4, at: at
                ))
            spans.append(consumer(trace: trace, span: p + 1, parent: p, message: message, type: step.1, correlation: id, group: step.5, at: at + 100_000))
        }
        return spans
    }

    static func collector(
        store: any SpanStore = InMemorySpanStore(), now: UInt64 = t0 + 10_000_000_000,
        ingestToken: AccessToken? = nil, queryToken: AccessToken? = nil, databasePath: String? = nil
    ) -> CollectorHarness {
        CollectorHarness(store: store, now: now, ingestToken: ingestToken, queryToken: queryToken, databasePath: databasePath)
    }

    /// A path in a fresh temporary directory where no file exists yet.
    static func temporaryPath(_ name: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("choreo-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(name).path
    }
}

struct CollectorHarness {
    let store: any SpanStore
    let app: CollectorApp

    init(store: any SpanStore, now: UInt64, ingestToken: AccessToken?, queryToken: AccessToken?, databasePath: String?) {
        self.store = store
        var configuration = CollectorConfiguration()
        configuration.maxBodyBytes = 1 << 20
        configuration.ingestToken = ingestToken
        configuration.queryToken = queryToken
        // The in-memory store has no file; never measure a stray choreo.sqlite in the working directory.
        configuration.databasePath = databasePath ?? "/nonexistent/choreo-\(UUID().uuidString).sqlite"
        self.app = CollectorApp(configuration: configuration, store: store, logger: Logger(label: "test"), now: { now })
    }

    var application: some ApplicationProtocol { Application(router: app.makeRouter(), services: [app.writer]) }
}

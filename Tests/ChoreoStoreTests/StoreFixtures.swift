import ChoreoModel
import ChoreoStore
import Foundation

/// A store under test and how to dispose of it.
struct StoreUnderTest {
    let store: any SpanStore
    let dispose: @Sendable () async -> Void
}

/// The implementations every shared test runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case memory
    case sqlite

    var description: String { rawValue }

    func make() throws -> StoreUnderTest {
        switch self {
        case .memory:
            return StoreUnderTest(store: InMemorySpanStore(), dispose: {})
        case .sqlite:
            let directory = try TemporaryDirectory()
            let store = try SQLiteSpanStore(path: directory.file("spans.sqlite"))
            return StoreUnderTest(store: store) {
                await store.close()
                directory.remove()
            }
        }
    }
}

/// A fresh directory under the system's temporary directory.
struct TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("choreo-store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Spans for store tests.
enum Spans {
    static let base: UInt64 = 1_700_000_000_000_000_000

    /// A consumer-style span of flow `correlationID` (none when nil) in trace `trace`.
    static func make(
        trace: UInt64, span: UInt64, correlationID: String? = "order-1", startMs: UInt64, service: String = "payment"
    ) -> SpanRecord {
        var attributes: [String: AttributeValue] = [
            MessagingKey.messageID: .string("m-\(span)"),
            MessagingKey.operationType: .string(MessagingOperation.process),
            ChoreoKey.eventType: .string("PaymentReceived"),
        ]
        if let correlationID { attributes[MessagingKey.conversationID] = .string(correlationID) }
        return SpanRecord(
            traceID: TraceID(high: 0xC0FFEE, low: trace), spanID: SpanID(span), name: "process payments",
            kind: .consumer, startTimeUnixNano: base + startMs * 1_000_000, endTimeUnixNano: base + (startMs + 2) * 1_000_000,
            attributes: attributes, serviceName: service
        )
    }

    /// A summary with the given identity, status and times (milliseconds from `base`).
    static func summary(_ id: String, _ status: FlowStatus, startedMs: UInt64, lastMs: UInt64) -> FlowSummary {
        FlowSummary(
            correlationID: id, status: status, outcome: status == .completed ? "OrderCompleted" : nil,
            startedAtUnixNano: base + startedMs * 1_000_000, lastActivityAtUnixNano: base + lastMs * 1_000_000,
            stepCount: 3, compensationCount: status == .compensated ? 1 : 0, errorCount: status == .failed ? 2 : 0,
            waitingFor: status == .stuck ? "PaymentReceived" : nil,
            services: ["order", "payment"], types: ["OrderPlaced", "PaymentReceived"]
        )
    }
}

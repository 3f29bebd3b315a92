import ChoreoModel
import ChoreoStore
import Foundation
import Testing

/// Not a timed test: a measurement run on demand, printing spans per second.
///
///     CHOREO_MEASURE=1 swift test -c release --filter AppendThroughputMeasurement
@Suite("Append throughput measurement", .serialized, .enabled(if: ProcessInfo.processInfo.environment["CHOREO_MEASURE"] == "1"))
struct AppendThroughputMeasurement {
    static let spanCount = 100_000
    static let batchSize = 500

    /// Realistic messaging spans: a producer and a consumer per message, 20 messages per flow.
    static func spans() -> [SpanRecord] {
        (0..<spanCount).map { i in
            let flow = i / 40
            let message = i / 2
            let consumer = i % 2 == 1
            var attributes: [String: AttributeValue] = [
                MessagingKey.system: .string("memory"),
                MessagingKey.destinationName: .string("payments"),
                MessagingKey.operationType: .string(consumer ? MessagingOperation.process : MessagingOperation.send),
                MessagingKey.operationName: .string(consumer ? "process" : "send"),
                MessagingKey.messageID: .string("9b2f6c1e-\(message)-4f0a-8c55-msg"),
                MessagingKey.conversationID: .string("order-\(flow)"),
                MessagingKey.bodySize: .int(412),
                ChoreoKey.eventType: .string("PaymentReceived"),
                ChoreoKey.source: .string("payment"),
                ChoreoKey.causationID: .string("9b2f6c1e-\(message - 1)-4f0a-8c55-msg"),
            ]
            if consumer {
                attributes[MessagingKey.consumerGroup] = .string("inventory")
                attributes[ChoreoKey.deliveryAttempt] = .int(1)
                attributes[ChoreoKey.deliveryOutcome] = .string("handled")
            }
            let start = 1_700_000_000_000_000_000 + UInt64(i) * 1_000_000
            return SpanRecord(
                traceID: TraceID(high: UInt64(flow) &* 0x9E37_79B9_7F4A_7C15, low: UInt64(flow)),
                spanID: SpanID(UInt64(i + 1) &* 0xBF58_476D_1CE4_E5B9),
                parentSpanID: consumer ? SpanID(UInt64(i) &* 0xBF58_476D_1CE4_E5B9) : nil,
                name: consumer ? "process payments" : "send payments", kind: consumer ? .consumer : .producer,
                startTimeUnixNano: start, endTimeUnixNano: start + 750_000, attributes: attributes,
                links: consumer ? [SpanLink(traceID: TraceID(high: 1, low: UInt64(flow)), spanID: SpanID(UInt64(i)))] : [],
                serviceName: consumer ? "inventory" : "payment",
                resourceAttributes: ["host.name": .string("node-1"), "process.pid": .int(4242)], scopeName: "choreo"
            )
        }
    }

    @Test("insert 100k spans in batches of 500 and print spans/s", arguments: [SQLiteOptions.Synchronous.full, .normal])
    func measure(_ synchronous: SQLiteOptions.Synchronous) async throws {
        let spans = Self.spans()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteSpanStore(path: directory.file("measure.sqlite"), options: SQLiteOptions(synchronous: synchronous))
        let clock = ContinuousClock()
        let cpuBefore = Self.processCPUSeconds()
        let elapsed = try await clock.measure {
            for start in stride(from: 0, to: spans.count, by: Self.batchSize) {
                try await store.append(Array(spans[start..<min(start + Self.batchSize, spans.count)]))
            }
        }
        let cpu = Self.processCPUSeconds() - cpuBefore
        #expect(try await store.spanCount() == Self.spanCount)
        await store.close()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let path = directory.file("measure.sqlite")
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let record = try SQLiteTool.run(path, "SELECT CAST(avg(length(record)) AS INTEGER) FROM spans").first ?? "?"
        print(
            "MEASURE synchronous=\(synchronous.rawValue): \(Self.spanCount) spans in \(String(format: "%.3f", seconds)) s"
                + " = \(Int(Double(Self.spanCount) / seconds)) spans/s; CPU \(String(format: "%.2f", cpu * 1e6 / Double(Self.spanCount))) µs/span;"
                + " file \(bytes / 1024) KiB, record \(record) B on average"
        )
    }

    /// CPU time (user + system) of the whole process so far, which load on the machine does not inflate.
    static func processCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

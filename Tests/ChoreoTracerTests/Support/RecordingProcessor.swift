import ChoreoModel
import Testing
import ChoreoTracer
import Synchronization

/// A span processor that keeps every finished span, synchronously: for tracer tests.
final class RecordingProcessor: SpanProcessor {
    private let state = Mutex<(records: [SpanRecord], handed: [any ReadableSpan], flushRequests: Int)>(([], [], 0))

    /// Each span as a record, converted when it was handed over.
    var records: [SpanRecord] { state.withLock { $0.records } }
    /// Each span as it was handed over (read later, as an exporter does).
    var handed: [any ReadableSpan] { state.withLock { $0.handed } }
    var flushRequests: Int { state.withLock { $0.flushRequests } }

    func onEnd(_ span: any ReadableSpan) {
        let record = span.record
        state.withLock {
            $0.records.append(record)
            $0.handed.append(span)
        }
    }
    func forceFlush() async {}
    func requestFlush() { state.withLock { $0.flushRequests += 1 } }

    /// The only record, failing the test when there is not exactly one.
    func single(sourceLocation: SourceLocation = #_sourceLocation) throws -> SpanRecord {
        let all = records
        try #require(all.count == 1, "expected exactly one span, got \(all.count)", sourceLocation: sourceLocation)
        return all[0]
    }
}

/// A tracer over a recording processor with seeded ids.
func makeRecordingTracer(serviceName: String = "checkout", seed: UInt64 = 42) -> (ChoreoTracer, RecordingProcessor) {
    let processor = RecordingProcessor()
    let tracer = ChoreoTracer(
        serviceName: serviceName,
        resourceAttributes: ["deployment.environment": .string("test")],
        processor: processor,
        idGenerator: IDGenerator(seed: seed)
    )
    return (tracer, processor)
}

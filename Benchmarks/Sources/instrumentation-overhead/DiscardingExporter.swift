import ChoreoModel
import ChoreoTracer
import Synchronization

/// A span exporter that drops every batch, counting spans: the tracer's cost without HTTP.
final class DiscardingExporter: SpanExporter, Sendable {
    private let exported = Atomic<Int>(0)

    /// Spans handed to the exporter so far.
    var spanCount: Int { exported.load(ordering: .relaxed) }

    func export(_ batch: [any ReadableSpan]) async throws {
        exported.add(batch.count, ordering: .relaxed)
    }

    func shutdown() async {}
}

import ChoreoModel
import ChoreoTracer

/// A processor that drops every span: isolates the tracer's own cost.
struct DiscardingProcessor: SpanProcessor {
    func onEnd(_ span: any ReadableSpan) {}
    func forceFlush() async {}
    func requestFlush() {}
}

/// An exporter that drops every batch: the batch processor's cost without HTTP.
struct DiscardingExporter: SpanExporter {
    func export(_ batch: [any ReadableSpan]) async throws {}
    func shutdown() async {}
}

import ChoreoModel

/// Sends batches of finished spans somewhere (an OTLP endpoint, memory, …).
///
/// ``BatchSpanProcessor`` calls ``export(_:)`` with at most one batch in flight, so an
/// exporter needs no queue of its own.
public protocol SpanExporter: Sendable {
    /// Exports one batch (``ReadableSpan/record`` gives each span's model form). Throws when the batch could not be delivered (after the exporter's
    /// own retries); the processor then counts the batch's spans as failed.
    func export(_ batch: [any ReadableSpan]) async throws

    /// Releases resources (connections). Called once, after the last export.
    func shutdown() async
}

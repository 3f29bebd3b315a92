import ChoreoModel

/// The ingest side of a store: appending spans.
///
/// Durability: when ``append(_:)`` returns, the spans are committed and survive a crash of the
/// process (SQLite: WAL committed). The collector acknowledges an ingest request only then.
///
/// Spans are keyed by (trace id, span id): a span sent again (at-least-once delivery) is ignored,
/// never duplicated, and marks nothing dirty.
public protocol SpanWriter: Sendable {
    /// Stores spans in one transaction and marks dirty the correlation ids of the spans it
    /// actually inserted, in the same transaction. Durable on return.
    func append(_ spans: [SpanRecord]) async throws
}

import ChoreoModel
import Synchronization

/// Head sampling by flow in front of the export: passes on the spans of the flows
/// ``FlowSampling`` keeps, and drops the others' — except a span with an error status or a
/// dead-lettered delivery, which is always passed on.
///
/// A span's flow is its `messaging.message.conversation_id`; a span without one (not part of a
/// flow) is always passed on. Every service deciding with the same ratio keeps the same flows,
/// whole. The decision is taken when a span ends, because its status is only known then: the
/// spans of a dropped flow are still recorded in the process, and what is saved is their
/// export, the agent's and the collector's work, and the store.
public final class FlowSamplingProcessor: SpanProcessor {
    private let wrapped: any SpanProcessor
    /// Which flows are kept.
    public let sampling: FlowSampling
    private let counts = Mutex(Counts())

    /// What the processor did with the spans it was handed.
    public struct Counts: Hashable, Sendable {
        /// Spans of kept flows, and spans of no flow.
        public var kept: UInt64 = 0
        /// Spans of dropped flows passed on for their error status or dead-lettered outcome.
        public var keptForError: UInt64 = 0
        /// Spans of dropped flows not passed on.
        public var sampledOut: UInt64 = 0
    }

    /// Passes the spans it keeps to `wrapped`.
    public init(wrapping wrapped: any SpanProcessor, sampling: FlowSampling) {
        self.wrapped = wrapped
        self.sampling = sampling
    }

    /// The counts so far.
    public var counters: Counts { counts.withLock { $0 } }

    public func onEnd(_ span: any ReadableSpan) {
        switch decision(span) {
        case .keep:
            counts.withLock { $0.kept += 1 }
            wrapped.onEnd(span)
        case .keepForError:
            counts.withLock { $0.keptForError += 1 }
            wrapped.onEnd(span)
        case .drop:
            counts.withLock { $0.sampledOut += 1 }
        }
    }

    public func forceFlush() async { await wrapped.forceFlush() }
    public func requestFlush() { wrapped.requestFlush() }

    enum Decision { case keep, keepForError, drop }

    /// Keep (kept flow or no flow), keep for its error, or drop.
    func decision(_ span: any ReadableSpan) -> Decision {
        guard let flow = span.stringAttribute(MessagingKey.conversationID), !flow.isEmpty, !sampling.keeps(correlationID: flow) else { return .keep }
        let deadLettered = span.stringAttribute(ChoreoKey.deliveryOutcome) == DeliveryOutcome.deadLettered.rawValue
        return span.statusCode == .error || deadLettered ? .keepForError : .drop
    }
}

import ChoreoModel

extension Jaeger {
    /// The service edges among spans, as Jaeger's dependency view shows them.
    ///
    /// A message counts once per consuming service: its publisher's service → the consumer's
    /// service (spans paired by message id, publish and consume roles as the flows read them),
    /// whether or not the consumer's span links to or descends from the producer's. Any other
    /// span whose parent or linked span (among `spans`) ran in another service counts once:
    /// that service → the span's. Edges within one service are left out.
    public struct Dependencies: Sendable {
        private struct Edge: Hashable {
            var parent: String
            var child: String
        }

        private struct SpanKey: Hashable {
            var trace: TraceID
            var span: SpanID
        }

        private var counts: [Edge: UInt64] = [:]

        public init() {}

        /// Adds the edges among `spans` (one flow's or one trace's spans) whose child span
        /// started in `window` (all when nil).
        public mutating func add(_ spans: [SpanRecord], startingIn window: ClosedRange<UInt64>? = nil) {
            var serviceOf: [SpanKey: String] = [:]
            var publishers: [String: Set<String>] = [:]
            var consumers: [String: Set<String>] = [:]
            for span in spans {
                serviceOf[SpanKey(trace: span.traceID, span: span.spanID)] = span.serviceName
                guard let message = MessagingConventions.messageID(span.attributes) else { continue }
                switch MessagingConventions.role(span.attributes, kind: span.kind) {
                case .publish: publishers[message, default: []].insert(span.serviceName)
                case .consume where window.map({ $0.contains(span.startTimeUnixNano) }) ?? true:
                    consumers[message, default: []].insert(span.serviceName)
                default: break
                }
            }
            for (message, services) in consumers {
                for publisher in publishers[message] ?? [] {
                    for consumer in services where consumer != publisher { counts[Edge(parent: publisher, child: consumer), default: 0] += 1 }
                }
            }
            for span in spans where window.map({ $0.contains(span.startTimeUnixNano) }) ?? true {
                var callers: Set<String> = []
                if let parent = span.parentSpanID, let service = serviceOf[SpanKey(trace: span.traceID, span: parent)] { callers.insert(service) }
                for link in span.links {
                    if let service = serviceOf[SpanKey(trace: link.traceID, span: link.spanID)] { callers.insert(service) }
                }
                callers.remove(span.serviceName)
                // A consumer's tie to the publisher of its message is counted with the message.
                if let message = MessagingConventions.messageID(span.attributes),
                    MessagingConventions.role(span.attributes, kind: span.kind) == .consume
                {
                    callers.subtract(publishers[message] ?? [])
                }
                for caller in callers { counts[Edge(parent: caller, child: span.serviceName), default: 0] += 1 }
            }
        }

        /// The edges, by parent then child.
        public var links: [DependencyLink] {
            counts.map { DependencyLink(parent: $0.key.parent, child: $0.key.child, callCount: $0.value) }
                .sorted { ($0.parent, $0.child) < ($1.parent, $1.child) }
        }
    }
}

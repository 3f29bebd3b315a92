import ChoreoModel

/// One flow as process discovery sees it: its message types in step order, with publish times.
///
/// The order is the flows' step order: publish time, then message id. The process map, the
/// variants and the XES export all read events in this order, so the map's directly-follows
/// edges equal the ones any process-mining tool discovers from the exported XES.
public struct FlowPath: Hashable, Sendable {
    /// One published message.
    public struct Event: Hashable, Sendable {
        /// The message type (the activity).
        public var type: String
        /// The publishing service (the resource).
        public var service: String
        public var publishedAtUnixNano: UInt64

        /// Creates an event.
        public init(type: String, service: String, publishedAtUnixNano: UInt64) {
            self.type = type
            self.service = service
            self.publishedAtUnixNano = publishedAtUnixNano
        }
    }

    /// The flow's correlation id (the case).
    public var correlationID: String
    /// The events in step order.
    public var events: [Event]

    /// Creates a path; `events` must already be in step order.
    public init(correlationID: String, events: [Event]) {
        self.correlationID = correlationID
        self.events = events
    }

    /// The message types in order: the flow's variant.
    public var types: [String] { events.map(\.type) }
}

extension Flow {
    /// The flow's path: one event per step, in step order.
    public var path: FlowPath {
        FlowPath(
            correlationID: correlationID,
            events: steps.map {
                FlowPath.Event(type: $0.type, service: $0.source, publishedAtUnixNano: $0.publishedAtUnixNano)
            })
    }
}

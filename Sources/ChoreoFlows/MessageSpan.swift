import ChoreoModel

/// A span read as one publish or one delivery attempt of a message, in any generation of the
/// messaging conventions ``MessagingConventions`` knows (docs/messaging-conventions.md).
///
/// Everything is keyed by message id, so a flow may span any number of traces; parent/child
/// links and span links matter only for spans that name no message or cause
/// (``read(_:typeAttribute:)``).
struct MessageSpan {
    enum Role {
        /// A PRODUCER span: one publish.
        case producer
        /// A CONSUMER span: one delivery attempt.
        case consumer
    }

    let role: Role
    /// The span (its times moved onto the reference clock once the flow's clocks are corrected).
    var span: SpanRecord
    let messageID: String
    /// The type the span states (``MessagingConventions/eventType(_:typeAttribute:)``); nil when
    /// it states none and the step takes its ``topic`` instead.
    let type: String?
    /// The destination (``MessagingConventions/destination(_:)``).
    let topic: String?
    /// The message that caused this publish when only the span graph says so (``read(_:typeAttribute:)``).
    var graphCausationID: String?
    /// True for a `receive` span, which a `process` span of the same delivery may follow.
    let isReceive: Bool
    /// How far the span's times were moved onto the reference clock (adjusted minus recorded).
    var adjustedByNanos: Int64 = 0
    /// True when that move rests on thin evidence (see ``ClockOffset/uncertain``).
    var clockUncertain = false

    // What the step and delivery rules ask of the span, read from its attributes once: a flow
    // rebuild asks each of these many times (sorting attempts compares attempt numbers), and
    // each read is a dictionary lookup.

    /// `choreo.causation_id` as the span states it.
    let statedCausationID: String?
    /// `choreo.compensates`.
    let compensates: String?
    /// The publishing service: `choreo.source`, else (on a producer span) the span's own
    /// service, else (a consumer span) the CloudEvents source.
    let source: String?
    /// The consumer group of a delivery attempt, else the consuming service.
    let consumer: String
    /// The 1-based attempt number, 0 when the span does not say.
    let attempt: Int
    /// True when the attempt failed (span status error).
    let failed: Bool
    /// The attempt's outcome. Without the attribute, a failed attempt counts as final
    /// (`dead_lettered`: no retry is known to come) and any other as `handled`.
    let outcome: DeliveryOutcome
    /// The error of a failed attempt: the status message, else `error.type`.
    let errorText: String?

    /// Reads a messaging span by its own attributes (``MessagingConventions``); nil for any
    /// other span (no message id, or `settle` and the like).
    init?(_ span: SpanRecord) {
        self.init(span, typeAttribute: nil)
    }

    /// Reads a messaging span; `messageID` stands in when the span names no message (one the
    /// span graph gave it).
    init?(_ span: SpanRecord, typeAttribute: String?, messageID fallback: String? = nil) {
        let attributes = span.attributes
        guard let messageID = MessagingConventions.messageID(attributes) ?? fallback else { return nil }
        switch MessagingConventions.role(attributes, kind: span.kind) {
        case .publish?: role = .producer
        case .consume?: role = .consumer
        case .settle?, nil: return nil
        }
        self.span = span
        self.messageID = messageID
        type = MessagingConventions.eventType(attributes, typeAttribute: typeAttribute)
        topic = MessagingConventions.destination(attributes)
        isReceive = role == .consumer && MessagingConventions.isReceive(attributes)
        statedCausationID = Self.nonEmpty(attributes, ChoreoKey.causationID)
        compensates = Self.nonEmpty(attributes, ChoreoKey.compensates)
        source =
            Self.nonEmpty(attributes, ChoreoKey.source)
            ?? (role == .producer ? span.serviceName : Self.nonEmpty(attributes, MessagingConventions.CloudEvents.eventSource))
        // Only deliveries are asked for their group, attempt and outcome: a publish skips the lookups.
        let isDelivery = role == .consumer
        consumer = (isDelivery ? MessagingConventions.consumerGroup(attributes) : nil) ?? span.serviceName
        attempt = isDelivery ? attributes[ChoreoKey.deliveryAttempt]?.intValue.map { Int(clamping: $0) } ?? 0 : 0
        let failed = span.statusCode == .error
        self.failed = failed
        if isDelivery, let raw = attributes[ChoreoKey.deliveryOutcome]?.stringValue, let outcome = DeliveryOutcome(rawValue: raw) {
            self.outcome = outcome
        } else {
            outcome = failed ? .deadLettered : .handled
        }
        if !failed {
            errorText = nil
        } else if let message = span.statusMessage, !message.isEmpty {
            errorText = message
        } else {
            errorText = Self.nonEmpty(attributes, MessagingKey.errorType) ?? "error"
        }
    }

    /// `choreo.causation_id`, else the cause the span graph shows.
    var causationID: String? { statedCausationID ?? graphCausationID }

    /// Orders attempts: attempt number, then end, then start, then span id.
    static func isEarlierAttempt(_ a: MessageSpan, _ b: MessageSpan) -> Bool {
        (a.attempt, a.span.endTimeUnixNano, a.span.startTimeUnixNano, a.span.spanID.value)
            < (b.attempt, b.span.endTimeUnixNano, b.span.startTimeUnixNano, b.span.spanID.value)
    }

    private static func nonEmpty(_ attributes: [String: AttributeValue], _ key: String) -> String? {
        guard case .string(let value)? = attributes[key], !value.isEmpty else { return nil }
        return value
    }
}

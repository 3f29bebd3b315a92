import ChoreoModel

/// A span read as one publish or one delivery attempt of a message, in any generation of the
/// messaging conventions ``MessagingConventions`` knows (docs/messaging-conventions.md).
///
/// Everything is keyed by message id, so a flow may span any number of traces; parent/child
/// links and span links matter only for spans that name no message or cause
/// (``read(_:typeAttribute:)``).
///
/// A class: a flow rebuild hands the same message span to the step, delivery, hop and clock
/// rules many times over, and a copy of a struct holding a whole span record and its strings
/// retained and released each of them (a fifth of a rebuild). Instances are not shared beyond one
/// rebuild; a clock correction makes a moved copy (``moved(span:adjustedByNanos:clockUncertain:)``)
/// rather than changing one in place.
final class MessageSpan {
    enum Role {
        /// A PRODUCER span: one publish.
        case producer
        /// A CONSUMER span: one delivery attempt.
        case consumer
    }

    let role: Role
    /// The span (its times on the reference clock in a copy made by the clock correction).
    let span: SpanRecord
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
    let adjustedByNanos: Int64
    /// True when that move rests on thin evidence (see ``ClockOffset/uncertain``).
    let clockUncertain: Bool

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
    convenience init?(_ span: SpanRecord) {
        self.init(span, typeAttribute: nil)
    }

    /// Reads a messaging span; `messageID` stands in when the span names no message (one the
    /// span graph gave it).
    convenience init?(_ span: SpanRecord, typeAttribute: String?, messageID fallback: String? = nil) {
        self.init(span, reading: MessagingAttributes(span.attributes), typeAttribute: typeAttribute, messageID: fallback)
    }

    /// Reads a messaging span from its attributes as read in one walk (`reading`).
    init?(_ span: SpanRecord, reading: MessagingAttributes, typeAttribute: String?, messageID fallback: String? = nil) {
        guard let messageID = reading.messageID ?? fallback else { return nil }
        switch reading.role(kind: span.kind) {
        case .publish?: role = .producer
        case .consume?: role = .consumer
        case .settle?, nil: return nil
        }
        self.span = span
        self.messageID = messageID
        adjustedByNanos = 0
        clockUncertain = false
        type = reading.eventType(typeAttribute: typeAttribute)
        topic = reading.destination
        isReceive = role == .consumer && reading.isReceive
        statedCausationID = reading.causationID
        compensates = reading.compensates
        source = reading.source ?? (role == .producer ? span.serviceName : reading.cloudEventSource)
        // Only deliveries are asked for their group, attempt and outcome.
        let isDelivery = role == .consumer
        consumer = (isDelivery ? reading.consumerGroup : nil) ?? span.serviceName
        attempt = isDelivery ? reading.deliveryAttempt.map { Int(clamping: $0) } ?? 0 : 0
        let failed = span.statusCode == .error
        self.failed = failed
        if isDelivery, let raw = reading.deliveryOutcome, let outcome = DeliveryOutcome(rawValue: raw) {
            self.outcome = outcome
        } else {
            outcome = failed ? .deadLettered : .handled
        }
        if !failed {
            errorText = nil
        } else if let message = span.statusMessage, !message.isEmpty {
            errorText = message
        } else {
            errorText = reading.errorType ?? "error"
        }
    }

    /// A copy of `other` whose span is `span`, moved onto the reference clock by `adjustedByNanos`.
    private init(_ other: MessageSpan, span: SpanRecord, adjustedByNanos: Int64, clockUncertain: Bool) {
        role = other.role
        self.span = span
        messageID = other.messageID
        type = other.type
        topic = other.topic
        graphCausationID = other.graphCausationID
        isReceive = other.isReceive
        self.adjustedByNanos = adjustedByNanos
        self.clockUncertain = clockUncertain
        statedCausationID = other.statedCausationID
        compensates = other.compensates
        source = other.source
        consumer = other.consumer
        attempt = other.attempt
        failed = other.failed
        outcome = other.outcome
        errorText = other.errorText
    }

    /// This message span with its span replaced by `span` (its times moved onto the reference
    /// clock), told how far and how surely they were moved: a new instance, this one unchanged.
    func moved(span: SpanRecord, adjustedByNanos: Int64, clockUncertain: Bool) -> MessageSpan {
        MessageSpan(self, span: span, adjustedByNanos: adjustedByNanos, clockUncertain: clockUncertain)
    }

    /// `choreo.causation_id`, else the cause the span graph shows.
    var causationID: String? { statedCausationID ?? graphCausationID }

    /// Orders attempts: attempt number, then end, then start, then span id.
    static func isEarlierAttempt(_ a: MessageSpan, _ b: MessageSpan) -> Bool {
        (a.attempt, a.span.endTimeUnixNano, a.span.startTimeUnixNano, a.span.spanID.value)
            < (b.attempt, b.span.endTimeUnixNano, b.span.startTimeUnixNano, b.span.spanID.value)
    }
}

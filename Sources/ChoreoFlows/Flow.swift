import ChoreoModel

/// One business transaction rebuilt from spans: every message that shares a correlation id.
///
/// Encodes to the JSON contract of `choreo flows show --json` (snake_case keys, RFC 3339 times,
/// `null` for absent optional fields).
public struct Flow: Hashable, Sendable {
    public var correlationID: String
    public var status: FlowStatus
    /// The terminal message type (business result), if the flow reached one.
    public var outcome: String?
    /// Every trace the flow's spans belong to, in order of first appearance.
    public var traceIDs: [TraceID]
    public var startedAtUnixNano: UInt64
    public var endedAtUnixNano: UInt64
    /// One step per message, in publish order.
    public var steps: [FlowStep]
    /// The message type a stuck or in-flight flow waits for.
    public var waitingFor: String?
    /// Evidence of lost spans: causation ids that point at messages whose spans never arrived,
    /// plus messages the flow moved on from whose handled delivery span never arrived, plus (in a
    /// stuck flow) announced retries that never arrived.
    public var gaps: Int
    /// What else stands out: messages nobody consumed, dead letters, duplicates, gap ids,
    /// forward steps left uncompensated, deviations from a flow definition.
    public var findings: FlowFindings
    /// The earliest start as recorded, before any clock correction (docs/clock-skew.md).
    public var rawStartedAtUnixNano: UInt64
    /// The latest end as recorded, before any clock correction.
    public var rawEndedAtUnixNano: UInt64

    /// Creates a flow; raw times default to the (corrected) start and end.
    public init(
        correlationID: String, status: FlowStatus, outcome: String?, traceIDs: [TraceID],
        startedAtUnixNano: UInt64, endedAtUnixNano: UInt64, steps: [FlowStep],
        waitingFor: String? = nil, gaps: Int = 0, findings: FlowFindings = FlowFindings(),
        rawStartedAtUnixNano: UInt64? = nil, rawEndedAtUnixNano: UInt64? = nil
    ) {
        self.rawStartedAtUnixNano = rawStartedAtUnixNano ?? startedAtUnixNano
        self.rawEndedAtUnixNano = rawEndedAtUnixNano ?? endedAtUnixNano
        self.findings = findings
        self.correlationID = correlationID
        self.status = status
        self.outcome = outcome
        self.traceIDs = traceIDs
        self.startedAtUnixNano = startedAtUnixNano
        self.endedAtUnixNano = endedAtUnixNano
        self.steps = steps
        self.waitingFor = waitingFor
        self.gaps = gaps
    }
}

/// One message of a flow and what became of it.
public struct FlowStep: Hashable, Sendable {
    public var messageID: String
    /// The event or command type, e.g. `PaymentReceived`.
    public var type: String
    /// The publishing service.
    public var source: String
    public var causationID: String?
    /// The message id of the forward step this message compensates.
    public var compensates: String?
    public var publishedAtUnixNano: UInt64
    /// The topic it was published to.
    public var topic: String?
    /// The trace of the producer span; nil when that span never arrived.
    public var traceID: TraceID?
    /// The producer span; nil when that span never arrived (the step was rebuilt from deliveries).
    public var spanID: SpanID?
    public var deliveries: [FlowDelivery]
    /// How this step is known to be a compensation: marked by its publisher or declared in a
    /// flow definition; nil for a forward step.
    public var compensation: CompensationSource?
    /// The message id of the compensation that undid this step, if any.
    public var compensatedBy: String?
    /// How far the publish time was moved onto the reference clock: corrected minus recorded
    /// (0 when the publisher's clock needed no correction).
    public var adjustedByNanos: Int64
    /// True when the correction rests on thin evidence (docs/clock-skew.md).
    public var timeUncertain: Bool

    public init(
        messageID: String, type: String, source: String, causationID: String?, compensates: String?,
        publishedAtUnixNano: UInt64, topic: String? = nil, traceID: TraceID? = nil, spanID: SpanID? = nil,
        deliveries: [FlowDelivery] = [], compensation: CompensationSource? = nil, compensatedBy: String? = nil,
        adjustedByNanos: Int64 = 0, timeUncertain: Bool = false
    ) {
        self.adjustedByNanos = adjustedByNanos
        self.timeUncertain = timeUncertain
        self.compensation = compensation ?? (compensates != nil ? .marked : nil)
        self.compensatedBy = compensatedBy
        self.messageID = messageID
        self.type = type
        self.source = source
        self.causationID = causationID
        self.compensates = compensates
        self.publishedAtUnixNano = publishedAtUnixNano
        self.topic = topic
        self.traceID = traceID
        self.spanID = spanID
        self.deliveries = deliveries
    }
}

/// What one consumer group did with a message, over all its attempts.
public struct FlowDelivery: Hashable, Sendable {
    /// The consumer group.
    public var consumer: String
    public var attempts: Int
    /// The outcome of the latest attempt.
    public var outcome: DeliveryOutcome
    /// The error of the latest failed attempt, if any.
    public var error: String?
    /// When the first attempt started processing.
    public var firstStartedAtUnixNano: UInt64
    /// When the latest attempt ended.
    public var lastEndedAtUnixNano: UInt64
    /// How many attempts failed (consumer spans with status error).
    public var failedAttempts: Int
    /// The service that ran the consumer (`service.name` of its spans), when known.
    public var service: String?
    /// Publish to the first start of processing (nanoseconds); nil when the publish time is
    /// unknown (producer span missing).
    public var queueTimeNanos: UInt64?
    /// How long the latest attempt ran (nanoseconds).
    public var handlingTimeNanos: UInt64
    /// Every attempt seen, in attempt order.
    public var attemptLog: [FlowAttempt]
    /// How far the consumer's times (those of its latest attempt's clock) were moved onto the
    /// reference clock: corrected minus recorded.
    public var adjustedByNanos: Int64
    /// True when that correction rests on thin evidence, or the first start still preceded the
    /// publish and the queue time was clamped to 0 (docs/clock-skew.md).
    public var timeUncertain: Bool

    public init(
        consumer: String, attempts: Int, outcome: DeliveryOutcome, error: String?,
        firstStartedAtUnixNano: UInt64, lastEndedAtUnixNano: UInt64,
        failedAttempts: Int = 0, service: String? = nil, queueTimeNanos: UInt64? = nil,
        handlingTimeNanos: UInt64 = 0, attemptLog: [FlowAttempt] = [], adjustedByNanos: Int64 = 0, timeUncertain: Bool = false
    ) {
        self.adjustedByNanos = adjustedByNanos
        self.timeUncertain = timeUncertain
        self.queueTimeNanos = queueTimeNanos
        self.handlingTimeNanos = handlingTimeNanos
        self.attemptLog = attemptLog
        self.consumer = consumer
        self.attempts = attempts
        self.outcome = outcome
        self.error = error
        self.firstStartedAtUnixNano = firstStartedAtUnixNano
        self.lastEndedAtUnixNano = lastEndedAtUnixNano
        self.failedAttempts = failedAttempts
        self.service = service
    }
}

extension FlowStep {
    /// The publish time as the publisher's clock recorded it.
    public var rawPublishedAtUnixNano: UInt64 { publishedAtUnixNano.shifted(back: adjustedByNanos) }
}

extension FlowDelivery {
    /// The first start as the consumer's clock recorded it.
    public var rawFirstStartedAtUnixNano: UInt64 { firstStartedAtUnixNano.shifted(back: adjustedByNanos) }
    /// The latest end as the consumer's clock recorded it.
    public var rawLastEndedAtUnixNano: UInt64 { lastEndedAtUnixNano.shifted(back: adjustedByNanos) }
}

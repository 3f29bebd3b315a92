import ChoreoModel

/// The JSON contract of `choreo flows show --json`.
///
/// Keys are snake_case, times RFC 3339 (milliseconds), ids lower-case hex; absent optional fields
/// are encoded as explicit `null`. Scripts depend on it: fields may be added, never renamed.
///
/// Times are corrected for clock skew (docs/clock-skew.md); `raw_*` fields carry the times as
/// recorded, and `adjusted_by_ms` (corrected minus recorded) and `time_uncertain` say how a
/// step's or a delivery's times were corrected.
extension Flow: Codable {
    enum CodingKeys: String, CodingKey {
        case correlationID = "correlation_id"
        case status, outcome
        case traceIDs = "trace_ids"
        case startedAt = "started_at"
        case endedAt = "ended_at"
        case waitingFor = "waiting_for"
        case gaps, steps
        case unconsumed
        case deadLettered = "dead_lettered"
        case duplicatesIgnored = "duplicates_ignored"
        case gapIDs = "gap_ids"
        case unseenDeliveries = "unseen_deliveries"
        case unseenRetries = "unseen_retries"
        case uncompensated, deviations
        case rawStartedAt = "raw_started_at"
        case rawEndedAt = "raw_ended_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            correlationID: try c.decode(String.self, forKey: .correlationID),
            status: try c.decode(FlowStatus.self, forKey: .status),
            outcome: try c.decodeIfPresent(String.self, forKey: .outcome),
            traceIDs: try c.decodeIfPresent([TraceID].self, forKey: .traceIDs) ?? [],
            startedAtUnixNano: try c.decodeRFC3339(.startedAt),
            endedAtUnixNano: try c.decodeRFC3339(.endedAt),
            steps: try c.decodeIfPresent([FlowStep].self, forKey: .steps) ?? [],
            waitingFor: try c.decodeIfPresent(String.self, forKey: .waitingFor),
            gaps: try c.decodeIfPresent(Int.self, forKey: .gaps) ?? 0,
            findings: FlowFindings(
                unconsumed: try c.decodeIfPresent([String].self, forKey: .unconsumed) ?? [],
                deadLettered: try c.decodeIfPresent([String].self, forKey: .deadLettered) ?? [],
                duplicatesIgnored: try c.decodeIfPresent(Int.self, forKey: .duplicatesIgnored) ?? 0,
                gapIDs: try c.decodeIfPresent([String].self, forKey: .gapIDs) ?? [],
                unseenDeliveries: try c.decodeIfPresent([String].self, forKey: .unseenDeliveries) ?? [],
                unseenRetries: try c.decodeIfPresent([String].self, forKey: .unseenRetries) ?? [],
                uncompensated: try c.decodeIfPresent([String].self, forKey: .uncompensated) ?? [],
                deviations: try c.decodeIfPresent([FlowDeviation].self, forKey: .deviations) ?? []
            ),
            rawStartedAtUnixNano: try c.decodeRFC3339IfPresent(.rawStartedAt),
            rawEndedAtUnixNano: try c.decodeRFC3339IfPresent(.rawEndedAt)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(correlationID, forKey: .correlationID)
        try c.encode(status, forKey: .status)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(traceIDs, forKey: .traceIDs)
        try c.encode(UnixTime.rfc3339(startedAtUnixNano), forKey: .startedAt)
        try c.encode(UnixTime.rfc3339(endedAtUnixNano), forKey: .endedAt)
        try c.encode(waitingFor, forKey: .waitingFor)
        try c.encode(gaps, forKey: .gaps)
        try c.encode(steps, forKey: .steps)
        try c.encode(findings.unconsumed, forKey: .unconsumed)
        try c.encode(findings.deadLettered, forKey: .deadLettered)
        try c.encode(findings.duplicatesIgnored, forKey: .duplicatesIgnored)
        try c.encode(findings.gapIDs, forKey: .gapIDs)
        try c.encode(findings.unseenDeliveries, forKey: .unseenDeliveries)
        try c.encode(findings.unseenRetries, forKey: .unseenRetries)
        try c.encode(findings.uncompensated, forKey: .uncompensated)
        try c.encode(findings.deviations, forKey: .deviations)
        try c.encode(UnixTime.rfc3339(rawStartedAtUnixNano), forKey: .rawStartedAt)
        try c.encode(UnixTime.rfc3339(rawEndedAtUnixNano), forKey: .rawEndedAt)
    }
}

extension FlowStep: Codable {
    enum CodingKeys: String, CodingKey {
        case messageID = "message_id"
        case type, source
        case causationID = "causation_id"
        case compensates
        case publishedAt = "published_at"
        case topic
        case traceID = "trace_id"
        case spanID = "span_id"
        case deliveries, compensation
        case compensatedBy = "compensated_by"
        case adjustedBy = "adjusted_by_ms"
        case rawPublishedAt = "raw_published_at"
        case timeUncertain = "time_uncertain"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            messageID: try c.decode(String.self, forKey: .messageID),
            type: try c.decode(String.self, forKey: .type),
            source: try c.decode(String.self, forKey: .source),
            causationID: try c.decodeIfPresent(String.self, forKey: .causationID),
            compensates: try c.decodeIfPresent(String.self, forKey: .compensates),
            publishedAtUnixNano: try c.decodeRFC3339(.publishedAt),
            topic: try c.decodeIfPresent(String.self, forKey: .topic),
            traceID: try c.decodeIfPresent(TraceID.self, forKey: .traceID),
            spanID: try c.decodeIfPresent(SpanID.self, forKey: .spanID),
            deliveries: try c.decodeIfPresent([FlowDelivery].self, forKey: .deliveries) ?? [],
            compensation: try c.decodeIfPresent(CompensationSource.self, forKey: .compensation),
            compensatedBy: try c.decodeIfPresent(String.self, forKey: .compensatedBy),
            adjustedByNanos: try c.decodeSignedMilliseconds(.adjustedBy),
            timeUncertain: try c.decodeIfPresent(Bool.self, forKey: .timeUncertain) ?? false
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(messageID, forKey: .messageID)
        try c.encode(type, forKey: .type)
        try c.encode(source, forKey: .source)
        try c.encode(causationID, forKey: .causationID)
        try c.encode(compensates, forKey: .compensates)
        try c.encode(UnixTime.rfc3339(publishedAtUnixNano), forKey: .publishedAt)
        try c.encode(topic, forKey: .topic)
        try c.encode(traceID, forKey: .traceID)
        try c.encode(spanID, forKey: .spanID)
        try c.encode(deliveries, forKey: .deliveries)
        try c.encode(compensation, forKey: .compensation)
        try c.encode(compensatedBy, forKey: .compensatedBy)
        try c.encode(Milliseconds.signedValue(adjustedByNanos), forKey: .adjustedBy)
        try c.encode(UnixTime.rfc3339(rawPublishedAtUnixNano), forKey: .rawPublishedAt)
        try c.encode(timeUncertain, forKey: .timeUncertain)
    }
}

extension FlowDelivery: Codable {
    enum CodingKeys: String, CodingKey {
        case consumer, attempts, outcome, error
        case startedAt = "started_at"
        case endedAt = "ended_at"
        case failedAttempts = "failed_attempts"
        case service
        case queueMs = "queue_ms"
        case handlingMs = "handling_ms"
        case attemptLog = "attempt_log"
        case adjustedBy = "adjusted_by_ms"
        case rawStartedAt = "raw_started_at"
        case rawEndedAt = "raw_ended_at"
        case timeUncertain = "time_uncertain"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            consumer: try c.decode(String.self, forKey: .consumer),
            attempts: try c.decode(Int.self, forKey: .attempts),
            outcome: try c.decode(DeliveryOutcome.self, forKey: .outcome),
            error: try c.decodeIfPresent(String.self, forKey: .error),
            firstStartedAtUnixNano: try c.decodeRFC3339(.startedAt),
            lastEndedAtUnixNano: try c.decodeRFC3339(.endedAt),
            failedAttempts: try c.decodeIfPresent(Int.self, forKey: .failedAttempts) ?? 0,
            service: try c.decodeIfPresent(String.self, forKey: .service),
            queueTimeNanos: try c.decodeIfPresent(Double.self, forKey: .queueMs).map(Milliseconds.nanos),
            handlingTimeNanos: try c.decodeIfPresent(Double.self, forKey: .handlingMs).map(Milliseconds.nanos) ?? 0,
            attemptLog: try c.decodeIfPresent([FlowAttempt].self, forKey: .attemptLog) ?? [],
            adjustedByNanos: try c.decodeSignedMilliseconds(.adjustedBy),
            timeUncertain: try c.decodeIfPresent(Bool.self, forKey: .timeUncertain) ?? false
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(consumer, forKey: .consumer)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(error, forKey: .error)
        try c.encode(UnixTime.rfc3339(firstStartedAtUnixNano), forKey: .startedAt)
        try c.encode(UnixTime.rfc3339(lastEndedAtUnixNano), forKey: .endedAt)
        try c.encode(failedAttempts, forKey: .failedAttempts)
        try c.encode(service, forKey: .service)
        try c.encode(queueTimeNanos.map(Milliseconds.value), forKey: .queueMs)
        try c.encode(Milliseconds.value(handlingTimeNanos), forKey: .handlingMs)
        try c.encode(attemptLog, forKey: .attemptLog)
        try c.encode(Milliseconds.signedValue(adjustedByNanos), forKey: .adjustedBy)
        try c.encode(UnixTime.rfc3339(rawFirstStartedAtUnixNano), forKey: .rawStartedAt)
        try c.encode(UnixTime.rfc3339(rawLastEndedAtUnixNano), forKey: .rawEndedAt)
        try c.encode(timeUncertain, forKey: .timeUncertain)
    }
}

import ChoreoModel

/// A step plus what the status rules need beyond its public fields.
struct BuiltStep {
    var step: FlowStep
    /// True when some delivery ended in a failure with no retry coming (dead-lettered, or the
    /// latest attempt failed without a `retry` outcome).
    var hasFinalFailure: Bool
}

extension FlowBuilder {
    /// One step per message id, ordered by published time then message id.
    ///
    /// `messages` must be in span order (earliest first). A step comes from its earliest producer
    /// span; each attribute the producer lacks (or the whole step, when the producer span is
    /// missing) is taken from the message's consumer spans.
    static func steps(from messages: [MessageSpan]) -> [BuiltStep] {
        var order: [String] = []
        var byMessage: [String: (producers: [MessageSpan], consumers: [MessageSpan])] = [:]
        for message in messages {
            if byMessage[message.messageID] == nil {
                order.append(message.messageID)
                byMessage[message.messageID] = ([], [])
            }
            switch message.role {
            case .producer: byMessage[message.messageID]?.producers.append(message)
            case .consumer: byMessage[message.messageID]?.consumers.append(message)
            }
        }
        let steps = order.compactMap { id in
            byMessage[id].map { step(id: id, producers: $0.producers, consumers: $0.consumers) }
        }
        return steps.sorted {
            ($0.step.publishedAtUnixNano, $0.step.messageID) < ($1.step.publishedAtUnixNano, $1.step.messageID)
        }
    }

    private static func step(id: String, producers: [MessageSpan], consumers: [MessageSpan]) -> BuiltStep {
        let producer = producers.first
        let all = producers + consumers
        func attribute(_ read: (MessageSpan) -> String?) -> String? { all.lazy.compactMap(read).first }
        let published =
            producer?.span.startTimeUnixNano
            ?? consumers.map(\.span.startTimeUnixNano).min() ?? 0

        var groups: [String: [MessageSpan]] = [:]
        for consumer in consumers { groups[consumer.consumer, default: []].append(consumer) }
        // A `receive` span followed by the `process` span of the same delivery is one attempt.
        for (group, attempts) in groups where attempts.contains(where: \.isReceive) && !attempts.allSatisfy(\.isReceive) {
            groups[group] = attempts.filter { !$0.isReceive }
        }
        let deliveries = groups.map { delivery(consumer: $0.key, attempts: $0.value, publishedAt: producer?.span.startTimeUnixNano) }
            .sorted { ($0.delivery.firstStartedAtUnixNano, $0.delivery.consumer) < ($1.delivery.firstStartedAtUnixNano, $1.delivery.consumer) }

        let step = FlowStep(
            messageID: id,
            type: attribute(\.type) ?? attribute(\.topic) ?? FlowStep.unknownType,
            source: attribute(\.source) ?? FlowStep.unknownSource,
            causationID: attribute(\.causationID),
            compensates: attribute(\.compensates),
            publishedAtUnixNano: published,
            topic: attribute(\.topic),
            traceID: producer?.span.traceID,
            spanID: producer?.span.spanID,
            deliveries: deliveries.map(\.delivery),
            adjustedByNanos: producer?.adjustedByNanos ?? 0,
            timeUncertain: producer?.clockUncertain ?? false
        )
        return BuiltStep(step: step, hasFinalFailure: deliveries.contains { $0.finalFailure })
    }

    /// Folds one consumer group's attempts into a delivery.
    private static func delivery(
        consumer: String, attempts: [MessageSpan], publishedAt: UInt64?
    ) -> (delivery: FlowDelivery, finalFailure: Bool) {
        let ordered = attempts.sorted(by: MessageSpan.isEarlierAttempt)
        let latest = ordered[ordered.count - 1]
        let firstStart = ordered.map(\.span.startTimeUnixNano).min() ?? 0
        let log = ordered.map { attempt in
            FlowAttempt(
                attempt: attempt.attempt, startedAtUnixNano: attempt.span.startTimeUnixNano,
                endedAtUnixNano: attempt.span.endTimeUnixNano, outcome: attempt.outcome, error: attempt.errorText
            )
        }
        let delivery = FlowDelivery(
            consumer: consumer,
            attempts: max(ordered.map(\.attempt).max() ?? 0, ordered.count),
            outcome: latest.outcome,
            error: ordered.last(where: \.failed)?.errorText,
            firstStartedAtUnixNano: ordered.map(\.span.startTimeUnixNano).min() ?? 0,
            lastEndedAtUnixNano: ordered.map(\.span.endTimeUnixNano).max() ?? 0,
            failedAttempts: ordered.filter(\.failed).count,
            service: latest.span.serviceName,
            queueTimeNanos: publishedAt.map { firstStart > $0 ? firstStart - $0 : 0 },
            handlingTimeNanos: latest.span.endTimeUnixNano > latest.span.startTimeUnixNano
                ? latest.span.endTimeUnixNano - latest.span.startTimeUnixNano : 0,
            attemptLog: log,
            adjustedByNanos: latest.adjustedByNanos,
            // A start still before the publish was clamped to it: not a measured queue time.
            timeUncertain: ordered.contains(where: \.clockUncertain) || publishedAt.map { firstStart < $0 } ?? false
        )
        let finalFailure = latest.outcome == .deadLettered || (latest.failed && latest.outcome != .retry)
        return (delivery, finalFailure)
    }
}

extension FlowStep {
    /// The `source` of a step whose publisher is unknown (producer span missing, no `choreo.source`).
    public static let unknownSource = "unknown"
    /// The `type` of a step whose spans state no type and no destination.
    public static let unknownType = "unknown"
}

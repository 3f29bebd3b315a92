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
        // Indices into `messages`, not copies: a copy of a message span copies its whole record.
        var ids = FirstSeenNumbering<String>(minimumCapacity: messages.count / 2)
        var groups: [(producers: [Int], consumers: [Int])] = []
        for (index, message) in messages.enumerated() {
            let (group, isNew) = ids.number(of: message.messageID)
            if isNew { groups.append(([], [])) }
            switch message.role {
            case .producer: groups[group].producers.append(index)
            case .consumer: groups[group].consumers.append(index)
            }
        }
        let steps = groups.indices.map { step(id: ids.keys[$0], producers: groups[$0].producers, consumers: groups[$0].consumers, in: messages) }
        return steps.sorted {
            ($0.step.publishedAtUnixNano, $0.step.messageID) < ($1.step.publishedAtUnixNano, $1.step.messageID)
        }
    }

    private static func step(id: String, producers: [Int], consumers: [Int], in messages: [MessageSpan]) -> BuiltStep {
        let producer = producers.first.map { messages[$0] }
        // Closures, not key paths: a key path applied as a function costs a runtime call per read.
        func attribute(_ read: (MessageSpan) -> String?) -> String? {
            for index in producers { if let value = read(messages[index]) { return value } }
            for index in consumers { if let value = read(messages[index]) { return value } }
            return nil
        }
        let published =
            producer?.span.startTimeUnixNano
            ?? consumers.lazy.map { messages[$0].span.startTimeUnixNano }.min() ?? 0

        // Consumer groups in first-seen order.
        var names = FirstSeenNumbering<String>()
        var groups: [(consumer: String, attempts: [Int])] = []
        for index in consumers {
            let consumer = messages[index].consumer
            let (group, isNew) = names.number(of: consumer)
            if isNew { groups.append((consumer, [])) }
            groups[group].attempts.append(index)
        }
        // A `receive` span followed by the `process` span of the same delivery is one attempt.
        for g in groups.indices {
            let attempts = groups[g].attempts
            if attempts.contains(where: { messages[$0].isReceive }) && !attempts.allSatisfy({ messages[$0].isReceive }) {
                groups[g].attempts = attempts.filter { !messages[$0].isReceive }
            }
        }
        let deliveries = groups.map { group in
            delivery(consumer: group.consumer, attempts: group.attempts, in: messages, publishedAt: producer?.span.startTimeUnixNano)
        }
        .sorted { ($0.delivery.firstStartedAtUnixNano, $0.delivery.consumer) < ($1.delivery.firstStartedAtUnixNano, $1.delivery.consumer) }

        let step = FlowStep(
            messageID: id,
            type: attribute({ $0.type }) ?? attribute({ $0.topic }) ?? FlowStep.unknownType,
            source: attribute({ $0.source }) ?? FlowStep.unknownSource,
            causationID: attribute({ $0.causationID }),
            compensates: attribute({ $0.compensates }),
            publishedAtUnixNano: published,
            topic: attribute({ $0.topic }),
            traceID: producer?.span.traceID,
            spanID: producer?.span.spanID,
            deliveries: deliveries.map(\.delivery),
            adjustedByNanos: producer?.adjustedByNanos ?? 0,
            timeUncertain: producer?.clockUncertain ?? false
        )
        return BuiltStep(step: step, hasFinalFailure: deliveries.contains { $0.finalFailure })
    }

    /// Folds one consumer group's attempts (indices into `messages`) into a delivery.
    private static func delivery(
        consumer: String, attempts: [Int], in messages: [MessageSpan], publishedAt: UInt64?
    ) -> (delivery: FlowDelivery, finalFailure: Bool) {
        let sorted = attempts.sorted { MessageSpan.isEarlierAttempt(messages[$0], messages[$1]) }
        let ordered = sorted.lazy.map { messages[$0] }
        let latest = messages[sorted[sorted.count - 1]]
        let firstStart = ordered.map(\.span.startTimeUnixNano).min() ?? 0
        let log = ordered.map { attempt in
            FlowAttempt(
                attempt: attempt.attempt, startedAtUnixNano: attempt.span.startTimeUnixNano,
                endedAtUnixNano: attempt.span.endTimeUnixNano, outcome: attempt.outcome, error: attempt.errorText
            )
        }
        let delivery = FlowDelivery(
            consumer: consumer,
            attempts: max(ordered.map(\.attempt).max() ?? 0, attempts.count),
            outcome: latest.outcome,
            error: ordered.last(where: \.failed)?.errorText,
            firstStartedAtUnixNano: firstStart,
            lastEndedAtUnixNano: ordered.map(\.span.endTimeUnixNano).max() ?? 0,
            failedAttempts: ordered.filter(\.failed).count,
            service: latest.span.serviceName,
            queueTimeNanos: publishedAt.map { firstStart > $0 ? firstStart - $0 : 0 },
            handlingTimeNanos: latest.span.endTimeUnixNano > latest.span.startTimeUnixNano
                ? latest.span.endTimeUnixNano - latest.span.startTimeUnixNano : 0,
            attemptLog: Array(log),
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

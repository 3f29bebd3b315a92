import ChoreoModel

/// The attribute keys instrumentations send over and over, as static strings: decoding one of
/// them from the wire returns the string compiled into the binary instead of a new one.
///
/// Most messaging and resource keys are longer than the 15 bytes Swift keeps inline, so each
/// decoded copy would be a heap allocation (and a release later) per attribute of every span;
/// a static string costs neither, and its bytes need no UTF-8 validation.
enum InternedKeys {
    static let keys: [String] = [
        MessagingKey.system, MessagingKey.destinationName, MessagingKey.operationType,
        MessagingKey.operationName, MessagingKey.messageID, MessagingKey.conversationID,
        MessagingKey.consumerGroup, MessagingKey.bodySize, MessagingKey.errorType, MessagingKey.serviceName,
        ChoreoKey.eventType, ChoreoKey.causationID, ChoreoKey.compensates, ChoreoKey.source,
        ChoreoKey.deliveryAttempt, ChoreoKey.deliveryOutcome,
        "messaging.destination.partition.id", "messaging.client.id", "messaging.batch.message_count",
        "messaging.message.envelope.size", "messaging.operation", "messaging.destination",
        "messaging.message_id", "messaging.conversation_id", "messaging.rabbitmq.destination.routing_key",
        "messaging.kafka.message.key", "messaging.kafka.consumer.group", "messaging.kafka.message.offset",
        "messaging.kafka.offset", "messaging.destination.kind", "messaging.destination_kind",
        "network.protocol.name", "network.protocol.version", "network.peer.address", "network.peer.port",
        "network.transport", "network.type",
        "cloudevents.event_id", "cloudevents.event_type", "cloudevents.event_source",
        "cloudevents.event_spec_version", "cloudevents.event_subject",
        "service.namespace", "service.version", "service.instance.id",
        "host.name", "host.arch", "host.id", "os.type", "os.description",
        "process.pid", "process.runtime.name", "process.runtime.version", "process.runtime.description",
        "process.executable.name", "process.command", "process.command_args",
        "telemetry.sdk.name", "telemetry.sdk.language", "telemetry.sdk.version",
        "deployment.environment", "deployment.environment.name",
        "exception.type", "exception.message", "exception.stacktrace", "exception.escaped",
        "code.function", "code.namespace", "code.function.name", "code.filepath", "code.lineno",
        "server.address", "server.port", "error.message",
    ]

    private static let slotCount = 512

    /// Open-addressed slots (FNV-1a of the UTF-8 bytes) holding `index + 1` of a key, 0 when empty.
    private static let slots: [UInt16] = {
        var slots = [UInt16](repeating: 0, count: slotCount)
        for (i, key) in keys.enumerated() {
            var slot = hash(Array(key.utf8))
            while slots[slot] != 0 { slot = (slot + 1) & (slotCount - 1) }
            slots[slot] = UInt16(i + 1)
        }
        return slots
    }()

    /// From the shortest key's length to the longest's.
    private static let lengths: ClosedRange<Int> = {
        let counts = keys.map(\.utf8.count)
        return (counts.min() ?? 0)...(counts.max() ?? 0)
    }()

    /// Each key's UTF-8 bytes, for comparing with the wire's.
    private static let bytes: [[UInt8]] = keys.map { Array($0.utf8) }

    private static func hash<C: Collection<UInt8>>(_ key: C) -> Int {
        var h: UInt32 = 2_166_136_261
        for byte in key { h = (h ^ UInt32(byte)) &* 16_777_619 }
        return Int(h & UInt32(slotCount - 1))
    }

    /// The static string whose UTF-8 is `utf8`, or nil when it is not a well-known key.
    static func string(_ utf8: UnsafeBufferPointer<UInt8>) -> String? {
        guard lengths.contains(utf8.count) else { return nil }
        var slot = hash(utf8)
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return nil }
            if bytes[entry - 1].elementsEqual(utf8) { return keys[entry - 1] }
            slot = (slot + 1) & (slotCount - 1)
        }
    }
}

import ChoreoModel

/// Well-known attribute keys, written as a one-byte index instead of their text.
///
/// Messaging spans repeat the same dozen long keys (`messaging.message.conversation_id`...);
/// interning them shrinks a stored span by about half. The table is part of the binary format:
/// append new keys at the end, never reorder or remove one.
enum AttributeKeyTable {
    static let keys: [String] = [
        MessagingKey.system, MessagingKey.destinationName, MessagingKey.operationType,
        MessagingKey.operationName, MessagingKey.messageID, MessagingKey.conversationID,
        MessagingKey.consumerGroup, MessagingKey.bodySize, MessagingKey.errorType, MessagingKey.serviceName,
        ChoreoKey.eventType, ChoreoKey.causationID, ChoreoKey.compensates, ChoreoKey.source,
        ChoreoKey.deliveryAttempt, ChoreoKey.deliveryOutcome,
        "messaging.destination.partition.id", "messaging.client.id", "messaging.batch.message_count",
        "messaging.message.envelope.size", "service.namespace", "service.version", "service.instance.id",
        "host.name", "process.pid", "process.runtime.name", "process.runtime.version",
        "telemetry.sdk.name", "telemetry.sdk.language", "telemetry.sdk.version",
        "deployment.environment", "deployment.environment.name",
        "exception.type", "exception.message", "exception.stacktrace",
        "code.function", "code.namespace", "server.address", "server.port",
    ]

    /// Open-addressed slots (FNV-1a of the UTF-8 bytes) holding `index + 1` of a key, 0 when empty.
    ///
    /// Cheaper than a `Dictionary` lookup, whose seeded SipHash dominates encoding otherwise.
    private static let slots: [UInt8] = {
        var slots = [UInt8](repeating: 0, count: slotCount)
        for (i, key) in keys.enumerated() {
            var slot = hash(key)
            while slots[slot] != 0 { slot = (slot + 1) & (slotCount - 1) }
            slots[slot] = UInt8(i + 1)
        }
        return slots
    }()

    private static let slotCount = 256

    private static func hash(_ key: String) -> Int {
        var h: UInt32 = 2_166_136_261
        for byte in key.utf8 { h = (h ^ UInt32(byte)) &* 16_777_619 }
        return Int(h & UInt32(slotCount - 1))
    }

    /// The index of a well-known key, or nil.
    static func index(of key: String) -> Int? {
        var slot = hash(key)
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return nil }
            if keys[entry - 1] == key { return entry - 1 }
            slot = (slot + 1) & (slotCount - 1)
        }
    }
}

extension ByteWriter {
    /// A key as `varint(index + 1)` when well known, else `0` then the key's text.
    mutating func attributeKey(_ key: String) {
        if let i = AttributeKeyTable.index(of: key) {
            varint(i + 1)
        } else {
            varint(0)
            string(key)
        }
    }
}

extension ByteReader {
    mutating func attributeKey() throws -> String {
        let code = try varint()
        if code == 0 { return try string() }
        guard code <= AttributeKeyTable.keys.count else { throw Self.corrupt("unknown attribute key code \(code)") }
        return AttributeKeyTable.keys[code - 1]
    }
}

internal import CNATS
import ChoreoInstrumentation

/// The bus's JetStream calls. Each blocks the calling thread for one round trip or a few.
extension NATSConnection {
    /// Creates or updates the message stream, the dead-letter stream and the attempt bucket (file storage).
    func declareStreams(_ configuration: NATSBus.Configuration) throws {
        let names = configuration.names
        for (stream, subjects) in [(names.stream, names.streamSubjects), (names.deadLetterStream, names.deadLetterSubjects)] {
            var code = jsErrCode(0)
            let status = choreo_nats_declare_stream(
                jetStream, stream, subjects, configuration.retention.nanoseconds, configuration.duplicateWindow.nanoseconds, &code)
            try Self.check(status, "declare the stream \(stream) (is JetStream enabled: nats-server -js?)", code: code)
        }
        // The attempt bucket is a stream too; the open handle keeps working once it exists again.
        var bucket: OpaquePointer?
        let status = choreo_nats_bucket(&bucket, jetStream, names.attemptsBucket, configuration.retention.nanoseconds)
        if let bucket { kvStore_Destroy(bucket) }
        try Self.check(status, "declare the key-value bucket \(names.attemptsBucket)")
    }

    /// Creates or updates the durable pull consumer of one group on one topic.
    func declareConsumer(_ configuration: NATSBus.Configuration, _ consumer: NATSBus.Consumer) throws {
        var code = jsErrCode(0)
        let status = choreo_nats_declare_consumer(
            jetStream, configuration.names.stream, consumer.durable, "group \(consumer.group) on topic \(consumer.topic)", consumer.subject,
            configuration.ackWait.nanoseconds, Int64(configuration.maxAttempts + configuration.maxCrashRedeliveries),
            Int64(max(1_000, configuration.concurrencyPerSubscription * 64)), &code)
        try Self.check(status, "declare the consumer \(consumer.durable)", code: code)
    }

    /// A pull subscription bound to the consumer (declared before).
    func bind(_ configuration: NATSBus.Configuration, _ consumer: NATSBus.Consumer) throws -> NATSSubscription {
        var code = jsErrCode(0)
        var subscription: OpaquePointer?
        let status = choreo_nats_pull_bind(&subscription, jetStream, configuration.names.stream, consumer.durable, consumer.subject, &code)
        try Self.check(status, "subscribe to the consumer \(consumer.durable)", code: code)
        return NATSSubscription(subscription!, connection: self)
    }

    /// Publishes and waits for JetStream's acknowledgement (the message is stored).
    ///
    /// - Throws: ``PublishFailure``, which says whether trying again later may succeed.
    func publish(_ message: NATSMessage) throws {
        var ack: UnsafeMutablePointer<jsPubAck>?
        var code = jsErrCode(0)
        let status = js_PublishMsg(&ack, jetStream, message.pointer, nil, &code)
        if let ack { jsPubAck_Destroy(ack) }
        do {
            try Self.check(status, "publish to \(message.subject)", code: code)
        } catch let error as BusError {
            throw PublishFailure(status: status, transient: PublishFailure.isTransient(status) || (!isConnected && !isClosed), error: error)
        }
    }

    /// The attempts recorded for `key` (none when absent).
    func attempts(_ key: String) throws -> AttemptRecord {
        var entry: OpaquePointer?
        let status = kvStore_Get(&entry, attempts, key)
        if status == NATS_NOT_FOUND { return AttemptRecord() }
        try Self.check(status, "read the attempts of \(key)")
        defer { kvEntry_Destroy(entry) }
        // The value's own length: nats.c promises a terminating NUL only for values stored with one.
        let length = Int(kvEntry_ValueLen(entry))
        guard length > 0, let bytes = kvEntry_Value(entry) else { return AttemptRecord() }
        return AttemptRecord(String(decoding: UnsafeRawBufferPointer(start: bytes, count: length), as: UTF8.self))
    }

    /// Records the attempts of `key`.
    func setAttempts(_ key: String, _ record: AttemptRecord) throws {
        var revision: UInt64 = 0
        try Self.check(kvStore_PutString(&revision, attempts, key, record.value), "record the attempts of \(key)")
    }

    /// Forgets the attempts of `key`.
    func clearAttempts(_ key: String) throws {
        try Self.check(kvStore_Delete(attempts, key), "forget the attempts of \(key)")
    }

    /// The consumers of the message stream, and their not yet delivered plus unacknowledged messages.
    func consumers(_ configuration: NATSBus.Configuration) throws -> (count: Int, pending: Int) {
        var pending: Int64 = 0
        var count: Int64 = 0
        var code = jsErrCode(0)
        let status = choreo_nats_pending(jetStream, configuration.names.stream, &pending, &count, &code)
        try Self.check(status, "list the consumers", code: code)
        return (Int(count), Int(pending))
    }

    /// Up to `limit` messages of `stream`, oldest first.
    func messages(stream: String, limit: Int) throws -> [NATSMessage] {
        var first: UInt64 = 0
        var last: UInt64 = 0
        var code = jsErrCode(0)
        try Self.check(choreo_nats_stream_range(jetStream, stream, &first, &last, &code), "read the stream \(stream)", code: code)
        var messages: [NATSMessage] = []
        var sequence = first
        while sequence <= last, messages.count < limit {
            var message: OpaquePointer?
            code = jsErrCode(0)
            let status = js_GetMsg(&message, jetStream, stream, sequence, nil, &code)
            if status == NATS_OK, let message {
                messages.append(NATSMessage(message, owner: self))
            } else if status != NATS_NOT_FOUND {
                try Self.check(status, "read message \(sequence) of \(stream)", code: code)
            }
            sequence += 1
        }
        return messages
    }
}

/// A nats.c subscription, destroyed (its interest removed, its consumer kept) with this object.
final class NATSSubscription: @unchecked Sendable {
    let pointer: OpaquePointer
    let connection: NATSConnection

    init(_ pointer: OpaquePointer, connection: NATSConnection) {
        self.pointer = pointer
        self.connection = connection
    }

    deinit { natsSubscription_Destroy(pointer) }

    /// Up to `batch` messages, waiting at most `timeout`. Blocks.
    ///
    /// - Returns: the messages, empty when none came in time.
    /// - Throws: ``BusError`` `unavailable` on any other failure.
    func fetch(batch: Int, timeout: Duration) throws -> [NATSMessage] {
        var list = natsMsgList()
        var code = jsErrCode(0)
        let status = natsSubscription_Fetch(&list, pointer, Int32(batch), timeout.milliseconds, &code)
        defer { natsMsgList_Destroy(&list) }
        var messages: [NATSMessage] = []
        if let entries = list.Msgs {
            for index in 0..<Int(list.Count) {
                guard let message = entries[index] else { continue }
                entries[index] = nil
                messages.append(NATSMessage(message, owner: self))
            }
        }
        if messages.isEmpty, status == NATS_TIMEOUT { return [] }
        if messages.isEmpty { try NATSConnection.check(status, "fetch deliveries", code: code) }
        return messages
    }
}

/// What the attempt bucket holds for one message in one consumer: the attempts made before the
/// next delivery (failed ones, and the successful one that asked for a duplicate), and whether
/// that duplicate was made. Stored as text: `N`, or `N;duplicated` (one value, so one put
/// records both at once).
struct AttemptRecord: Sendable, Hashable {
    var made = 0
    var duplicated = false

    init(made: Int = 0, duplicated: Bool = false) {
        self.made = made
        self.duplicated = duplicated
    }

    init(_ value: String) {
        let parts = value.split(separator: ";")
        made = parts.first.flatMap { Int($0) } ?? 0
        duplicated = parts.dropFirst().contains("duplicated")
    }

    var value: String { duplicated ? "\(made);duplicated" : String(made) }

    /// True when nothing is recorded (no entry to clear once the message is settled).
    var isEmpty: Bool { made == 0 && !duplicated }
}

/// A publish JetStream did not acknowledge.
struct PublishFailure: Error, CustomStringConvertible {
    var status: natsStatus
    /// True when the server may well take it later: no answer in time, nobody answering
    /// (JetStream still recovering after a restart), or the connection down and reconnecting.
    var transient: Bool
    var error: BusError

    var description: String { error.message }

    static func isTransient(_ status: natsStatus) -> Bool {
        [NATS_TIMEOUT, NATS_NO_RESPONDERS, NATS_NOT_YET_CONNECTED, NATS_CONNECTION_DISCONNECTED, NATS_IO_ERROR, NATS_STALE_CONNECTION, NATS_NO_SERVER]
            .contains(status)
    }
}

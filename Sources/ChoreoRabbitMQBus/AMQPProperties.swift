internal import CRabbitMQ

/// The basic properties of an AMQP message that the bus reads and writes, as Swift values.
struct AMQPProperties: Sendable, Hashable {
    var messageID: String?
    var correlationID: String?
    var type: String?
    var appID: String?
    /// Seconds since 1970 (AMQP `timestamp`).
    var timestamp: UInt64?
    /// The headers table.
    var headers: [String: AMQPValue] = [:]

    init(
        messageID: String? = nil, correlationID: String? = nil, type: String? = nil, appID: String? = nil, timestamp: UInt64? = nil,
        headers: [String: AMQPValue] = [:]
    ) {
        self.messageID = messageID
        self.correlationID = correlationID
        self.type = type
        self.appID = appID
        self.timestamp = timestamp
        self.headers = headers
    }

    /// Reads the properties rabbitmq-c decoded (the flags say which are present).
    init(_ raw: amqp_basic_properties_t) {
        func text(_ flag: amqp_flags_t, _ value: amqp_bytes_t) -> String? {
            raw._flags & flag != 0 ? value.string : nil
        }
        messageID = text(choreo_amqp_basic_message_id_flag, raw.message_id)
        correlationID = text(choreo_amqp_basic_correlation_id_flag, raw.correlation_id)
        type = text(choreo_amqp_basic_type_flag, raw.type)
        appID = text(choreo_amqp_basic_app_id_flag, raw.app_id)
        timestamp = raw._flags & choreo_amqp_basic_timestamp_flag != 0 ? raw.timestamp : nil
        if raw._flags & choreo_amqp_basic_headers_flag != 0 {
            for (key, value) in AMQPTable.entries(raw.headers) { headers[key] = value }
        }
    }
}

/// A message ready to publish: where to, its properties and its body. Always persistent.
struct OutgoingMessage: Sendable {
    var exchange: String
    var routingKey: String
    var properties: AMQPProperties
    var body: [UInt8]

    /// Calls `body` with the rabbitmq-c properties, valid only during the call.
    func withProperties<R>(_ body: (UnsafePointer<amqp_basic_properties_t>) throws -> R) rethrows -> R {
        let p = properties
        var raw = amqp_basic_properties_t()
        raw._flags = choreo_amqp_basic_delivery_mode_flag | choreo_amqp_basic_headers_flag
        raw.delivery_mode = 2
        let entries = p.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return try AMQPTable.with(entries) { table in
            raw.headers = table
            if let timestamp = p.timestamp {
                raw._flags |= choreo_amqp_basic_timestamp_flag
                raw.timestamp = timestamp
            }
            return try (p.messageID ?? "").withBytes { messageID in
                try (p.correlationID ?? "").withBytes { correlationID in
                    try (p.type ?? "").withBytes { type in
                        try (p.appID ?? "").withBytes { appID in
                            if p.messageID != nil {
                                raw._flags |= choreo_amqp_basic_message_id_flag
                                raw.message_id = messageID
                            }
                            if p.correlationID != nil {
                                raw._flags |= choreo_amqp_basic_correlation_id_flag
                                raw.correlation_id = correlationID
                            }
                            if p.type != nil {
                                raw._flags |= choreo_amqp_basic_type_flag
                                raw.type = type
                            }
                            if p.appID != nil {
                                raw._flags |= choreo_amqp_basic_app_id_flag
                                raw.app_id = appID
                            }
                            return try withUnsafePointer(to: &raw) { try body($0) }
                        }
                    }
                }
            }
        }
    }
}

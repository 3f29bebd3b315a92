internal import CRabbitMQ
import Foundation

/// A value of an AMQP field table, as far as the bus reads and writes them.
enum AMQPValue: Sendable, Hashable {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case double(Double)
    /// A value of another kind (arrays, nested tables, decimals); kept out of message headers.
    case other

    /// The value as header text: strings as they are, numbers and booleans spelled out.
    var text: String? {
        switch self {
        case .string(let value): value
        case .int(let value): String(value)
        case .bool(let value): value ? "true" : "false"
        case .double(let value): String(value)
        case .other: nil
        }
    }

    /// The value as an integer, from an integer or a decimal string.
    var integer: Int64? {
        switch self {
        case .int(let value): value
        case .string(let value): Int64(value)
        default: nil
        }
    }

    init(_ field: amqp_field_value_t) {
        switch Int(field.kind) {
        case Int(AMQP_FIELD_KIND_UTF8.rawValue), Int(AMQP_FIELD_KIND_BYTES.rawValue): self = .string(field.value.bytes.string)
        case Int(AMQP_FIELD_KIND_BOOLEAN.rawValue): self = .bool(field.value.boolean != 0)
        case Int(AMQP_FIELD_KIND_I8.rawValue): self = .int(Int64(field.value.i8))
        case Int(AMQP_FIELD_KIND_U8.rawValue): self = .int(Int64(field.value.u8))
        case Int(AMQP_FIELD_KIND_I16.rawValue): self = .int(Int64(field.value.i16))
        case Int(AMQP_FIELD_KIND_U16.rawValue): self = .int(Int64(field.value.u16))
        case Int(AMQP_FIELD_KIND_I32.rawValue): self = .int(Int64(field.value.i32))
        case Int(AMQP_FIELD_KIND_U32.rawValue): self = .int(Int64(field.value.u32))
        case Int(AMQP_FIELD_KIND_I64.rawValue): self = .int(field.value.i64)
        case Int(AMQP_FIELD_KIND_U64.rawValue): self = field.value.u64 <= UInt64(Int64.max) ? .int(Int64(field.value.u64)) : .other
        case Int(AMQP_FIELD_KIND_TIMESTAMP.rawValue): self = .int(Int64(clamping: field.value.u64))
        case Int(AMQP_FIELD_KIND_F32.rawValue): self = .double(Double(field.value.f32))
        case Int(AMQP_FIELD_KIND_F64.rawValue): self = .double(field.value.f64)
        default: self = .other
        }
    }
}

/// Converts between Swift key-value lists and rabbitmq-c field tables.
enum AMQPTable {
    /// The entries of a received table, in order.
    static func entries(_ table: amqp_table_t) -> [(String, AMQPValue)] {
        guard table.num_entries > 0, let entries = table.entries else { return [] }
        return (0..<Int(table.num_entries)).map { index in
            (entries[index].key.string, AMQPValue(entries[index].value))
        }
    }

    /// Calls `body` with a table holding `entries`, valid only during the call.
    static func with<R>(_ entries: [(String, AMQPValue)], _ body: (amqp_table_t) throws -> R) rethrows -> R {
        let storage = UnsafeMutablePointer<amqp_table_entry_t>.allocate(capacity: max(1, entries.count))
        var allocated: [amqp_bytes_t] = []
        defer {
            for bytes in allocated { amqp_bytes_free(bytes) }
            storage.deallocate()
        }
        func copy(_ text: String) -> amqp_bytes_t {
            let bytes = Array(text.utf8)
            let copied = amqp_bytes_malloc(max(1, bytes.count))
            bytes.withUnsafeBytes { source in
                if let base = source.baseAddress, let target = copied.bytes { target.copyMemory(from: base, byteCount: bytes.count) }
            }
            allocated.append(copied)
            return amqp_bytes_t(len: bytes.count, bytes: copied.bytes)
        }
        var count = 0
        for (key, value) in entries {
            var field = amqp_field_value_t()
            switch value {
            case .string(let text):
                field.kind = UInt8(AMQP_FIELD_KIND_UTF8.rawValue)
                field.value.bytes = copy(text)
            case .int(let number):
                field.kind = UInt8(AMQP_FIELD_KIND_I64.rawValue)
                field.value.i64 = number
            case .bool(let flag):
                field.kind = UInt8(AMQP_FIELD_KIND_BOOLEAN.rawValue)
                field.value.boolean = flag ? 1 : 0
            case .double(let number):
                field.kind = UInt8(AMQP_FIELD_KIND_F64.rawValue)
                field.value.f64 = number
            case .other:
                continue
            }
            (storage + count).initialize(to: amqp_table_entry_t(key: copy(key), value: field))
            count += 1
        }
        return try body(amqp_table_t(num_entries: Int32(count), entries: storage))
    }
}

extension amqp_bytes_t {
    /// The bytes as UTF-8 text (invalid sequences repaired).
    var string: String {
        guard len > 0, let bytes else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: len), as: UTF8.self)
    }

    /// A copy of the bytes.
    var array: [UInt8] {
        guard len > 0, let bytes else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: len))
    }
}

extension String {
    /// Calls `body` with the string's UTF-8 bytes as `amqp_bytes_t`, valid only during the call.
    func withBytes<R>(_ body: (amqp_bytes_t) throws -> R) rethrows -> R {
        var copy = self
        return try copy.withUTF8 { buffer in
            try body(amqp_bytes_t(len: buffer.count, bytes: UnsafeMutableRawPointer(mutating: buffer.baseAddress)))
        }
    }
}

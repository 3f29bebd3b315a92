internal import CNATS
import ChoreoInstrumentation
import Foundation

/// One nats.c message, destroyed with this object. A fetched message keeps its subscription
/// (and so its connection) alive until it is settled and dropped.
final class NATSMessage: @unchecked Sendable {
    let pointer: OpaquePointer
    private let owner: AnyObject?

    init(_ pointer: OpaquePointer, owner: AnyObject?) {
        self.pointer = pointer
        self.owner = owner
    }

    deinit { natsMsg_Destroy(pointer) }

    /// A new message to `subject` with `headers` and `body`.
    ///
    /// - Throws: ``NATSBusError`` `invalidHeader` for a header that cannot travel; ``BusError`` when nats.c refuses.
    static func make(subject: String, headers: [String: String], body: [UInt8], validating: Bool = true) throws -> NATSMessage {
        if validating {
            for (name, value) in headers { try validate(name: name, value: value) }
        }
        try NATSConnection.openLibrary()
        var pointer: OpaquePointer?
        let status = body.withUnsafeBufferPointer { bytes in
            natsMsg_Create(&pointer, subject, nil, bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, Int32(bytes.count))
        }
        try NATSConnection.check(status, "create a message to \(subject)")
        let message = NATSMessage(pointer!, owner: nil)
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { try message.setHeader(name, value) }
        return message
    }

    /// Sets a header without checking it (the bus's own).
    func setHeader(_ name: String, _ value: String) throws {
        try NATSConnection.check(natsMsgHeader_Set(pointer, name, value), "set header \(name)")
    }

    /// Rejects header names and values NATS cannot carry, and the names the bus reserves.
    static func validate(name: String, value: String) throws {
        let printable = !name.isEmpty && name.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != ":" }
        guard printable else {
            throw NATSBusError(.invalidHeader, "header name '\(name)' must be printable ASCII without spaces or ':'")
        }
        let lower = name.lowercased()
        guard !lower.hasPrefix("nats-"), !lower.hasPrefix(DeadLetterHeader.prefix) else {
            throw NATSBusError(.invalidHeader, "header name '\(name)' is reserved (Nats-* and \(DeadLetterHeader.prefix)*); rename it")
        }
        guard !value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
            throw NATSBusError(.invalidHeader, "the value of header '\(name)' contains a line break or NUL, which NATS headers cannot carry")
        }
    }

    /// Every header (the first value of each), names as sent.
    var allHeaders: [String: String] {
        var keys: UnsafeMutablePointer<UnsafePointer<CChar>?>?
        var count: Int32 = 0
        guard natsMsgHeader_Keys(pointer, &keys, &count) == NATS_OK, let keys else { return [:] }
        defer { free(keys) }
        var headers: [String: String] = [:]
        for index in 0..<Int(count) {
            guard let key = keys[index] else { continue }
            var value: UnsafePointer<CChar>?
            if natsMsgHeader_Get(pointer, key, &value) == NATS_OK, let value {
                headers[String(cString: key)] = String(cString: value)
            }
        }
        return headers
    }

    /// The headers the publisher set: every header but NATS's own (`Nats-*`).
    var userHeaders: [String: String] {
        allHeaders.filter { !$0.key.lowercased().hasPrefix("nats-") }
    }

    var body: [UInt8] {
        let count = Int(natsMsg_GetDataLength(pointer))
        guard count > 0, let data = natsMsg_GetData(pointer) else { return [] }
        return data.withMemoryRebound(to: UInt8.self, capacity: count) { Array(UnsafeBufferPointer(start: $0, count: count)) }
    }

    var subject: String { String(cString: natsMsg_GetSubject(pointer)) }

    /// JetStream's delivery count and stream sequence of a fetched message.
    func metadata() throws -> (delivered: UInt64, streamSequence: UInt64) {
        var meta: UnsafeMutablePointer<jsMsgMetaData>?
        try NATSConnection.check(natsMsg_GetMetaData(&meta, pointer), "read the JetStream metadata of a delivery")
        defer { jsMsgMetaData_Destroy(meta) }
        return (meta!.pointee.NumDelivered, meta!.pointee.Sequence.Stream)
    }

    /// Acknowledges (handled); blocks until written to the connection.
    func ack() throws { try NATSConnection.check(natsMsg_Ack(pointer, nil), "acknowledge a delivery") }

    /// Asks for redelivery after `delay`.
    func nak(delay: Duration) throws {
        try NATSConnection.check(natsMsg_NakWithDelay(pointer, delay.milliseconds, nil), "NAK a delivery")
    }

    /// Tells the server the handler still works on it (resets `ack_wait`).
    func inProgress() throws { try NATSConnection.check(natsMsg_InProgress(pointer, nil), "extend a delivery's ack_wait") }

    /// Ends the message's deliveries to this consumer for good.
    func term() throws { try NATSConnection.check(natsMsg_Term(pointer, nil), "terminate a delivery") }
}

/// The headers a dead letter carries besides the message's own.
enum DeadLetterHeader {
    static let prefix = "choreo-dead-letter-"
    static let topic = prefix + "topic"
    static let group = prefix + "group"
    static let attempts = prefix + "attempts"
    static let errorType = prefix + "error-type"
    static let error = prefix + "error"
}

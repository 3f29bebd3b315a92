internal import CNATS
import ChoreoInstrumentation

/// One connection to a NATS server with its JetStream context and the bus's attempt bucket.
///
/// Thread-safe as nats.c is. Every method blocks the calling thread (a round trip to the
/// server at most), so the bus calls them on its thread pool or a fetcher's own thread, never
/// on Swift's cooperative pool. Destroyed when the last reference goes: subscriptions and
/// fetched messages keep their connection alive, so nats.c objects die in the right order.
final class NATSConnection: @unchecked Sendable {
    let connection: OpaquePointer
    let jetStream: OpaquePointer
    /// The bucket of failed attempt counts (``NATSBus/Names/attemptsBucket``).
    let attempts: OpaquePointer

    /// Connects and opens (or creates) the attempt bucket. Blocks.
    init(configuration: NATSBus.Configuration) throws {
        try Self.openLibrary()
        let names = configuration.names
        var connection: OpaquePointer?
        try Self.check(
            choreo_nats_connect(
                &connection, configuration.url, configuration.connectionName, configuration.connectTimeout.milliseconds,
                configuration.reconnectWait.milliseconds
            ), "connect to \(configuration.url)")
        guard let connection else { throw BusError(.unavailable, "nats.c returned no connection for \(configuration.url)") }
        var jetStream: OpaquePointer?
        var attempts: OpaquePointer?
        do {
            try Self.check(choreo_nats_jetstream(&jetStream, connection, configuration.requestTimeout.milliseconds), "open JetStream")
            try Self.check(
                choreo_nats_bucket(&attempts, jetStream, names.attemptsBucket, configuration.retention.nanoseconds),
                "open the key-value bucket \(names.attemptsBucket) (is JetStream enabled: nats-server -js?)")
        } catch {
            if let attempts { kvStore_Destroy(attempts) }
            if let jetStream { jsCtx_Destroy(jetStream) }
            natsConnection_Destroy(connection)
            throw error
        }
        self.connection = connection
        self.jetStream = jetStream!
        self.attempts = attempts!
    }

    deinit {
        kvStore_Destroy(attempts)
        jsCtx_Destroy(jetStream)
        natsConnection_Destroy(connection)
    }

    /// Closes the connection at once: no further publish, acknowledgement or fetch succeeds.
    func close() { natsConnection_Close(connection) }

    var isClosed: Bool { natsConnection_IsClosed(connection) }

    /// How often the connection was re-established (after the server restarted, say).
    var reconnects: UInt64 { choreo_nats_reconnects(connection) }

    var isConnected: Bool { natsConnection_Status(connection) == NATS_CONN_STATUS_CONNECTED }

    /// Initialises nats.c once per process (its locks and timers); every use of it must come after.
    static func openLibrary() throws {
        try check(libraryOpened, "initialise the nats.c library")
    }

    /// Throws a ``BusError`` `unavailable` naming `what` failed, with nats.c's explanation, unless `status` is OK.
    ///
    /// Call on the thread that made the failing call: nats.c keeps the last error per thread.
    static func check(_ status: natsStatus, _ what: String, code: jsErrCode = jsErrCode(0)) throws {
        guard status != NATS_OK else { return }
        throw BusError(.unavailable, "NATS: cannot \(what): \(describe(status, code: code))")
    }

    /// nats.c's text for `status` and this thread's last error, and the JetStream error code if any.
    static func describe(_ status: natsStatus, code: jsErrCode = jsErrCode(0)) -> String {
        var text = String(cString: natsStatus_GetText(status))
        var last = NATS_OK
        if let detail = nats_GetLastError(&last), last == status {
            let detail = String(cString: detail)
            if !detail.isEmpty, detail != text { text += " (\(detail))" }
        }
        if code.rawValue != 0 { text += " [JetStream error \(code.rawValue)]" }
        return text
    }
}

/// nats.c's initialisation, run once (Swift initialises globals lazily, once, thread-safely).
private let libraryOpened: natsStatus = nats_Open(-1)

extension Duration {
    /// Whole milliseconds, rounded down (nats.c's timeouts).
    var milliseconds: Int64 {
        components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000
    }

    /// Whole nanoseconds (JetStream's durations), saturating.
    var nanoseconds: Int64 {
        let (seconds, overflow) = components.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : seconds &+ components.attoseconds / 1_000_000_000
    }
}

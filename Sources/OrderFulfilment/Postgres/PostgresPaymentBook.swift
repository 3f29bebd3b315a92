import ChoreoPostgresBus
import PostgresNIO

/// Payment's per-order state (``PaymentRecords``) in the bus's `state` table, written in the
/// handler's transaction, so it commits with the handler's publishes and survives the process.
///
/// Rows of service `payment`: `charge:<order>` = `awaiting`, `charged:<message id>`, `failed`
/// or `refunded`; `unavailable:<order>` once the goods are known unavailable. Each operation
/// first takes a transaction-scoped advisory lock on the order, so concurrent handlers (and
/// the deadline) of one order run one after the other and agree on one story, like the
/// in-memory ``PaymentBook``'s mutex.
struct PostgresPaymentBook: PaymentRecords {
    let bus: PostgresBus
    let service = "payment"

    private func lock(_ orderID: String) async throws {
        try await bus.execute("SELECT pg_advisory_xact_lock(hashtext(\("payment:" + orderID)))::text")
    }

    private func setCharge(_ orderID: String, _ value: String) async throws {
        try await bus.execute(
            """
            INSERT INTO \(unescaped: bus.schema).state (service, key, value) VALUES (\(service), \("charge:" + orderID), \(value))
            ON CONFLICT (service, key) DO UPDATE SET value = EXCLUDED.value
            """
        )
    }

    private func charge(_ orderID: String) async throws -> String? {
        let rows = try await bus.execute(
            "SELECT value FROM \(unescaped: bus.schema).state WHERE service = \(service) AND key = \("charge:" + orderID)"
        )
        return try rows.first?.decode(String.self)
    }

    func awaitCard(_ orderID: String) async throws {
        try await lock(orderID)
        try await setCharge(orderID, "awaiting")
    }

    func takeCardUpdate(_ orderID: String) async throws -> Bool {
        try await lock(orderID)
        let rows = try await bus.execute(
            """
            DELETE FROM \(unescaped: bus.schema).state
            WHERE service = \(service) AND key = \("charge:" + orderID) AND value = 'awaiting' RETURNING 1
            """
        )
        return !rows.isEmpty
    }

    func expire(_ orderID: String) async throws -> Bool {
        try await lock(orderID)
        let rows = try await bus.execute(
            """
            UPDATE \(unescaped: bus.schema).state SET value = 'failed'
            WHERE service = \(service) AND key = \("charge:" + orderID) AND value = 'awaiting' RETURNING 1
            """
        )
        return !rows.isEmpty
    }

    func charged(_ orderID: String, messageID: String) async throws -> String? {
        try await lock(orderID)
        let rows = try await bus.execute(
            "SELECT 1 FROM \(unescaped: bus.schema).state WHERE service = \(service) AND key = \("unavailable:" + orderID)"
        )
        let refundNow = !rows.isEmpty
        try await setCharge(orderID, refundNow ? "refunded" : "charged:" + messageID)
        return refundNow ? messageID : nil
    }

    func goodsUnavailable(_ orderID: String) async throws -> String? {
        try await lock(orderID)
        try await bus.execute(
            """
            INSERT INTO \(unescaped: bus.schema).state (service, key, value) VALUES (\(service), \("unavailable:" + orderID), '1')
            ON CONFLICT (service, key) DO NOTHING
            """
        )
        guard let value = try await charge(orderID), value.hasPrefix("charged:") else { return nil }
        try await setCharge(orderID, "refunded")
        return String(value.dropFirst("charged:".count))
    }
}

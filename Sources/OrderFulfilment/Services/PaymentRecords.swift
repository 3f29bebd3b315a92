/// Payment's state per order (see ``PaymentBook``): in memory, or durable in PostgreSQL
/// (``PostgresPaymentBook``), written in the handler's transaction.
protocol PaymentRecords: Sendable {
    /// The card was declined: payment now waits for `CreditCardUpdated` until the deadline.
    func awaitCard(_ orderID: String) async throws
    /// A new card arrived: true when payment was waiting for it (the charge is retried).
    func takeCardUpdate(_ orderID: String) async throws -> Bool
    /// The deadline passed: true when payment was still waiting (the payment fails).
    func expire(_ orderID: String) async throws -> Bool
    /// Records the charge; returns it when the goods are already known to be unavailable.
    func charged(_ orderID: String, messageID: String) async throws -> String?
    /// The goods are unavailable: returns the charge to refund if there is one.
    func goodsUnavailable(_ orderID: String) async throws -> String?
}

extension PaymentBook: PaymentRecords {}

import Synchronization

/// Payment's state per order: whether it waits for a new card, what it charged, and whether
/// the goods turned out unavailable (chain style, where that can arrive before the charge).
///
/// Every transition is atomic, so concurrent handlers and the deadline timer agree on one story.
final class PaymentBook: Sendable {
    enum Charge {
        case awaitingCard
        case charged(messageID: String)
        case failed
        case refunded
    }

    private struct Entry {
        var charge: Charge?
        var goodsUnavailable = false
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// The card was declined: payment now waits for `CreditCardUpdated` until the deadline.
    func awaitCard(_ orderID: String) {
        entries.withLock { $0[orderID, default: Entry()].charge = .awaitingCard }
    }

    /// A new card arrived: true when payment was waiting for it (the charge is retried).
    func takeCardUpdate(_ orderID: String) -> Bool {
        entries.withLock { entries in
            guard case .awaitingCard? = entries[orderID]?.charge else { return false }
            entries[orderID]?.charge = nil
            return true
        }
    }

    /// The deadline passed: true when payment was still waiting (the payment fails).
    func expire(_ orderID: String) -> Bool {
        entries.withLock { entries in
            guard case .awaitingCard? = entries[orderID]?.charge else { return false }
            entries[orderID]?.charge = .failed
            return true
        }
    }

    /// Records the charge (message `messageID`); returns it when the goods are already known to
    /// be unavailable, so the caller refunds it at once.
    func charged(_ orderID: String, messageID: String) -> String? {
        entries.withLock { entries in
            let refundNow = entries[orderID]?.goodsUnavailable ?? false
            entries[orderID, default: Entry()].charge = refundNow ? .refunded : .charged(messageID: messageID)
            return refundNow ? messageID : nil
        }
    }

    /// The goods are unavailable: returns the charge to refund if there is one (and marks it
    /// refunded); otherwise remembers it for when the charge happens.
    func goodsUnavailable(_ orderID: String) -> String? {
        entries.withLock { entries in
            entries[orderID, default: Entry()].goodsUnavailable = true
            guard case .charged(let messageID)? = entries[orderID]?.charge else { return nil }
            entries[orderID]?.charge = .refunded
            return messageID
        }
    }
}

import Synchronization

/// Counts of what ingest rejected, by reason. Nothing is dropped without being counted here.
public final class RejectionCounters: Sendable {
    /// Why a request or span was rejected.
    public enum Reason: String, Sendable, CaseIterable {
        case malformed
        case bodyTooLarge = "body_too_large"
        case invalidSpan = "invalid_span"
        case overloaded
        case storeFailure = "store_failure"
        case unauthorized
    }

    private let counts = Mutex([Reason: Int]())

    public init() {}

    /// Adds `n` rejections for a reason.
    public func count(_ reason: Reason, by n: Int = 1) {
        counts.withLock { $0[reason, default: 0] += n }
    }

    /// The count for a reason.
    public func value(_ reason: Reason) -> Int {
        counts.withLock { $0[reason, default: 0] }
    }
}

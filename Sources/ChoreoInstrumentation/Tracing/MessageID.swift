import Synchronization

/// Cheap unique message ids: a random per-process prefix and a counter.
///
/// Ids look like `3f9a1c07d2e4b851-42`; the 64-bit random prefix keeps them unique across
/// processes, the counter within one. No allocation beyond the string itself.
public enum MessageID {
    private static let counter = Atomic<UInt64>(0)
    private static let prefix: String = {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }()

    /// A new id, unique within this process and, with overwhelming probability, across processes.
    public static func next() -> String {
        let n = counter.add(1, ordering: .relaxed).newValue
        return "\(prefix)-\(n)"
    }
}

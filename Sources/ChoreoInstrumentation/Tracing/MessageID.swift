import Synchronization

/// Cheap unique message ids: a random per-process prefix and a counter.
///
/// Ids look like `3f9a1c07d2e4b851-42`; the 64-bit random prefix keeps them unique across
/// processes, the counter within one. No allocation beyond the string itself, which is
/// written in place (no interpolation).
public enum MessageID {
    private static let counter = Atomic<UInt64>(0)
    /// The prefix's 16 lower-case hex digits.
    private static let prefix: [UInt8] = {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        return (0..<16).map { index in
            let nibble = UInt8(truncatingIfNeeded: value >> UInt64(60 - 4 * index)) & 0xF
            return nibble < 10 ? nibble + UInt8(ascii: "0") : nibble - 10 + UInt8(ascii: "a")
        }
    }()

    /// A new id, unique within this process and, with overwhelming probability, across processes.
    public static func next() -> String {
        let n = counter.add(1, ordering: .relaxed).newValue
        var digits = 1
        var rest = n / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        let length = prefix.count + 1 + digits
        return prefix.withUnsafeBufferPointer { prefix in
            String(unsafeUninitializedCapacity: length) { buffer in
                _ = buffer.initialize(from: prefix)
                buffer[prefix.count] = UInt8(ascii: "-")
                var value = n
                for index in stride(from: length - 1, through: prefix.count + 1, by: -1) {
                    buffer[index] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
                return length
            }
        }
    }
}

/// The hash every flow-sampling decision uses, in the tracer (head sampling) and in the
/// collector (tail sampling), so both keep the same flows at the same ratio.
///
/// 1. `h` = 64-bit FNV-1a of the correlation id's UTF-8 bytes (offset basis
///    `0xcbf29ce484222325`, prime `0x100000001b3`, each byte XORed in before the multiply).
/// 2. `h` = MurmurHash3's `fmix64` of `h`: `h ^= h >> 33; h *= 0xff51afd7ed558ccd;
///    h ^= h >> 33; h *= 0xc4ceb9fe1a85ec53; h ^= h >> 33` (all arithmetic modulo 2^64).
/// 3. A flow is kept at a ratio from 0 to 1 when `h >> 11` (the top 53 bits) is below
///    `ratio * 2^53`: 1 keeps every flow, 0 none.
///
/// For example `order-1` hashes to `0x491b422e3af0d9a5` (top 53 bits / 2^53 ≈ 0.2856: kept at
/// ratio 0.3, not at 0.25) and `order-2` to `0xaaca0c2aeae39bab` (≈ 0.6671).
public struct FlowHash: Sendable, Hashable {
    /// The share of flows kept, from 0 to 1.
    public let ratio: Double
    /// `ratio * 2^53`: flows whose top 53 hash bits are below it are kept.
    private let threshold: UInt64

    /// Keeps `ratio` of the flows (clamped to 0...1; NaN keeps none).
    public init(ratio: Double) {
        let clamped = ratio.isNaN ? 0 : min(1, max(0, ratio))
        self.ratio = clamped
        self.threshold = clamped >= 1 ? 1 << 53 : UInt64(clamped * 9_007_199_254_740_992)
    }

    /// True when the flow with this correlation id falls under the ratio.
    public func keeps(correlationID: String) -> Bool {
        (Self.hash(correlationID) >> 11) < threshold
    }

    /// FNV-1a 64 of the UTF-8 bytes, then `fmix64`.
    public static func hash(_ correlationID: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in correlationID.utf8 {
            h ^= UInt64(byte)
            h &*= 0x100_0000_01b3
        }
        h ^= h >> 33
        h &*= 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h &*= 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return h
    }
}

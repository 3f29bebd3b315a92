/// Integers as decimal text, for the `COPY` rows (``CopyRows``) and the index upsert's JSON
/// (``IndexEntryJSON``): the digits are counted first and written in place, last digit first.
enum DecimalText {
    /// How many decimal digits `magnitude` has (one for zero).
    static func digitCount(_ magnitude: UInt64) -> Int {
        var count = 1
        var rest = magnitude / 10
        while rest > 0 {
            count += 1
            rest /= 10
        }
        return count
    }

    /// Writes the digits of `magnitude` into the first ``digitCount(_:)`` bytes of `out`.
    static func write(_ magnitude: UInt64, into out: UnsafeMutableRawBufferPointer) {
        var rest = magnitude
        for index in stride(from: digitCount(magnitude) - 1, through: 0, by: -1) {
            out[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
    }
}

/// The time ranges `[lower, upper)` (Unix nanoseconds) of the span partitions, and which new
/// ones a batch of start times needs. Pure: no I/O.
struct PartitionMap: Sendable, Equatable {
    /// One partition.
    struct Partition: Sendable, Equatable {
        var name: String
        var range: Range<Int64>
    }

    /// Sorted by lower bound; ranges never overlap.
    private(set) var partitions: [Partition] = []

    init(_ partitions: [Partition] = []) {
        self.partitions = partitions.sorted { $0.range.lowerBound < $1.range.lowerBound }
    }

    /// True when a partition holds `value`.
    func covers(_ value: Int64) -> Bool {
        partitions.contains { $0.range.contains(value) }
    }

    /// The partitions to create so that every value has one: for each value not covered, the
    /// aligned slot of `width` holding it, clipped to the existing neighbours (a partition made
    /// with another width must not overlap). Each range once, in order.
    func missing(for values: some Sequence<Int64>, width: Int64) -> [Range<Int64>] {
        var needed: [Range<Int64>] = []
        for value in values where !covers(value) && !needed.contains(where: { $0.contains(value) }) {
            let slot = Self.slot(of: value, width: width)
            var lower = slot.lowerBound
            var upper = slot.upperBound
            for partition in partitions {
                if partition.range.upperBound <= value { lower = max(lower, partition.range.upperBound) }
                if partition.range.lowerBound > value { upper = min(upper, partition.range.lowerBound) }
            }
            needed.append(lower..<upper)
        }
        return needed.sorted { $0.lowerBound < $1.lowerBound }
    }

    /// The partitions that end at or before `cutoff` (every span in them started before it),
    /// oldest first.
    func expired(before cutoff: Int64) -> [Partition] {
        partitions.filter { $0.range.upperBound <= cutoff }
    }

    /// The aligned range of `width` holding `value` (`value` ≥ 0).
    static func slot(of value: Int64, width: Int64) -> Range<Int64> {
        let lower = value - value % width
        let upper = lower > Int64.max - width ? Int64.max : lower + width
        return lower..<upper
    }

    /// The table name of the partition starting at `lower`: `spans_` and its UTC start,
    /// `yyyymmdd` on a day boundary, else `yyyymmdd_hhmmss`, plus `_n<nanoseconds>` when it
    /// does not start on a whole second (a clipped partition).
    static func name(lower: Int64) -> String {
        let seconds = lower / 1_000_000_000
        let (year, month, day) = civil(days: seconds / 86_400)
        var name = "spans_" + pad(year, 4) + pad(month, 2) + pad(day, 2)
        let inDay = seconds % 86_400
        if inDay != 0 { name += "_" + pad(inDay / 3600, 2) + pad(inDay / 60 % 60, 2) + pad(inDay % 60, 2) }
        if lower % 1_000_000_000 != 0 { name += "_n\(lower % 1_000_000_000)" }
        return name
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01 (days ≥ 0).
    static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

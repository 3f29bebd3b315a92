/// What identifies the set of spans stored for one correlation id, cheaply: it changes whenever
/// a span of the flow is stored or removed, so a flow built from those spans can be reused
/// while it stays the same (the query service's cache of large flows).
public struct FlowSpansFingerprint: Hashable, Sendable {
    /// How many spans carry the correlation id.
    public var count: Int64
    /// The largest and the sum of their row ids (a new span has a new row id).
    public var largestRow: Int64
    public var rowSum: Int64

    public init(count: Int64, largestRow: Int64, rowSum: Int64) {
        self.count = count
        self.largestRow = largestRow
        self.rowSum = rowSum
    }
}

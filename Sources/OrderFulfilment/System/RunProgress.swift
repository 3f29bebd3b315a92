import ChoreoModel

/// How far a run is: reported after every order that reaches a final state.
public struct RunProgress: Sendable, Hashable {
    /// Orders placed so far.
    public var placed: Int
    /// Orders in the run.
    public var total: Int
    /// Orders that reached a final state (ended, failed or stuck).
    public var settled: Int

    /// Creates a progress report.
    public init(placed: Int, total: Int, settled: Int) {
        self.placed = placed
        self.total = total
        self.settled = settled
    }
}

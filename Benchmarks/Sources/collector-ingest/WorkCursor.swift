import Synchronization

/// Hands out the indices `0..<count` to concurrent workers, each index once.
final class WorkCursor: Sendable {
    private let position = Atomic<Int>(0)
    let count: Int

    init(count: Int) { self.count = count }

    /// The next index, or nil when all were taken.
    func next() -> Int? {
        let index = position.add(1, ordering: .relaxed).oldValue
        return index < count ? index : nil
    }
}

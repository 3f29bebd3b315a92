import Synchronization

/// The health of something a daemon depends on (the collector's span store), as its recent
/// calls show it: the latest failure of reads and of writes, each cleared by the next read or
/// write that succeeds.
///
/// Reads and writes are kept apart so that one kind succeeding (the indexer's periodic reads)
/// never hides the other failing (every commit, on a full disk). `/readyz` answers 503 while
/// ``failures`` is not empty.
public final class DependencyHealth: Sendable {
    /// A kind of call.
    public enum Operation: String, Sendable, Hashable, CaseIterable {
        case read
        case write
    }

    /// The latest failure of one kind of call.
    public struct Failure: Sendable, Hashable, CustomStringConvertible {
        public var operation: Operation
        /// What the failed call threw.
        public var message: String
        /// Calls of this kind failed in a row.
        public var count: Int

        public var description: String {
            "\(operation)s failing (\(count) in a row), latest: \(message)"
        }
    }

    private let state = Mutex<[Operation: Failure]>([:])

    /// Healthy: no failure recorded.
    public init() {}

    /// A call of this kind succeeded: its failure, if any, is cleared.
    public func succeeded(_ operation: Operation) {
        state.withLock { _ = $0.removeValue(forKey: operation) }
    }

    /// A call of this kind failed with `error`.
    public func failed(_ operation: Operation, _ error: any Error) {
        state.withLock { failures in
            let count = (failures[operation]?.count ?? 0) + 1
            failures[operation] = Failure(operation: operation, message: "\(error)", count: count)
        }
    }

    /// The kinds of call whose latest outcome was a failure (reads first); empty when healthy.
    public var failures: [Failure] {
        state.withLock { failures in Operation.allCases.compactMap { failures[$0] } }
    }

    /// True when no kind of call is failing.
    public var isHealthy: Bool { state.withLock { $0.isEmpty } }
}

import ChoreoInstrumentation
import Synchronization

/// Collects values from concurrent handlers.
final class Recorder<Value: Sendable>: Sendable {
    private let box = Mutex<[Value]>([])

    func append(_ value: Value) { box.withLock { $0.append(value) } }
    var values: [Value] { box.withLock { $0 } }
    var count: Int { box.withLock { $0.count } }
}

/// A thread-safe counter.
final class Counter: Sendable {
    private let box = Mutex(0)

    @discardableResult
    func increment() -> Int {
        box.withLock {
            $0 += 1
            return $0
        }
    }
    var value: Int { box.withLock { $0 } }
}

import Synchronization

/// Collects values from concurrent callbacks.
final class Recorded<Value: Sendable>: Sendable {
    private let box = Mutex<[Value]>([])

    func append(_ value: Value) { box.withLock { $0.append(value) } }
    var values: [Value] { box.withLock { $0 } }
}

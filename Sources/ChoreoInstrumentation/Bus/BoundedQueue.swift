import Synchronization

/// A bounded FIFO queue between tasks: ``push(_:)`` suspends while the queue is full
/// (backpressure), ``pop()`` suspends while it is empty.
///
/// Both operations honour task cancellation: a cancelled ``push(_:)`` throws `CancellationError`
/// without enqueueing, a cancelled ``pop()`` returns `nil`. Waiters are served in FIFO order.
final class BoundedQueue<Element: Sendable>: Sendable {
    private struct Producer {
        var id: UInt64
        var element: Element
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct Consumer {
        var id: UInt64
        var continuation: CheckedContinuation<Element?, Never>
    }

    private struct State {
        var buffer: [Element] = []
        var head = 0
        var producers: [Producer] = []
        var consumers: [Consumer] = []
        var nextID: UInt64 = 0

        var count: Int { buffer.count - head }

        mutating func makeID() -> UInt64 {
            nextID += 1
            return nextID
        }

        /// Takes the oldest element and refills the freed slot from the oldest waiting producer.
        mutating func take() -> (Element, CheckedContinuation<Void, any Error>?)? {
            if count > 0 {
                let element = buffer[head]
                head += 1
                if head >= 64, head * 2 >= buffer.count {
                    buffer.removeFirst(head)
                    head = 0
                }
                guard !producers.isEmpty else { return (element, nil) }
                let producer = producers.removeFirst()
                buffer.append(producer.element)
                return (element, producer.continuation)
            }
            guard !producers.isEmpty else { return nil }
            let producer = producers.removeFirst()
            return (producer.element, producer.continuation)
        }
    }

    private enum PushAction {
        case handOff(CheckedContinuation<Element?, Never>), done, wait, cancelled
    }

    /// The most elements the queue holds before ``push(_:)`` suspends.
    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// The number of elements queued, not counting producers waiting for room.
    var count: Int { state.withLock { $0.count } }

    /// Appends an element, suspending while the queue is full.
    func push(_ element: Element) async throws {
        let id = state.withLock { $0.makeID() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let action: PushAction = state.withLock { state in
                    if Task.isCancelled { return .cancelled }
                    if !state.consumers.isEmpty { return .handOff(state.consumers.removeFirst().continuation) }
                    if state.count < capacity {
                        state.buffer.append(element)
                        return .done
                    }
                    state.producers.append(Producer(id: id, element: element, continuation: continuation))
                    return .wait
                }
                switch action {
                case .handOff(let consumer):
                    consumer.resume(returning: element)
                    continuation.resume()
                case .done: continuation.resume()
                case .wait: break
                case .cancelled: continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let waiting = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.producers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.producers.remove(at: index).continuation
            }
            waiting?.resume(throwing: CancellationError())
        }
    }

    /// Removes the oldest element, suspending while the queue is empty; `nil` once cancelled.
    func pop() async -> Element? {
        let id = state.withLock { $0.makeID() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Element?, Never>) in
                let taken: (Element, CheckedContinuation<Void, any Error>?)?? = state.withLock { state in
                    if Task.isCancelled { return .some(nil) }
                    if let taken = state.take() { return taken }
                    state.consumers.append(Consumer(id: id, continuation: continuation))
                    return nil
                }
                switch taken {
                case .none: break
                case .some(.none): continuation.resume(returning: nil)
                case .some(.some(let (element, producer))):
                    producer?.resume()
                    continuation.resume(returning: element)
                }
            }
        } onCancel: {
            let waiting = state.withLock { state -> CheckedContinuation<Element?, Never>? in
                guard let index = state.consumers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.consumers.remove(at: index).continuation
            }
            waiting?.resume(returning: nil)
        }
    }
}

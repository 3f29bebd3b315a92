import Synchronization

/// The idempotent consumer's memory: the ids of the messages a service has handled.
///
/// Bounded: beyond ``capacity`` ids, the oldest are forgotten (and counted), so a duplicate
/// arriving that late would be handled again.
final class Inbox: Sendable {
    private struct State {
        var seen: Set<String> = []
        var order: [String] = []
        var head = 0
        var forgotten = 0
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int = 200_000) {
        self.capacity = max(1, capacity)
    }

    /// True when `id` was handled before.
    func contains(_ id: String) -> Bool {
        state.withLock { $0.seen.contains(id) }
    }

    /// Remembers `id` as handled.
    func insert(_ id: String) {
        state.withLock { state in
            guard state.seen.insert(id).inserted else { return }
            state.order.append(id)
            if state.order.count - state.head > capacity {
                state.seen.remove(state.order[state.head])
                state.head += 1
                state.forgotten += 1
                if state.head >= 1_024, state.head * 2 >= state.order.count {
                    state.order.removeFirst(state.head)
                    state.head = 0
                }
            }
        }
    }

    /// Ids forgotten because the inbox was full.
    var forgotten: Int { state.withLock { $0.forgotten } }
}

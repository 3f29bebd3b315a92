/// A bounded FIFO queue: appends fail instead of growing past `capacity`.
///
/// Removal from the front advances an offset and compacts the storage only when more than half
/// of it is consumed, so both ends are amortised O(1) without a ring buffer's preallocation.
package struct SpanQueue<Element> {
    package let capacity: Int
    private var storage: [Element] = []
    private var head = 0

    package init(capacity: Int) {
        precondition(capacity > 0, "a queue needs room for at least one element")
        self.capacity = capacity
    }

    /// The number of queued elements.
    package var count: Int { storage.count - head }

    package var isEmpty: Bool { count == 0 }

    /// Appends `element` unless the queue is full; returns false when it was full.
    package mutating func append(_ element: Element) -> Bool {
        guard count < capacity else { return false }
        storage.append(element)
        return true
    }

    /// Removes and returns up to `maxCount` elements from the front, oldest first.
    package mutating func removeFirst(upTo maxCount: Int) -> [Element] {
        let taken = min(maxCount, count)
        guard taken > 0 else { return [] }
        if head == 0 && taken == storage.count {
            defer { storage = [] }
            return storage
        }
        let batch = Array(storage[head..<head + taken])
        head += taken
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return batch
    }
}

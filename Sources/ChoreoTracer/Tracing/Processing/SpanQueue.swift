/// A bounded FIFO queue: appends fail instead of growing past `capacity`.
///
/// Elements are kept in chunks of `chunkSize` (the processor's export batch size), each
/// allocated once at its full size. Removing up to a chunk's worth from the front hands the
/// first chunk over whole, so both ends are O(1) under the processor's lock: nothing is copied
/// or moved while the threads that end spans wait for it, and a chunk never grows by copying.
package struct SpanQueue<Element> {
    package let capacity: Int
    package let chunkSize: Int
    private var chunks: [[Element]] = []
    /// The index in `chunks` of the oldest chunk still queued.
    private var head = 0
    /// How many elements of `chunks[head]` were already removed (only after a partial removal).
    private var headOffset = 0
    package private(set) var count = 0

    /// A queue of at most `capacity` elements, in chunks of `chunkSize` (at most `capacity`).
    package init(capacity: Int, chunkSize: Int = 512) {
        precondition(capacity > 0, "a queue needs room for at least one element")
        precondition(chunkSize > 0, "a chunk needs room for at least one element")
        self.capacity = capacity
        self.chunkSize = min(chunkSize, capacity)
    }

    package var isEmpty: Bool { count == 0 }

    /// Appends `element` unless the queue is full; returns false when it was full.
    package mutating func append(_ element: Element) -> Bool {
        guard count < capacity else { return false }
        if head == chunks.count || chunks[chunks.count - 1].count == chunkSize {
            var chunk: [Element] = []
            chunk.reserveCapacity(chunkSize)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(element)
        count += 1
        return true
    }

    /// Removes and returns up to `maxCount` elements from the front, oldest first.
    package mutating func removeFirst(upTo maxCount: Int) -> [Element] {
        guard maxCount > 0, count > 0 else { return [] }
        var batch: [Element] = []
        while head < chunks.count, batch.count < maxCount {
            let available = chunks[head].count - headOffset
            let wanted = maxCount - batch.count
            if headOffset == 0 && available <= wanted {
                // The whole chunk: moved out, not copied.
                var chunk: [Element] = []
                swap(&chunk, &chunks[head])
                head += 1
                if batch.isEmpty { batch = chunk } else { batch.append(contentsOf: chunk) }
            } else {
                let taken = min(available, wanted)
                batch.append(contentsOf: chunks[head][headOffset..<headOffset + taken])
                headOffset += taken
                if headOffset == chunks[head].count {
                    chunks[head] = []
                    head += 1
                    headOffset = 0
                }
            }
        }
        count -= batch.count
        if head == chunks.count {
            chunks.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 32 && head * 2 >= chunks.count {
            chunks.removeFirst(head)
            head = 0
        }
        return batch
    }
}

import ChoreoOTLP
import Synchronization

/// A chunk of received spans: one received request, kept serialized so forwarding is faithful
/// (resources, scopes and fields the agent does not interpret pass through unchanged) and
/// small (a few hundred bytes per span, where decoded messages take many times more).
public struct SpanChunk: Sendable {
    /// A serialized ExportTraceServiceRequest holding the spans.
    public var serialized: [UInt8]
    /// Spans in ``serialized``.
    public var spanCount: Int

    /// A chunk kept as a serialized ExportTraceServiceRequest.
    public init(serialized: [UInt8], spanCount: Int) {
        self.serialized = serialized
        self.spanCount = spanCount
    }

    /// A chunk of decoded resource spans, serialized now.
    ///
    /// - Throws: when the message cannot be serialized.
    public init(resourceSpans: [Opentelemetry_Proto_Trace_V1_ResourceSpans], spanCount: Int) throws {
        var request = OTLPExportRequest()
        request.resourceSpans = resourceSpans
        self.init(serialized: try request.serializedBytes(), spanCount: spanCount)
    }
}

/// The agent's bounded in-memory queue between the receiver and the forwarder, in arrival order.
///
/// Bounded in spans and in serialized bytes (what the queue costs in memory: spans vary in
/// size): an ``offer(_:)`` that does not fit is refused (the receiver answers 503 with
/// `Retry-After`, so the sender keeps the spans and retries) — never silently dropped. An empty
/// queue takes any chunk, so one request larger than the bounds still gets through.
public final class SpanQueue: Sendable {
    private struct State {
        var chunks: [SpanChunk] = []
        var head = 0
        var spans = 0
        var bytes = 0
        var waiter = ConsumerWaiter()
    }

    private let capacity: Int
    private let maxBytes: Int
    private let state = Mutex(State())

    /// A queue of at most `capacity` spans and `maxBytes` serialized bytes.
    public init(capacity: Int, maxBytes: Int = .max) {
        self.capacity = capacity
        self.maxBytes = maxBytes
    }

    /// Spans queued now.
    public var depth: Int { state.withLock { $0.spans } }

    /// Serialized bytes queued now.
    public var byteDepth: Int { state.withLock { $0.bytes } }

    /// Appends a chunk; false when it does not fit.
    public func offer(_ chunk: SpanChunk) -> Bool {
        let (accepted, waiter) = state.withLock { s -> (Bool, CheckedContinuation<Void, Never>?) in
            let fits = s.spans + chunk.spanCount <= capacity && s.bytes + chunk.serialized.count <= maxBytes
            guard s.chunks.count == s.head || fits else { return (false, nil) }
            s.chunks.append(chunk)
            s.spans += chunk.spanCount
            s.bytes += chunk.serialized.count
            return (true, s.waiter.take())
        }
        waiter?.resume()
        return accepted
    }

    /// Removes chunks from the front, whole, up to `maxSpans` spans and `maxBytes` serialized
    /// bytes in all; always at least one chunk (the receiver admits none beyond the upstream
    /// limits, so one chunk alone always fits them).
    public func take(maxSpans: Int, maxBytes: Int = .max) -> [SpanChunk] {
        state.withLock { s in
            var taken: [SpanChunk] = []
            var count = 0
            var bytes = 0
            while s.head < s.chunks.count {
                let chunk = s.chunks[s.head]
                if !taken.isEmpty, count + chunk.spanCount > maxSpans || bytes + chunk.serialized.count > maxBytes { break }
                taken.append(chunk)
                count += chunk.spanCount
                bytes += chunk.serialized.count
                s.chunks[s.head].serialized = []  // release the bytes now, not at the next compaction
                s.head += 1
            }
            s.spans -= count
            s.bytes -= bytes
            if s.head > 1024, s.head * 2 > s.chunks.count {
                s.chunks.removeFirst(s.head)
                s.head = 0
            }
            return taken
        }
    }

    /// Suspends until something is queued (returns at once if something already is), or
    /// until the task is cancelled or ``wakeUp()`` is called.
    public func waitForSpans() async {
        await ConsumerWaiter.wait(
            park: { continuation in state.withLock { $0.waiter.park(continuation, unlessReady: $0.spans > 0) } },
            wake: { self.wakeUp() }
        )
    }

    /// Wakes a pending ``waitForSpans()`` (used on shutdown).
    public func wakeUp() {
        state.withLock { $0.waiter.take() }?.resume()
    }
}

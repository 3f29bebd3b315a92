import ChoreoServer
import Logging
import Metrics
import Synchronization
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The agent's write-ahead disk queue: received requests are appended to segment files before
/// the sender gets its 2xx, the forwarder reads them back in order, and a persisted cursor
/// records what the next hop has accepted.
///
/// Segments are append-only files `segment-<id>.spool` of framed records (``SpoolRecord``).
/// A fully sent segment is deleted. When the segments would exceed
/// ``SpoolConfiguration/maxBytes``, the oldest is deleted and its unsent spans are counted as
/// dropped (`reason="spool_full"`). A record that fails its checksum ends its segment: the rest
/// of that segment is skipped, logged and counted (`reason="corrupt"`). Reopening a directory
/// (after a crash or a restart) replays from the cursor; a torn tail left by a crash is
/// detected and skipped.
///
/// Thread-safe; appends and reads take one lock (both are page-cache copies).
public final class Spool: Sendable {
    struct Segment {
        let id: UInt64
        /// Bytes of complete records (the end of the last valid record).
        var bytes: Int
        /// Bytes on disk, torn tail included (for the size cap and the gauge).
        var fileBytes: Int
        /// Spans in the complete records.
        var spans: Int
        /// A read-only descriptor, opened on first read.
        var readFD: Int32?
    }

    struct State {
        var segments: [Segment] = []
        /// The segment appends go to (the last of ``segments``), when open.
        var writeFD: Int32?
        /// The id of the segment ``writeFD`` appends to.
        var writeID: UInt64?
        var nextID: UInt64 = 1
        var dirty = false
        /// The next record to read.
        var read = SpoolPosition(segment: 0, offset: 0)
        /// Spans already read in the read segment.
        var readSpansInSegment = 0
        /// Everything before it was accepted by the next hop (persisted in the cursor file).
        var committed = SpoolPosition(segment: 0, offset: 0)
        /// Spans appended and not yet read.
        var pendingSpans = 0
        var totalBytes = 0
        var waiter = ConsumerWaiter()
        var closed = false
    }

    /// The configuration the spool was opened with.
    public let configuration: SpoolConfiguration
    let logger: Logger
    let state: Mutex<State>
    let droppedFull: MeteredCounter
    let droppedCorrupt: MeteredCounter
    private let lockFD: Int32

    /// Opens (creating it when missing) the spool directory and indexes what is in it.
    ///
    /// - Throws: ``SpoolError`` when the directory cannot be created or listed, or another
    ///   process holds it.
    public init(
        configuration: SpoolConfiguration, logger: Logger, metrics: any MetricsFactory = NOOPMetricsHandler.instance
    ) throws(SpoolError) {
        self.configuration = configuration
        self.logger = logger
        droppedFull = MeteredCounter(label: AgentMetrics.Name.spansDropped, dimensions: [("reason", "spool_full")], factory: metrics)
        droppedCorrupt = MeteredCounter(label: AgentMetrics.Name.spansDropped, dimensions: [("reason", "corrupt")], factory: metrics)
        try SegmentFile.makeDirectory(configuration.directory)
        lockFD = try Self.lock(configuration.directory)
        do {
            state = Mutex(try Self.recover(configuration.directory, logger: logger))
        } catch {
            SegmentFile.closeFile(lockFD)
            throw error
        }
    }

    deinit {
        state.withLock { s in
            if let fd = s.writeFD { SegmentFile.closeFile(fd) }
            for segment in s.segments { if let fd = segment.readFD { SegmentFile.closeFile(fd) } }
        }
        SegmentFile.closeFile(lockFD)
    }

    /// Spans written and not yet handed to the forwarder.
    public var pendingSpans: Int { state.withLock { $0.pendingSpans } }

    /// Bytes in the segment files (the `choreo_agent_spooled_bytes` gauge).
    public var bytes: Int { state.withLock { $0.totalBytes } }

    /// The number of segment files.
    public var segmentCount: Int { state.withLock { $0.segments.count } }

    /// Spans dropped because the spool was full, and because a record was corrupt.
    public var dropped: (spoolFull: Int, corrupt: Int) { (droppedFull.value, droppedCorrupt.value) }

    /// Forces written records to disk (the ``SpoolFsyncPolicy/interval`` tick, and shutdown).
    public func sync() throws(SpoolError) {
        let path = configuration.directory
        let failure: Int32? = state.withLock { s in
            guard s.dirty, let fd = s.writeFD else { return nil }
            s.dirty = false
            return fsync(fd) == 0 ? nil : errno
        }
        if let failure { throw .io("fsync a segment in", path, errno: failure) }
    }

    /// Syncs and closes every file and gives up the directory's lock (another spool may open
    /// it); later appends throw ``SpoolError/Code/closed``.
    public func close() {
        try? sync()
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.closed = true
            if let fd = s.writeFD { SegmentFile.closeFile(fd) }
            s.writeFD = nil
            for index in s.segments.indices {
                if let fd = s.segments[index].readFD { SegmentFile.closeFile(fd) }
                s.segments[index].readFD = nil
            }
            return s.waiter.take()
        }
        flock(lockFD, LOCK_UN)  // the descriptor itself is closed with the spool
        waiter?.resume()
    }

    /// Takes the directory's lock file, so two agents never share a spool.
    private static func lock(_ directory: String) throws(SpoolError) -> Int32 {
        let path = directory + "/lock"
        let fd = try SegmentFile.openFile(path, flags: O_RDWR | O_CREAT)
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            SegmentFile.closeFile(fd)
            throw SpoolError(code: .directory, message: "the spool directory \(directory) is in use by another process; give each agent its own --spool-dir")
        }
        return fd
    }
}

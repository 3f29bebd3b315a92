/// When the spool forces its writes to stable storage with fsync(2).
///
/// Every acknowledged batch has been written with write(2) before the agent answers 2xx, so it
/// survives the agent's death (SIGKILL, crash) under every policy: the kernel holds it. The
/// policy decides what a power loss or kernel crash may take.
public enum SpoolFsyncPolicy: String, Sendable, CaseIterable, CustomStringConvertible {
    /// fsync before every 2xx: nothing acknowledged is lost even on power loss; each request
    /// waits for the disk (milliseconds on SSDs, much more on spinning disks).
    case always
    /// fsync at most once per ``SpoolConfiguration/fsyncInterval`` (default 1 s): a power loss
    /// can lose the last interval's batches; throughput stays that of the page cache. Default.
    case interval
    /// Never fsync (the kernel writes back within ~30 s): a power loss can lose that much.
    case never

    public var description: String { rawValue }
}

/// Where and how the agent spools spans to disk.
public struct SpoolConfiguration: Sendable, Equatable {
    /// The spool directory; created when missing. One agent per directory.
    public var directory: String
    /// The most bytes the segments may hold; beyond it the oldest segment is deleted and its
    /// unsent spans are counted as dropped (`reason="spool_full"`).
    public var maxBytes: Int
    /// When writes are forced to disk.
    public var fsync: SpoolFsyncPolicy
    /// The fsync period of ``SpoolFsyncPolicy/interval``.
    public var fsyncInterval: Duration
    /// A new segment starts when the current one reaches this size. By default 1/16 of
    /// ``maxBytes`` between 1 MiB and 64 MiB, so the cap drops at most ~6% at a time.
    public var segmentBytes: Int

    /// A configuration; see the properties.
    public init(
        directory: String,
        maxBytes: Int = 1 << 30,
        fsync: SpoolFsyncPolicy = .interval,
        fsyncInterval: Duration = .seconds(1),
        segmentBytes: Int? = nil
    ) {
        self.directory = directory
        self.maxBytes = maxBytes
        self.fsync = fsync
        self.fsyncInterval = fsyncInterval
        self.segmentBytes = segmentBytes ?? min(max(maxBytes / 16, 1 << 20), 64 << 20)
    }
}

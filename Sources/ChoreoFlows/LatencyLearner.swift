/// Learns how long each message type normally waits to be consumed, and derives stuck limits.
///
/// A value type: copy it freely; the collector shares one behind a lock (``SharedLatencyLearner``).
/// It keeps the latest ``Configuration/samplesPerType`` consumption latencies of each type (publish
/// to the first start of processing, for steps some consumer handled) and the latest
/// ``Configuration/globalSamples`` of every type together. Every bound is fixed; samples of types
/// beyond ``Configuration/maxTypes`` still count globally and are counted in
/// ``droppedTypeSamples``.
public struct LatencyLearner: Sendable {
    /// Bounds and the rule that turns latencies into limits.
    public struct Configuration: Hashable, Sendable {
        /// The p99 is multiplied by this to give a limit.
        public var margin: Double
        /// No learned limit is shorter than this (nanoseconds).
        public var floorNanos: UInt64
        /// No limit is longer than this (nanoseconds); it is also the limit while nothing is learned.
        /// It wins over ``floorNanos`` when the two cross.
        public var ceilingNanos: UInt64
        /// Samples a type (or the global reservoir) needs before its p99 is trusted.
        public var minimumSamples: Int
        /// Latest samples kept per type.
        public var samplesPerType: Int
        /// Latest samples kept across all types.
        public var globalSamples: Int
        /// Message types tracked at most.
        public var maxTypes: Int
        /// Message ids remembered so a flow rebuilt again is not counted twice.
        public var rememberedMessages: Int

        /// Creates a configuration: by default margin 10×, floor 2 s, ceiling 5 min, 20 samples.
        public init(
            margin: Double = 10, floorNanos: UInt64 = 2_000_000_000,
            ceilingNanos: UInt64 = FlowOptions.defaultStuckAfterNanos, minimumSamples: Int = 20,
            samplesPerType: Int = 1024, globalSamples: Int = 4096, maxTypes: Int = 1024,
            rememberedMessages: Int = 65_536
        ) {
            self.margin = margin
            self.floorNanos = floorNanos
            self.ceilingNanos = ceilingNanos
            self.minimumSamples = minimumSamples
            self.samplesPerType = samplesPerType
            self.globalSamples = globalSamples
            self.maxTypes = maxTypes
            self.rememberedMessages = rememberedMessages
        }
    }

    /// The bounds and rule this learner was made with.
    public let configuration: Configuration
    private var byType: [String: LatencyReservoir] = [:]
    private var global: LatencyReservoir
    private var counted: RecentKeys
    /// Samples not kept per type because ``Configuration/maxTypes`` types were already tracked.
    public private(set) var droppedTypeSamples = 0

    /// Creates an empty learner.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.global = LatencyReservoir(capacity: configuration.globalSamples)
        self.counted = RecentKeys(capacity: configuration.rememberedMessages)
    }

    /// Records the consumption latency of every step of `flow` that a consumer handled.
    ///
    /// The latency is the earliest start of a handled delivery minus the publish time. Steps
    /// without their producer span (publish time unknown) are skipped, and so is a message already
    /// counted, so observing the same flow again as it grows adds only its new steps.
    public mutating func observe(_ flow: Flow) {
        for step in flow.steps where step.spanID != nil {
            let handled = step.deliveries.filter { $0.outcome == .handled }
            guard let started = handled.map(\.firstStartedAtUnixNano).min() else { continue }
            guard counted.insert(flow.correlationID + "\u{0}" + step.messageID) else { continue }
            record(type: step.type, latencyNanos: started > step.publishedAtUnixNano ? started - step.publishedAtUnixNano : 0)
        }
    }

    /// Records one consumption latency of a message of `type`.
    public mutating func record(type: String, latencyNanos: UInt64) {
        global.add(latencyNanos)
        if byType[type] == nil {
            guard byType.count < configuration.maxTypes else {
                droppedTypeSamples += 1
                return
            }
            byType[type] = LatencyReservoir(capacity: configuration.samplesPerType)
        }
        byType[type]?.add(latencyNanos)
    }

    /// Every message type with samples of its own.
    public var trackedTypes: [String] { byType.keys.sorted() }

    /// The number of samples kept for `type`, or across all types when `type` is nil.
    public func sampleCount(for type: String?) -> Int {
        guard let type else { return global.count }
        return byType[type]?.count ?? 0
    }

    /// The nearest-rank percentile `p` (0 < p ≤ 1) of the kept samples of `type` (all types when
    /// nil), in nanoseconds; nil when there is no sample.
    public func percentileNanos(_ p: Double, of type: String?) -> UInt64? {
        guard let type else { return global.percentile(p) }
        return byType[type]?.percentile(p)
    }
}

import ChoreoModel

/// A ``SpanStore`` in memory, for tests of the code around the store. Nothing is persisted.
///
/// Behaves as ``SQLiteSpanStore`` does: spans keyed by (trace id, span id) with re-sent spans
/// ignored, reads ordered by start time then insertion, dirty marks with store-wide increasing
/// versions listed oldest mark first, summaries most recent activity first.
public actor InMemorySpanStore: SpanStore {
    struct SpanKey: Hashable {
        var trace: TraceID
        var span: SpanID
    }

    var records: [SpanRecord] = []
    var keys: Set<SpanKey> = []
    var byTrace: [TraceID: [Int]] = [:]
    var byCorrelation: [String: [Int]] = [:]
    /// Dirty marks: version and the sequence number of the mark's first insertion.
    var dirty: [String: (version: Int64, sequence: Int)] = [:]
    private var version: Int64 = 0
    private var sequence = 0
    var summaries: [String: FlowSummary] = [:]
    var trails: [String: [FlowTrail.Step]] = [:]
    var judgingSettings: [UInt8]?
    var dues: [String: UInt64] = [:]
    /// When tail sampling deleted each sampled-out flow's spans.
    var sampledOut: [String: UInt64] = [:]
    var claims = FlowClaims()

    /// Creates an empty store.
    public init() {}

    public func append(_ spans: [SpanRecord]) async throws {
        var touched: [String] = []
        for span in spans where keys.insert(SpanKey(trace: span.traceID, span: span.spanID)).inserted {
            records.append(span)
            byTrace[span.traceID, default: []].append(records.count - 1)
            if let correlationID = span.correlationID {
                byCorrelation[correlationID, default: []].append(records.count - 1)
                if !touched.contains(correlationID) { touched.append(correlationID) }
            }
        }
        guard !touched.isEmpty else { return }
        version += 1
        for correlationID in touched {
            if let existing = dirty[correlationID] {
                dirty[correlationID] = (version, existing.sequence)
            } else {
                sequence += 1
                dirty[correlationID] = (version, sequence)
            }
        }
    }

    public func spans(traceID: TraceID) async throws -> [SpanRecord] {
        ordered(byTrace[traceID] ?? [])
    }

    public func spans(correlationID: String) async throws -> [SpanRecord] {
        ordered(byCorrelation[correlationID] ?? [])
    }

    public func dirtyFlows(limit: Int) async throws -> [DirtyFlow] {
        dirty.sorted { $0.value.sequence < $1.value.sequence }
            .prefix(max(0, limit))
            .map { DirtyFlow(correlationID: $0.key, version: $0.value.version) }
    }

    public func upsertSummaries(_ summaries: [FlowSummary], clearing: [DirtyFlow]) async throws {
        write(summaries, clearing: clearing)
    }

    /// Writes the summaries whose claim (if `clearing` names one) still holds, clears the marks
    /// whose version did not move, releases the claims; returns the flows not written.
    @discardableResult
    func write(_ summaries: [FlowSummary], clearing: [DirtyFlow]) -> Set<String> {
        let stale = claims.stale(clearing)
        for summary in summaries where !stale.contains(summary.correlationID) {
            self.summaries[summary.correlationID] = summary
            dues[summary.correlationID] = nil
        }
        for mark in clearing where !stale.contains(mark.correlationID) && dirty[mark.correlationID]?.version == mark.version {
            dirty[mark.correlationID] = nil
        }
        claims.release(clearing)
        return stale
    }

    public func flowSummary(correlationID: String) async throws -> FlowSummary? {
        summaries[correlationID]
    }

    public func flowSummaries(_ query: FlowQuery) async throws -> [FlowSummary] {
        let statuses = Set(query.statuses)
        let types = Set(query.types)
        let services = Set(query.services)
        let matching = summaries.values.filter { summary in
            (statuses.isEmpty || statuses.contains(summary.status))
                && (types.isEmpty || !types.isDisjoint(with: summary.types))
                && (services.isEmpty || !services.isDisjoint(with: summary.services))
                && query.since.map { summary.lastActivityAtUnixNano >= $0 } ?? true
                && query.until.map { summary.startedAtUnixNano <= $0 } ?? true
        }
        let sorted = matching.sorted {
            ($0.lastActivityAtUnixNano, $1.correlationID) > ($1.lastActivityAtUnixNano, $0.correlationID)
        }
        return Array(sorted.prefix(max(0, query.limit)))
    }

    public func spanCount() async throws -> Int {
        records.count
    }

    func setTrail(_ trail: [FlowTrail.Step], for correlationID: String) { trails[correlationID] = trail }

    func trail(for correlationID: String) -> [FlowTrail.Step]? { trails[correlationID] }

    func allSpans() -> [SpanRecord] { records }

    /// The records at `indexes` (insertion order), stably ordered by start time.
    private func ordered(_ indexes: [Int]) -> [SpanRecord] {
        indexes.sorted { (records[$0].startTimeUnixNano, $0) < (records[$1].startTimeUnixNano, $1) }
            .map { records[$0] }
    }
}

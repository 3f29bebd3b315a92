import ChoreoModel
import ChoreoServer
import ChoreoStore
import Synchronization

/// The collector's span store as every part of it uses it: each call's outcome is recorded in
/// ``DependencyHealth`` (a failed commit or read marks the store failing, the next success of
/// the same kind clears it), which `/readyz` reports.
final class HealthTrackingStore: SpanStore {
    let base: any SpanStore
    let health: DependencyHealth
    /// True while a probe runs, so concurrent `/readyz` calls start at most one.
    private let probing = Atomic<Bool>(false)

    init(_ base: any SpanStore, health: DependencyHealth) {
        self.base = base
        self.health = health
    }

    /// When a kind of call is failing, tries one of that kind so a store nobody calls (a
    /// balancer stopped sending) is seen to recover: a cheap read, and a commit that changes
    /// nothing (``WriteProbing``; stores without it are probed by clearing a dirty mark that
    /// does not exist).
    func probeIfFailing() async {
        let failing = Set(health.failures.map(\.operation))
        guard !failing.isEmpty, probing.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return }
        defer { probing.store(false, ordering: .releasing) }
        if failing.contains(.read) { _ = try? await dirtyFlows(limit: 1) }
        if failing.contains(.write) {
            if let probe = base as? any WriteProbing {
                _ = try? await track(.write) { try await probe.probeWrite() }
            } else {
                _ = try? await upsertSummaries([], clearing: [DirtyFlow(correlationID: "", version: .min)])
            }
        }
    }

    private func track<T>(_ operation: DependencyHealth.Operation, _ call: () async throws -> T) async throws -> T {
        do {
            let result = try await call()
            health.succeeded(operation)
            return result
        } catch {
            if !(error is CancellationError) { health.failed(operation, error) }
            throw error
        }
    }

    func append(_ spans: [SpanRecord]) async throws { try await track(.write) { try await base.append(spans) } }
    func spans(traceID: TraceID) async throws -> [SpanRecord] { try await track(.read) { try await base.spans(traceID: traceID) } }
    func spans(correlationID: String) async throws -> [SpanRecord] {
        try await track(.read) { try await base.spans(correlationID: correlationID) }
    }
    func spans(correlationIDs: [String]) async throws -> [String: [SpanRecord]] {
        try await track(.read) { try await base.spans(correlationIDs: correlationIDs) }
    }
    func dirtyFlows(limit: Int) async throws -> [DirtyFlow] { try await track(.read) { try await base.dirtyFlows(limit: limit) } }
    func claimDirtyFlows(at unixNano: UInt64, limit: Int, lease: Duration) async throws -> [DirtyFlow] {
        try await track(.read) { try await base.claimDirtyFlows(at: unixNano, limit: limit, lease: lease) }
    }
    func claimDueFlows(at unixNano: UInt64, limit: Int, lease: Duration) async throws -> [DirtyFlow] {
        try await track(.read) { try await base.claimDueFlows(at: unixNano, limit: limit, lease: lease) }
    }
    func releaseClaims(_ marks: [DirtyFlow]) async throws { try await track(.write) { try await base.releaseClaims(marks) } }
    func upsertSummaries(_ summaries: [FlowSummary], clearing: [DirtyFlow]) async throws {
        try await track(.write) { try await base.upsertSummaries(summaries, clearing: clearing) }
    }
    func flowSummary(correlationID: String) async throws -> FlowSummary? {
        try await track(.read) { try await base.flowSummary(correlationID: correlationID) }
    }
    func flowSummaries(_ query: FlowQuery) async throws -> [FlowSummary] { try await track(.read) { try await base.flowSummaries(query) } }
    func spanCount() async throws -> Int { try await track(.read) { try await base.spanCount() } }
    func upsertFlows(_ flows: [IndexedFlow], clearing: [DirtyFlow]) async throws {
        try await track(.write) { try await base.upsertFlows(flows, clearing: clearing) }
    }
    func flowTrails(_ query: FlowQuery) async throws -> [FlowTrail] { try await track(.read) { try await base.flowTrails(query) } }
    func flowCounts(_ query: FlowQuery) async throws -> [FlowStatus: Int] { try await track(.read) { try await base.flowCounts(query) } }
    func stuckFlowGroups() async throws -> [StuckFlowGroup] { try await track(.read) { try await base.stuckFlowGroups() } }
    func dueFlows(at unixNano: UInt64, limit: Int) async throws -> [String] {
        try await track(.read) { try await base.dueFlows(at: unixNano, limit: limit) }
    }
    func judging() async throws -> [UInt8]? { try await track(.read) { try await base.judging() } }
    func sampledOutFlows(_ correlationIDs: [String]) async throws -> [String: SampledOutFlow] {
        try await track(.read) { try await base.sampledOutFlows(correlationIDs) }
    }
    func saveJudging(_ settings: [UInt8]) async throws { try await track(.write) { try await base.saveJudging(settings) } }
    func traceSummaries(_ query: TraceQuery) async throws -> [TraceSummary] {
        try await track(.read) { try await base.traceSummaries(query) }
    }
}

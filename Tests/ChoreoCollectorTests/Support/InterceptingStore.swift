import ChoreoModel
import ChoreoStore
import Synchronization

/// The one store double of the collector tests: an ``InMemorySpanStore`` whose calls a test can
/// fail, delay or hold.
///
/// - `before` and `after` run around every call, named by ``Call``; throwing fails the call.
/// - ``failReads(_:)`` and ``failWrites(_:)`` make span and index reads, or span and index
///   writes, fail until cleared, as a damaged file or a full disk would (the judging settings and
///   due-time lookups keep working).
/// - With `gatedAppends`, appends wait at a gate until ``open()``; ``waitForAppendToStart()``
///   returns once one has reached it.
final class InterceptingStore: SpanStore {
    /// The store's calls.
    enum Call: Sendable, Hashable {
        case append, upsertSummaries, upsertFlows, saveJudging
        case spansOfTrace, spansOfFlow, spansOfFlows, dirtyFlows, flowSummary, flowSummaries, spanCount, flowTrails, flowCounts,
            traceSummaries
        case judging, dueFlows, releaseClaims

        /// Whether ``InterceptingStore/failReads(_:)`` or ``InterceptingStore/failWrites(_:)`` covers the call.
        var faultClass: FaultClass? {
            switch self {
            case .append, .upsertSummaries, .upsertFlows: .write
            case .judging, .dueFlows, .saveJudging, .releaseClaims: nil
            default: .read
            }
        }
    }

    enum FaultClass { case read, write }

    /// A write that fails as a full disk would.
    struct DiskFull: Error {}

    static let ioError = StoreError(.sqlite, "disk I/O error", sqliteCode: 10)
    static let corrupt = StoreError(.sqlite, "database disk image is malformed", sqliteCode: 11)

    let inner = InMemorySpanStore()
    private let before: @Sendable (Call) async throws -> Void
    private let after: @Sendable (Call) async throws -> Void
    private let gatedAppends: Bool

    private struct State {
        var failingReads: (any Error)?
        var failingWrites: (any Error)?
        var gateOpen = false
        var appendsStarted = 0
        var gateWaiters: [CheckedContinuation<Void, Never>] = []
        /// Callers of ``waitForAppends(_:)`` and the count each waits for.
        var startWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }
    private let state = Mutex(State())

    init(
        gatedAppends: Bool = false,
        before: @escaping @Sendable (Call) async throws -> Void = { _ in },
        after: @escaping @Sendable (Call) async throws -> Void = { _ in }
    ) {
        self.gatedAppends = gatedAppends
        self.before = before
        self.after = after
    }

    /// A store whose every append fails with ``DiskFull``.
    static func failingAppends() -> InterceptingStore {
        InterceptingStore(before: { if $0 == .append { throw DiskFull() } })
    }

    func failReads(_ error: (any Error)?) { state.withLock { $0.failingReads = error } }
    func failWrites(_ error: (any Error)?) { state.withLock { $0.failingWrites = error } }

    /// Lets every held and later append through.
    func open() {
        let waiters = state.withLock { s in
            s.gateOpen = true
            defer { s.gateWaiters = [] }
            return s.gateWaiters
        }
        waiters.forEach { $0.resume() }
    }

    /// Returns once an append has reached the gate.
    func waitForAppendToStart() async { await waitForAppends(1) }

    /// Appends that reached the gate so far.
    var appendsStarted: Int { state.withLock { $0.appendsStarted } }

    /// Returns once `count` appends have reached the gate.
    func waitForAppends(_ count: Int) async {
        await withCheckedContinuation { continuation in
            let reached = state.withLock { s in
                if s.appendsStarted >= count { return true }
                s.startWaiters.append((count, continuation))
                return false
            }
            if reached { continuation.resume() }
        }
    }

    private func passGate() async {
        let started = state.withLock { s in
            s.appendsStarted += 1
            let reached = s.startWaiters.filter { $0.count <= s.appendsStarted }
            s.startWaiters.removeAll { $0.count <= s.appendsStarted }
            return reached.map(\.continuation)
        }
        started.forEach { $0.resume() }
        await withCheckedContinuation { continuation in
            let open = state.withLock { s in
                if s.gateOpen { return true }
                s.gateWaiters.append(continuation)
                return false
            }
            if open { continuation.resume() }
        }
    }

    private func intercept<T>(_ call: Call, _ body: () async throws -> T) async throws -> T {
        let fault = state.withLock { s -> (any Error)? in
            switch call.faultClass {
            case .read?: s.failingReads
            case .write?: s.failingWrites
            case nil: nil
            }
        }
        if let fault { throw fault }
        try await before(call)
        if call == .append, gatedAppends { await passGate() }
        let result = try await body()
        try await after(call)
        return result
    }

    func append(_ spans: [SpanRecord]) async throws { try await intercept(.append) { try await inner.append(spans) } }
    func spans(traceID: TraceID) async throws -> [SpanRecord] { try await intercept(.spansOfTrace) { try await inner.spans(traceID: traceID) } }
    func spans(correlationID: String) async throws -> [SpanRecord] {
        try await intercept(.spansOfFlow) { try await inner.spans(correlationID: correlationID) }
    }
    func spans(correlationIDs: [String]) async throws -> [String: [SpanRecord]] {
        try await intercept(.spansOfFlows) { try await inner.spans(correlationIDs: correlationIDs) }
    }
    func dirtyFlows(limit: Int) async throws -> [DirtyFlow] { try await intercept(.dirtyFlows) { try await inner.dirtyFlows(limit: limit) } }
    // Claims go through the hooks of the reads they replace (`dirtyFlows`, `dueFlows`).
    func claimDirtyFlows(at unixNano: UInt64, limit: Int, lease: Duration) async throws -> [DirtyFlow] {
        try await claiming(.dirtyFlows) { try await inner.claimDirtyFlows(at: unixNano, limit: limit, lease: lease) }
    }
    func claimDueFlows(at unixNano: UInt64, limit: Int, lease: Duration) async throws -> [DirtyFlow] {
        try await claiming(.dueFlows) { try await inner.claimDueFlows(at: unixNano, limit: limit, lease: lease) }
    }
    func releaseClaims(_ marks: [DirtyFlow]) async throws { try await intercept(.releaseClaims) { try await inner.releaseClaims(marks) } }

    /// A claim call the double fails after the inner store claimed gives the claims back, as
    /// a failing call of an in-process store takes none.
    private func claiming(_ call: Call, _ claim: () async throws -> [DirtyFlow]) async throws -> [DirtyFlow] {
        var taken: [DirtyFlow] = []
        do {
            return try await intercept(call) {
                taken = try await claim()
                return taken
            }
        } catch {
            try? await inner.releaseClaims(taken)
            throw error
        }
    }
    func upsertSummaries(_ summaries: [FlowSummary], clearing: [DirtyFlow]) async throws {
        try await intercept(.upsertSummaries) { try await inner.upsertSummaries(summaries, clearing: clearing) }
    }
    func flowSummary(correlationID: String) async throws -> FlowSummary? {
        try await intercept(.flowSummary) { try await inner.flowSummary(correlationID: correlationID) }
    }
    func flowSummaries(_ query: FlowQuery) async throws -> [FlowSummary] { try await intercept(.flowSummaries) { try await inner.flowSummaries(query) } }
    func spanCount() async throws -> Int { try await intercept(.spanCount) { try await inner.spanCount() } }
    func upsertFlows(_ flows: [IndexedFlow], clearing: [DirtyFlow]) async throws {
        try await intercept(.upsertFlows) { try await inner.upsertFlows(flows, clearing: clearing) }
    }
    func flowTrails(_ query: FlowQuery) async throws -> [FlowTrail] { try await intercept(.flowTrails) { try await inner.flowTrails(query) } }
    func flowCounts(_ query: FlowQuery) async throws -> [FlowStatus: Int] { try await intercept(.flowCounts) { try await inner.flowCounts(query) } }
    func judging() async throws -> [UInt8]? { try await intercept(.judging) { try await inner.judging() } }
    func sampledOutFlows(_ correlationIDs: [String]) async throws -> [String: SampledOutFlow] {
        try await inner.sampledOutFlows(correlationIDs)
    }
    func dueFlows(at unixNano: UInt64, limit: Int) async throws -> [String] {
        try await intercept(.dueFlows) { try await inner.dueFlows(at: unixNano, limit: limit) }
    }
    func saveJudging(_ settings: [UInt8]) async throws { try await intercept(.saveJudging) { try await inner.saveJudging(settings) } }
    func traceSummaries(_ query: TraceQuery) async throws -> [TraceSummary] {
        try await intercept(.traceSummaries) { try await inner.traceSummaries(query) }
    }
}

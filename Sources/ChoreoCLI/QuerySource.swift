import ChoreoFlows
import ChoreoModel
import ChoreoQuery
import ChoreoStore

/// Where the CLI reads from: a collector's query API, or its SQLite file directly (`--db`).
///
/// Both answer alike, so every command works either way. Failures are ``CLIError``s.
public protocol QuerySource: Sendable {
    /// Flow summaries matching `query`, most recent activity first.
    func flows(_ query: FlowListQuery) async throws -> [FlowSummary]
    /// One flow rebuilt from its spans; `notFound` when there is none.
    func flow(correlationID: String) async throws -> Flow
    /// The process map of the flows matching `query` (default the latest 10000).
    func map(_ query: FlowListQuery) async throws -> ProcessMap
    /// The variants of the flows matching `query`, the first `top` (all when nil).
    func variants(_ query: FlowListQuery, top: Int?) async throws -> VariantReport
    /// The XES event log of the flows matching `query`.
    func xes(_ query: FlowListQuery) async throws -> String
    /// One trace; `notFound` when there is none.
    func trace(_ traceID: TraceID) async throws -> TraceDocument
    /// Traces with a span matching `query`.
    func traces(_ query: TraceQuery) async throws -> [TraceSummary]
}

extension QuerySource {
    /// One flow as `--json` prints it (``JSONOutput/string(_:)``); `notFound` when there is none.
    public func flowJSON(correlationID: String) async throws -> String {
        if let client = self as? CollectorClient { return try await client.flowJSON(correlationID: correlationID) }
        return try JSONOutput.string(try await flow(correlationID: correlationID))
    }
}

/// Flows read for discovery when no `--limit` is given, and at most.
public enum DiscoveryLimits {
    public static let defaultFlows = QueryService.defaultDiscoveryFlows
    public static let maxFlows = QueryService.maxDiscoveryFlows
}

extension FlowListQuery {
    /// The store query of these filters; `defaultLimit` when no limit was given.
    func storeQuery(defaultLimit: Int) -> FlowQuery {
        FlowQuery(statuses: statuses, types: types, services: services, since: since, until: until, limit: limit ?? defaultLimit)
    }
}

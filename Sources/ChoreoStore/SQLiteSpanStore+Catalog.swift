import ChoreoModel

extension SQLiteSpanStore: ServiceCatalog {
    public func serviceNames() async throws -> [String] {
        try await reader.run { try $0.serviceNames() }
    }

    public func operations(service: String, kind: SpanKind?) async throws -> [ServiceOperation] {
        try await reader.run { try $0.operations(service: service) }.filter { kind == nil || $0.kind == kind }
    }

    public func traceIDs(_ search: SpanSearch) async throws -> [TraceID] {
        try await reader.run { try $0.traceIDs(search) }
    }
}

import ChoreoModel
import ChoreoServer
import ChoreoStore

/// The catalog reads of Jaeger's query API, recorded in ``DependencyHealth`` as every read is.
extension HealthTrackingStore: ServiceCatalog {
    func serviceNames() async throws -> [String] {
        try await read { try await $0.serviceNames() }
    }

    func operations(service: String, kind: SpanKind?) async throws -> [ServiceOperation] {
        try await read { try await $0.operations(service: service, kind: kind) }
    }

    func traceIDs(_ search: SpanSearch) async throws -> [TraceID] {
        try await read { try await $0.traceIDs(search) }
    }

    /// Runs a read on the base store as a catalog (every store the collector opens is one).
    private func read<T>(_ call: (any ServiceCatalog) async throws -> T) async throws -> T {
        guard let catalog = base as? any ServiceCatalog else {
            throw StoreError(.database, "this span store cannot list services or search spans for the Jaeger API")
        }
        do {
            let result = try await call(catalog)
            health.succeeded(.read)
            return result
        } catch {
            if !(error is CancellationError) { health.failed(.read, error) }
            throw error
        }
    }
}

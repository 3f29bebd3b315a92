import ChoreoStore

/// The flow fingerprint (what the query service's cache of large flows checks), recorded in
/// ``DependencyHealth`` as every read is.
extension HealthTrackingStore {
    func flowFingerprint(correlationID: String) async throws -> FlowSpansFingerprint? {
        do {
            let result = try await base.flowFingerprint(correlationID: correlationID)
            health.succeeded(.read)
            return result
        } catch {
            if !(error is CancellationError) { health.failed(.read, error) }
            throw error
        }
    }
}

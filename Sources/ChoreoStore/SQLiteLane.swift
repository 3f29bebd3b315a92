import Dispatch

/// Something that owns a SQLite connection and is used from one queue only.
protocol SQLiteResource: AnyObject, SendableMetatype {
    /// Finalizes statements and closes the connection.
    func close()
}

/// One connection-owning resource and the serial queue that alone uses it.
///
/// Blocking SQLite calls run on the lane's own dispatch queue, never on Swift's cooperative
/// thread pool; callers await them through a continuation. `@unchecked Sendable` is sound
/// because `resource` is only touched on `queue`.
final class SQLiteLane<Resource: SQLiteResource>: @unchecked Sendable {
    private let queue: DispatchQueue
    /// Touched only on `queue` (after init).
    private var connection: Resource?

    init(label: String, resource: Resource) {
        self.queue = DispatchQueue(label: label)
        self.connection = resource
    }

    /// Runs `work` on the lane's queue with its resource.
    func run<T: Sendable>(_ work: @escaping @Sendable (Resource) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                guard let connection = self.connection else {
                    return continuation.resume(throwing: StoreError.closedStore)
                }
                continuation.resume(with: Result { try work(connection) })
            }
        }
    }

    /// Closes the resource once the work queued before has finished.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                self.connection?.close()
                self.connection = nil
                continuation.resume()
            }
        }
    }
}

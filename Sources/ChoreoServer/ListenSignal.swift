import NIOCore
import Synchronization

/// Says when a daemon's HTTP server is bound and accepting: fired by Hummingbird's
/// `onServerRunning`, which runs only after the bind succeeded. Start-up logs "listening" from
/// here, and ``Daemon/serve(_:listening:bindTimeout:program:address:logger:)`` gives up when
/// it does not fire in time.
public final class ListenSignal: Sendable {
    private struct State {
        var port: Int?
        var fired = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())
    private let onListening: @Sendable (_ port: Int?) -> Void

    /// - Parameter onListening: called once, with the bound port, when the server listens.
    public init(onListening: @escaping @Sendable (_ port: Int?) -> Void = { _ in }) {
        self.onListening = onListening
    }

    /// True once the server listens.
    public var isListening: Bool { state.withLock { $0.fired } }

    /// The port the server is bound to (useful with port 0), once it listens.
    public var port: Int? { state.withLock { $0.port } }

    /// Pass as `Application(onServerRunning:)`: records the bound port and fires.
    @Sendable public func serverRunning(_ channel: any Channel) async {
        fire(port: channel.localAddress?.port)
    }

    /// Marks the server listening on `port`, wakes every waiter and calls `onListening` once.
    public func fire(port: Int?) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>]? in
            guard !state.fired else { return nil }
            state.fired = true
            state.port = port
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        guard let waiters else { return }
        onListening(port)
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the server listens, or at once when the task is cancelled.
    public func wait() async {
        let id = state.withLock { state -> Int in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.fired || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}

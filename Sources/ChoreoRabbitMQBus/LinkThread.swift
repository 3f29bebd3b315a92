import Foundation
import Synchronization

/// The dedicated thread of one AMQP connection, and the work queued for it.
///
/// rabbitmq-c blocks, so each connection lives on a thread of its own and never on Swift's
/// cooperative pool. Tasks hand work over through a mutex-guarded queue and a self-pipe that
/// wakes the thread from `poll`; the thread waits for the pipe and the connection's socket at once.
final class LinkThread<Job: Sendable>: Sendable {
    private struct State {
        var jobs: [Job] = []
        var stopping = false
        var finished = false
        var finishWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let pipe: (read: Int32, write: Int32)
    let name: String

    init(name: String) {
        self.name = name
        var fds: [Int32] = [-1, -1]
        if Glibc.pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
        } else {
            fds = [-1, -1]
        }
        pipe = (fds[0], fds[1])
    }

    deinit {
        if pipe.read >= 0 { Glibc.close(pipe.read) }
        if pipe.write >= 0 { Glibc.close(pipe.write) }
    }

    /// Starts the thread running `body`; `finish()` is implied when it returns.
    func start(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            body()
            let waiters = state.withLock { state in
                state.finished = true
                defer { state.finishWaiters = [] }
                return state.finishWaiters
            }
            for waiter in waiters { waiter.resume() }
        }
        thread.name = name
        thread.start()
    }

    /// Queues a job and wakes the thread. Returns false (nothing queued) once stopping.
    @discardableResult
    func submit(_ job: Job) -> Bool {
        let queued = state.withLock { state in
            if state.stopping { return false }
            state.jobs.append(job)
            return true
        }
        if queued { wake() }
        return queued
    }

    /// Puts jobs back at the front of the queue (to retry them after reconnecting).
    func requeue(_ jobs: [Job]) {
        state.withLock { $0.jobs.insert(contentsOf: jobs, at: 0) }
    }

    /// Takes every queued job.
    func takeAll() -> [Job] {
        state.withLock { state in
            defer { state.jobs = [] }
            return state.jobs
        }
    }

    /// Asks the thread to stop and wakes it; returns the jobs it will never run.
    func requestStop() -> [Job] {
        let left = state.withLock { state in
            state.stopping = true
            defer { state.jobs = [] }
            return state.jobs
        }
        wake()
        return left
    }

    var isStopping: Bool { state.withLock { $0.stopping } }

    /// Returns once the thread's body has returned (at once if it never started and `requestStop` ran).
    func waitUntilFinished() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state in
                if state.finished { return true }
                state.finishWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    func wake() {
        var byte: UInt8 = 1
        _ = Glibc.write(pipe.write, &byte, 1)
    }

    /// Blocks until the pipe is signalled, `socket` (if not negative) is readable, or `timeout`
    /// passes. Returns true when the socket is readable.
    func wait(socket: Int32, timeout: Duration) -> Bool {
        var fds = [pollfd(fd: pipe.read, events: Int16(POLLIN), revents: 0), pollfd(fd: socket, events: Int16(POLLIN), revents: 0)]
        let (seconds, attoseconds) = timeout.components
        let milliseconds = Int32(clamping: seconds * 1_000 + attoseconds / 1_000_000_000_000_000)
        _ = Glibc.poll(&fds, socket >= 0 ? 2 : 1, milliseconds)
        if fds[0].revents != 0 {
            var buffer = [UInt8](repeating: 0, count: 64)
            while Glibc.read(pipe.read, &buffer, buffer.count) > 0 {}
        }
        return socket >= 0 && fds[1].revents != 0
    }
}

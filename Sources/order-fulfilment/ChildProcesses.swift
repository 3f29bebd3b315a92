import ChoreoModel
import Foundation
import OrderFulfilment
import Synchronization

/// The service processes of `run --processes`: this executable started once per service with
/// `service NAME`, the same bus flags and `--exit-with-parent`; standard error is shared.
final class ChildProcesses: Sendable {
    private let executable: URL
    private let arguments: @Sendable (String) -> [String]
    private let running = Mutex<[String: Process]>([:])
    /// Services whose process ended although nobody stopped it, with how it ended.
    let failures: AsyncStream<String>
    private let failureSink: AsyncStream<String>.Continuation

    /// `arguments(service)` are the child's arguments after the executable.
    init(arguments: @escaping @Sendable (String) -> [String]) {
        executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        self.arguments = arguments
        (failures, failureSink) = AsyncStream.makeStream(of: String.self)
    }

    /// Starts `service`'s process (again, if it was stopped). With `ready`, the child's
    /// standard output is read: the gate opens at its `ready SERVICE` line, or fails if the
    /// output ends first (the child exited).
    func start(_ service: String, ready: ReadyGate? = nil) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments(service)
        if let ready {
            let pipe = Pipe()
            process.standardOutput = pipe
            Self.watchOutput(pipe.fileHandleForReading, for: "ready \(service)", ready: ready, service: service)
        } else {
            process.standardOutput = FileHandle.nullDevice
        }
        process.terminationHandler = { [weak self] process in
            // Still registered: nobody stopped it (stop() and stopAll() unregister first).
            guard let self, running.withLock({ $0[service] === process }) else { return }
            let how =
                process.terminationReason == .uncaughtSignal
                ? "was killed by signal \(process.terminationStatus)" : "exited with status \(process.terminationStatus)"
            failureSink.yield("service \(service) (pid \(process.processIdentifier)) \(how) (see its errors above)")
        }
        try running.withLock { running in
            // Registered before it can end, so an early crash is reported too.
            running[service] = process
            do {
                try process.run()
            } catch {
                running[service] = nil
                throw error
            }
        }
    }

    /// Reads the child's output until it ends (so the pipe never fills), opening `ready` at
    /// the line `line`. Reads with read(2), retrying an interrupted read (FileHandle's
    /// `availableData` traps on any read error, EINTR included).
    private static func watchOutput(_ handle: FileHandle, for line: String, ready: ReadyGate, service: String) {
        Thread.detachNewThread {
            var buffer: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            var seen = false
            let descriptor = handle.fileDescriptor
            while true {
                let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                guard !seen else { continue }
                buffer.append(contentsOf: chunk[..<count])
                let text = String(decoding: buffer, as: UTF8.self)
                if text.split(separator: "\n").contains(where: { $0 == line }) {
                    seen = true
                    buffer = []
                    ready.open(.success(()))
                }
            }
            try? handle.close()
            ready.open(.failure(OrderFulfilmentError(.busStopped, "service \(service) exited before it was ready (see its errors above)")))
        }
    }

    /// Stops `service`'s process (SIGTERM) and waits for it to exit.
    func stop(_ service: String) {
        guard let process = running.withLock({ $0.removeValue(forKey: service) }) else { return }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// Stops every process (SIGTERM to all, then waits for each: they flush their spans).
    func stopAll() {
        let all = running.withLock { running in
            defer { running = [:] }
            return Array(running.values)
        }
        for process in all where process.isRunning { process.terminate() }
        for process in all { process.waitUntilExit() }
    }
}

/// The services of a broker run as processes of their own (`run --processes`).
final class ChildServices: ServiceHost {
    let children: ChildProcesses

    init(arguments: @escaping @Sendable (String) -> [String]) {
        children = ChildProcesses(arguments: arguments)
    }

    func start(_ service: String) async throws {
        let ready = ReadyGate()
        try children.start(service, ready: ready)
        try await ready.wait()
    }

    func stop(_ service: String) async {
        let children = children
        await Self.offThePool { children.stop(service) }
    }

    func stopAll() async {
        let children = children
        await Self.offThePool { children.stopAll() }
    }

    func watchForFailures() async throws {
        for await failure in children.failures { throw OrderFulfilmentError(.serviceFailed, failure) }
    }

    /// Runs a blocking wait on a thread of its own, not on the cooperative pool.
    private static func offThePool(_ body: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                body()
                continuation.resume()
            }
        }
    }
}

/// Services started by someone else (`run --external-services`): the run neither starts nor
/// stops them, so an outage fault is theirs to make.
struct ExternalServices: ServiceHost {
    func start(_ service: String) async throws {}
    func stop(_ service: String) async {}
    func stopAll() async {}
    /// Their failures are theirs to see: the run notices only that orders stop settling.
    func watchForFailures() async throws {}
}

import Foundation
import Synchronization

/// The service processes of `run --processes`: this executable started once per service with
/// `service NAME`, the same bus flags and `--exit-with-parent`; standard error is shared.
final class ChildProcesses: Sendable {
    private let executable: URL
    private let arguments: @Sendable (String) -> [String]
    private let running = Mutex<[String: Process]>([:])

    /// `arguments(service)` are the child's arguments after the executable.
    init(arguments: @escaping @Sendable (String) -> [String]) {
        executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        self.arguments = arguments
    }

    /// Starts `service`'s process (again, if it was stopped).
    func start(_ service: String) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments(service)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        running.withLock { $0[service] = process }
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

    /// The services whose process exited by itself (crashed), with their status.
    var exited: [String: Int32] {
        running.withLock { $0.filter { !$0.value.isRunning }.mapValues(\.terminationStatus) }
    }
}

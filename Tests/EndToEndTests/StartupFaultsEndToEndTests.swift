import Foundation
import Testing

/// The real daemons at start-up: a port they cannot bind, a damaged database, and when
/// "listening" is logged.
@Suite("Daemon start-up faults", .timeLimit(.minutes(10)))
struct StartupFaultsEndToEndTests {
    /// Generous bounds on waiting for a process; never what a test measures.
    static let exitBound = Duration.seconds(60)

    @Test(
        "a daemon whose port is taken exits 1 naming the address, and never logs that it listens",
        arguments: [
            "choreo-collector", "choreo-agent",
        ])
    func portInUse(daemon: String) async throws {
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let taken = try PortHolder()
        let db = harness.workDir.appendingPathComponent("c.sqlite").path
        let arguments =
            daemon == "choreo-collector"
            ? ["--listen", "127.0.0.1:\(taken.port)", "--db", db]
            : ["--listen", "127.0.0.1:\(taken.port)", "--collector", "http://127.0.0.1:9"]
        let process = try harness.start(daemon, arguments)
        let exited = try await Self.waitForExit(process, within: Self.exitBound)
        let log = harness.log(daemon)
        #expect(exited, "\(daemon) still running after \(Self.exitBound) with its port taken: \(log)")
        #expect(process.terminationStatus == 1, "\(log)")
        #expect(log.contains("\(daemon): cannot listen on 127.0.0.1:\(taken.port)"), "\(log)")
        #expect(log.contains("Address already in use"), "\(log)")
        #expect(!log.contains("\(daemon) listening"), "'listening' logged although nothing was bound: \(log)")
    }

    @Test("the collector logs 'listening' only once its port accepts connections")
    func listeningAfterBind() async throws {
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let port = try ProcessHarness.freePort()
        let db = harness.workDir.appendingPathComponent("c.sqlite").path
        try harness.start("choreo-collector", ["--listen", "127.0.0.1:\(port)", "--db", db])
        let line = try await Self.waitForLog(harness, "choreo-collector", containing: "choreo-collector listening", within: Self.exitBound)
        #expect(line.contains("port=\(port)"), "the line names the bound port: \(line)")
        #expect(PortHolder.accepts(port), "'listening' was logged before 127.0.0.1:\(port) accepted connections")
    }

    @Test("a database copied with its WAL while the collector ran, then truncated, is refused at start-up: exit 1, 'cannot open database', what is damaged")
    func damagedDatabase() async throws {
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let port = try ProcessHarness.freePort()
        let db = harness.workDir.appendingPathComponent("c.sqlite").path
        try harness.start("choreo-collector", ["--listen", "127.0.0.1:\(port)", "--db", db])
        try await ProcessHarness.waitForPort(port)
        for request in 0..<6 {  // past SQLite's automatic checkpoint: the first pages reach the main file
            let status = try await DashboardHTTP.postJSON("http://127.0.0.1:\(port)/v1/traces", try Self.paddedSpans(request: request))
            try #require(status == 200)
        }
        let copy = harness.workDir.appendingPathComponent("copy.sqlite").path
        try FileManager.default.copyItem(atPath: db, toPath: copy)
        try FileManager.default.copyItem(atPath: db + "-wal", toPath: copy + "-wal")
        harness.stopAll()
        let size = try #require(try FileManager.default.attributesOfItem(atPath: copy)[.size] as? Int)
        let file = try #require(FileHandle(forWritingAtPath: copy))
        try file.truncate(atOffset: UInt64(size / 2))
        try file.close()

        let restarted = try harness.start("choreo-collector", ["--listen", "127.0.0.1:\(port)", "--db", copy])
        let exited = try await Self.waitForExit(restarted, within: Self.exitBound)
        let log = harness.log("choreo-collector")
        #expect(exited, "the collector started on a damaged database: \(log)")
        #expect(restarted.terminationStatus == 1)
        #expect(log.contains("choreo-collector: cannot open database \(copy): "), "\(log)")
        #expect(log.contains("damaged"), "\(log)")
    }

    /// 1,000 spans of one service, each with a 1 KiB attribute, without flows.
    static func paddedSpans(request: Int) throws -> Data {
        let padding = String(repeating: "p", count: 1024)
        let spans = (0..<1000).map { i in
            OTLPJSON.Span(
                traceID: OTLPJSON.hex(UInt64(request + 1), digits: 32), spanID: OTLPJSON.hex(UInt64(i + 1), digits: 16),
                name: "work", startNanos: 1_800_000_000_000_000_000 + UInt64(i), endNanos: 1_800_000_000_000_001_000 + UInt64(i),
                attributes: ["padding": padding]
            )
        }
        return try OTLPJSON.request(service: "padded", spans: spans)
    }

    /// Waits (checking every 50 ms) until the process exits; false if it still runs after `limit`.
    static func waitForExit(_ process: Process, within limit: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        guard process.isRunning else { return true }
        process.terminate()
        return false
    }

    /// Waits (checking every 20 ms) for a line of the process's log containing `text`.
    static func waitForLog(_ harness: ProcessHarness, _ name: String, containing text: String, within limit: Duration) async throws -> String {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let line = harness.log(name).split(separator: "\n").first(where: { $0.contains(text) }) { return String(line) }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("no line with \"\(text)\" in \(name)'s log after \(limit): \(harness.log(name))")
        throw CancellationError()
    }
}

/// A loopback port held by a listening socket of the test process.
final class PortHolder {
    let port: Int
    private let fd: Int32

    /// Holds `port`; nil when something else listens there already.
    init?(port wanted: Int) throws {
        guard let (fd, port) = Self.hold(wanted) else { return nil }
        self.fd = fd
        self.port = port
    }

    /// Holds a free port.
    init() throws {
        (fd, port) = try #require(Self.hold(0), "cannot hold a loopback port")
    }

    /// A socket listening on 127.0.0.1:`port` (0: any free one) and the port it got.
    private static func hold(_ port: Int) -> (Int32, Int)? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound, listen(fd, 8) == 0 else {
            close(fd)
            return nil
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    deinit { close(fd) }

    /// One connection attempt, no retry.
    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

import AsyncHTTPClient
import Foundation

/// A `choreo-collector` child process on a free loopback port with its own database file.
final class CollectorProcess {
    let port: Int
    let process: Process

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts the binary on the SQLite file `database`; call ``waitUntilReady(client:)`` before sending.
    convenience init(binary: String, database: String) throws {
        try self.init(binary: binary, store: ["--db", database])
    }

    /// Starts the binary with the store arguments `store` (`--db PATH` or `--store URL`), and
    /// OTLP/gRPC on `grpcPort` when given.
    init(binary: String, store: [String], grpcPort: Int? = nil) throws {
        port = try Self.freeLoopbackPort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        let grpc = grpcPort.map { ["--grpc-listen", "127.0.0.1:\($0)"] } ?? []
        process.arguments = ["--listen", "127.0.0.1:\(port)"] + grpc + store + ["--log-level", "warning"]
        try process.run()
    }

    /// Waits until something accepts TCP connections on `port` (every 20 ms, at most 5 s).
    func waitUntilGRPCReady(port: Int) async throws {
        for _ in 0..<250 {
            guard process.isRunning else { throw BenchError("choreo-collector exited with status \(process.terminationStatus)") }
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            close(fd)
            if connected { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchError("choreo-collector's OTLP/gRPC port \(port) did not accept connections within 5 s")
    }

    /// Polls `GET /healthz` every 20 ms, at most `attempts` times (5 s by default).
    func waitUntilReady(client: HTTPClient, attempts: Int = 250) async throws {
        for _ in 0..<attempts {
            guard process.isRunning else { throw BenchError("choreo-collector exited with status \(process.terminationStatus)") }
            if let response = try? await client.execute(HTTPClientRequest(url: baseURL + "/healthz"), timeout: .seconds(1)),
               response.status == .ok {
                _ = try? await response.body.collect(upTo: 1024)
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchError("choreo-collector did not answer /healthz on port \(port) within \(attempts / 50) s")
    }

    /// CPU time (user + system, all threads, exited ones included) the collector has used so far,
    /// in nanoseconds, from `/proc/PID/stat`: a resolution of one clock tick (10 ms).
    func cpuNanoseconds() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return .nan }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command name: state is field 3, utime 14 and stime 15 (1-based, see proc(5)).
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return .nan }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK))) * 1e9
    }

    /// Asks for a graceful shutdown (SIGTERM) and waits for the process to exit.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// A port that was free a moment ago: bind port 0 on 127.0.0.1, read it, close.
    static func freeLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else { throw BenchError("cannot bind a loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A benchmark setup failure, with what to do about it.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

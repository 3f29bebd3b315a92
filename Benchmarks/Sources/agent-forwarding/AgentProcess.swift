import AsyncHTTPClient
import Foundation

/// A `choreo-agent` child process on a free loopback port, forwarding to `collector`.
final class AgentProcess {
    let port: Int
    let process: Process

    init(binary: String, collector: String, spoolDirectory: String?) throws {
        port = try freeLoopbackPort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        var arguments = ["--listen", "127.0.0.1:\(port)", "--grpc-listen", "none", "--collector", collector, "--log-level", "warning"]
        if let spoolDirectory { arguments += ["--spool-dir", spoolDirectory] }
        process.arguments = arguments
        try process.run()
    }

    /// Polls `GET /healthz` every 20 ms for up to 5 s.
    func waitUntilReady(client: HTTPClient) async throws {
        for _ in 0..<250 {
            guard process.isRunning else { throw BenchError("choreo-agent exited with status \(process.terminationStatus)") }
            if let response = try? await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz"), timeout: .seconds(1)),
               response.status == .ok {
                _ = try? await response.body.collect(upTo: 1024)
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchError("choreo-agent did not answer /healthz on port \(port) within 5 s")
    }

    /// `choreo_agent_spans_sent_total` from `/metrics`.
    func spansSent(client: HTTPClient) async throws -> Double {
        let response = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(5))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        for line in text.split(separator: "\n") where line.hasPrefix("choreo_agent_spans_sent_total ") {
            return Double(line.split(separator: " ")[1]) ?? 0
        }
        return 0
    }

    /// A `/proc/PID/status` field in KiB: `VmRSS` (now) or `VmHWM` (peak).
    func memoryKiB(_ field: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.dropFirst(field.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "") ?? 0
        }
        return 0
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}

/// A benchmark setup failure, with what to do about it.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A port that was free a moment ago.
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw BenchError("socket() failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw BenchError("cannot bind a loopback port") }
    return Int(UInt16(bigEndian: address.sin_port))
}

import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import Testing

/// A minimal Chrome DevTools Protocol client: headless Chromium with a debugging port, one
/// page, `Runtime.evaluate` over a hand-rolled WebSocket (text frames only). Used where the
/// page must run in real time (`--virtual-time-budget` freezes `performance.now()` during tasks).
final class DevToolsPage: @unchecked Sendable {
    struct DevToolsError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    private let process: Process
    private let fd: Int32
    private var nextID = 1

    /// Starts Chromium on `url` and connects to its page.
    init(chromium: Chromium, url: String, workDir: URL) async throws {
        let port = try ProcessHarness.freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: chromium.path)
        process.arguments = [
            "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-extensions", "--disable-dev-shm-usage",
            "--window-size=1400,900", "--remote-debugging-port=\(port)", "--remote-allow-origins=*",
            "--user-data-dir=\(workDir.appendingPathComponent("cdp-\(UUID().uuidString)").path)", url,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        do {
            fd = try await Self.connectToPage(port: port)
        } catch {
            // A throwing initializer runs no deinit: stop Chromium here, or it outlives the test.
            process.terminate()
            process.waitUntilExit()
            throw error
        }
    }

    /// Waits up to 20 s for Chromium's DevTools endpoint, then opens its page's WebSocket.
    private static func connectToPage(port: Int) async throws -> Int32 {
        var wsPath: String?
        var last = "no answer"
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(20)
        while wsPath == nil, clock.now < deadline {
            do {
                // Raw HTTP/1.0: FoundationNetworking rejects the DevTools server's header format.
                let list = try rawGet(port: port, path: "/json/list")
                let targets = try JSONSerialization.jsonObject(with: list) as? [[String: Any]] ?? []
                if let page = targets.first(where: { $0["type"] as? String == "page" }),
                    let ws = page["webSocketDebuggerUrl"] as? String, let range = ws.range(of: "/devtools/")
                {
                    wsPath = String(ws[range.lowerBound...])
                    break
                }
                last = String(decoding: list.prefix(300), as: UTF8.self)
            } catch {
                last = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let path = try #require(wsPath, "Chromium's DevTools endpoint did not come up on port \(port): \(last)")
        return try connect(port: port, path: path)
    }

    deinit {
        close(fd)
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// Evaluates a JavaScript expression in the page (awaiting a promise result) and returns its JSON-compatible value.
    func evaluate(_ expression: String) throws -> Any? {
        let id = nextID
        nextID += 1
        let message: [String: Any] = [
            "id": id, "method": "Runtime.evaluate", "params": ["expression": expression, "returnByValue": true, "awaitPromise": true],
        ]
        try send(try JSONSerialization.data(withJSONObject: message))
        while true {
            let reply = try receive()
            guard let object = try JSONSerialization.jsonObject(with: reply) as? [String: Any], object["id"] as? Int == id else { continue }
            let result = (object["result"] as? [String: Any])?["result"] as? [String: Any]
            return result?["value"]
        }
    }

    /// The body of `GET path` (HTTP/1.1, sized by Content-Length).
    private static func rawGet(port: Int, path: String) throws -> Data {
        let fd = try openSocket(port: port)
        defer { close(fd) }
        try writeAll(fd, Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8))
        var head: [UInt8] = []
        while !(head.count >= 4 && head.suffix(4) == [13, 10, 13, 10]) { head += try readExactly(fd, 1) }
        let lines = String(decoding: head, as: UTF8.self).split(separator: "\r\n")
        let length =
            lines.compactMap { line -> Int? in
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                return Int(parts[1].trimmingCharacters(in: .whitespaces))
            }.first ?? 0
        return Data(try readExactly(fd, length))
    }

    private static func openSocket(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else {
            close(fd)
            throw DevToolsError(message: "nothing listens on DevTools port \(port) yet")
        }
        return fd
    }

    private static func connect(port: Int, path: String) throws -> Int32 {
        let fd = try openSocket(port: port)
        let request =
            "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        try writeAll(fd, Array(request.utf8))
        var head: [UInt8] = []
        while !(head.count >= 4 && head.suffix(4) == [13, 10, 13, 10]) { head += try readExactly(fd, 1) }
        let status = String(decoding: head, as: UTF8.self)
        try #require(status.hasPrefix("HTTP/1.1 101"), "WebSocket upgrade refused: \(status)")
        return fd
    }

    private func send(_ payload: Data) throws {
        var frame: [UInt8] = [0x81]
        let count = payload.count
        if count < 126 {
            frame.append(0x80 | UInt8(count))
        } else if count < 65_536 {
            frame += [0x80 | 126, UInt8(count >> 8), UInt8(count & 0xff)]
        } else {
            frame.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) { frame.append(UInt8((count >> shift) & 0xff)) }
        }
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try Self.writeAll(fd, frame)
    }

    /// One whole text message (continuation frames joined; pings and other control frames skipped).
    private func receive() throws -> Data {
        var message: [UInt8] = []
        while true {
            let head = try Self.readExactly(fd, 2)
            let fin = head[0] & 0x80 != 0
            let opcode = head[0] & 0x0f
            var length = Int(head[1] & 0x7f)
            if length == 126 {
                let b = try Self.readExactly(fd, 2)
                length = Int(b[0]) << 8 | Int(b[1])
            } else if length == 127 {
                length = try Self.readExactly(fd, 8).reduce(0) { $0 << 8 | Int($1) }
            }
            let mask = head[1] & 0x80 != 0 ? try Self.readExactly(fd, 4) : []
            var payload = try Self.readExactly(fd, length)
            if !mask.isEmpty { payload = payload.enumerated().map { $0.element ^ mask[$0.offset % 4] } }
            if opcode >= 0x8 { continue }
            message += payload
            if fin { return Data(message) }
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            try #require(written > 0, "DevTools socket write failed")
            offset += written
        }
    }

    private static func readExactly(_ fd: Int32, _ count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let got = buffer[offset...].withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            try #require(got > 0, "DevTools socket closed or timed out")
            offset += got
        }
        return buffer
    }
}

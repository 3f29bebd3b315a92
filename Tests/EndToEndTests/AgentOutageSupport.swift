import Foundation

/// Helpers of the agent outage tests: a minimal blocking HTTP/1.1 client over loopback
/// sockets, OTLP/JSON requests with known ids, and the resident memory of a process.
enum AgentOutage {
    /// The status and body of one HTTP exchange; status 0 when nothing answered.
    struct Answer {
        var status: Int
        var body: String
    }

    /// Sends one request with `Connection: close` and reads the whole answer.
    static func http(
        _ method: String, port: Int, path: String, body: [UInt8] = [], contentType: String = "application/json",
        headers: [String: String] = [:], timeoutSeconds: Int = 10
    ) -> Answer {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return Answer(status: 0, body: "") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { return Answer(status: 0, body: "") }
        let head =
            "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: \(contentType)\r\n"
            + headers.map { "\($0.key): \($0.value)\r\n" }.joined()
            + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let request = Array(head.utf8) + body
        var sent = 0
        while sent < request.count {
            let n = request.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return Answer(status: 0, body: "") }
            sent += n
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n <= 0 { break }
            response += buffer[0..<n]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard text.hasPrefix("HTTP/1.1 "), let status = Int(text.dropFirst(9).prefix(3)) else { return Answer(status: 0, body: "") }
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return Answer(status: status, body: body)
    }

    /// The 32-hex-digit trace id of request `n` of a run tagged `run`.
    static func traceID(run: UInt32, request n: Int) -> String {
        String(format: "%08x%08x%016x", run, 0xC0FFEE, n + 1)
    }

    /// The span ids of request `n`: `spans` ids unique across the run.
    static func spanIDs(request n: Int, spans: Int) -> [String] {
        (0..<spans).map { String(format: "%016x", n * spans + $0 + 1) }
    }

    /// An OTLP/JSON ExportTraceServiceRequest: one trace of `spans` spans.
    static func request(run: UInt32, request n: Int, spans: Int) -> [UInt8] {
        let trace = traceID(run: run, request: n)
        let now = UInt64(Date().timeIntervalSince1970 * 1e9)
        let items = spanIDs(request: n, spans: spans).map { id in
            #"{"traceId":"\#(trace)","spanId":"\#(id)","name":"outage \#(n)","kind":1,"#
                + #""startTimeUnixNano":"\#(now)","endTimeUnixNano":"\#(now + 1000)"}"#
        }
        let json =
            #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"outage-test"}}]},"#
            + #""scopeSpans":[{"scope":{"name":"e2e"},"spans":[\#(items.joined(separator: ","))]}]}]}"#
        return Array(json.utf8)
    }

    /// The span ids the collector holds for a trace (empty when it has none yet).
    static func storedSpanIDs(collectorPort: Int, traceID: String) -> Set<String> {
        let answer = http("GET", port: collectorPort, path: "/api/v1/traces/\(traceID)")
        guard answer.status == 200,
            let document = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any],
            let spans = document["spans"] as? [[String: Any]]
        else { return [] }
        return Set(spans.compactMap { $0["span_id"] as? String })
    }

    /// The resident set size of a process in KiB (`VmRSS`), or its peak (`VmHWM`).
    static func memoryKiB(pid: Int32, field: String = "VmRSS") -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
        }
        return nil
    }

    /// The value of an unlabelled metric in a Prometheus exposition.
    static func metric(_ name: String, in exposition: String) -> Double? {
        for line in exposition.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}

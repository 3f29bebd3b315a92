import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// A plain TCP connection to 127.0.0.1, for tests that must misbehave as a client would (send
/// part of a request, then go quiet) and watch what the server does with the connection.
final class RawConnection: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Only touched by one call at a time (the tests await each).
    private let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else {
            close(fd)
            throw Failure(description: "cannot connect to 127.0.0.1:\(port): errno \(errno)")
        }
    }

    deinit { close(fd) }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { throw Failure(description: "send failed: errno \(errno)") }
    }

    /// Everything the server sends until it closes the connection; throws when the connection
    /// is still open after `limit` (a generous bound on the server's own timeout, never the
    /// thing measured).
    func readUntilClosed(within limit: Duration) async throws -> [UInt8] {
        let fd = self.fd
        let deadline = ContinuousClock.now + limit
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try Self.drain(fd, until: deadline, limit: limit) })
            }
        }
    }

    private static func drain(_ fd: Int32, until deadline: ContinuousClock.Instant, limit: Duration) throws -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else {
                throw Failure(description: "still open after \(limit); received \(String(decoding: received, as: UTF8.self))")
            }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let millis = Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            guard poll(&poller, 1, millis) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return received }  // closed (0) or reset (-1)
            received += buffer[0..<count]
        }
    }
}

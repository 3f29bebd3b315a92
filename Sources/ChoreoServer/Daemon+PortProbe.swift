import ChoreoModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Daemon {
    /// Whether a listener could bind `address` now (an IPv4 literal or `localhost`): a socket
    /// with `SO_REUSEADDR`, as the servers set it, is bound and closed again. False when another
    /// process listens there; true for an address this cannot probe (a host name, IPv6), so the
    /// listener's own bind decides. For an optional default listener only: the answer can be
    /// stale by the time the listener binds, and then its bind error still says why.
    public static func canBind(_ address: ListenAddress) -> Bool {
        let host = address.host == "localhost" ? "127.0.0.1" : address.host
        var ip = in_addr()
        guard inet_pton(AF_INET, host, &ip) == 1, let port = UInt16(exactly: address.port) else { return true }
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return true }
        defer { close(fd) }
        var on: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = port.bigEndian
        socketAddress.sin_addr = ip
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return bound == 0
    }
}

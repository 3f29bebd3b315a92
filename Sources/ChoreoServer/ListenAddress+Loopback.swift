import ChoreoModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension ListenAddress {
    /// Turns a host name or address text into the IP addresses it stands for; empty when it
    /// stands for none.
    public typealias Resolver = (String) -> [IPAddress]

    /// True when the server would bind only where this machine alone can reach it: the host
    /// resolves, and every address it resolves to is in 127.0.0.0/8 or is ::1.
    ///
    /// Decided by the resolved addresses (``resolve(_:)``, the same `getaddrinfo` the bind
    /// uses), never by the text: `127.evil.example.com` is not loopback, `localhost` is (where
    /// it resolves to loopback only), `0x7f.1` is. A host that does not resolve is not
    /// loopback. Resolving may block; call it at start-up.
    public var isLoopback: Bool { isLoopback(resolvingWith: Self.resolve) }

    /// ``isLoopback`` with another resolver (tests).
    public func isLoopback(resolvingWith resolve: Resolver) -> Bool {
        let addresses = resolve(host)
        return !addresses.isEmpty && addresses.allSatisfy(\.isLoopback)
    }

    /// The addresses `getaddrinfo` gives for `host` (names and every numeric form it accepts);
    /// empty when it gives none.
    public static func resolve(_ host: String) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_flags = AI_PASSIVE
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        for entry in sequence(first: first, next: { $0.pointee.ai_next }) {
            if let address = IPAddress(entry.pointee.ai_addr) { addresses.append(address) }
        }
        return addresses
    }
}

/// An IPv4 or IPv6 address as raw bytes in network order.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 bytes (IPv6).
    public let bytes: [UInt8]

    /// An IPv4 address, e.g. `IPAddress(v4: 127, 0, 0, 1)`.
    public init(v4 a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) { bytes = [a, b, c, d] }

    /// An IPv6 address from its 16 bytes; nil for any other count.
    public init?(v6 bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// In 127.0.0.0/8, ::1, or an IPv4-mapped IPv6 address (::ffff:127.x.x.x) in 127.0.0.0/8.
    public var isLoopback: Bool {
        if bytes.count == 4 { return bytes[0] == 127 }
        if bytes == [UInt8](repeating: 0, count: 15) + [1] { return true }
        let mappedPrefix = [UInt8](repeating: 0, count: 10) + [0xff, 0xff]
        return Array(bytes.prefix(12)) == mappedPrefix && bytes[12] == 127
    }

    public var description: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }

    /// The address of a `sockaddr_in` or `sockaddr_in6`; nil for other families.
    init?(_ address: UnsafeMutablePointer<sockaddr>?) {
        guard let address else { return nil }
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            let raw = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            bytes = withUnsafeBytes(of: raw) { Array($0) }
        case AF_INET6:
            let raw = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            bytes = withUnsafeBytes(of: raw) { Array($0) }
        default:
            return nil
        }
    }
}

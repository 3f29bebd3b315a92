import Foundation
import Synchronization

/// A throwaway PKI made at run time with the `openssl` command: a test CA, a server certificate
/// for `127.0.0.1` and `localhost` signed by it, a client certificate signed by it, and a
/// stranger: a second CA with a client certificate of its own, which the first CA's holders must
/// not trust. EC P-256 keys, unencrypted PEM, valid for two days.
///
/// ``shared()`` makes one set per test process; ``make()`` a fresh one.
public struct TestCertificates: Sendable {
    /// The directory holding every file.
    public let directory: String

    /// The test CA's certificate: what clients trust, and what a collector asks client certificates to be signed by.
    public var caFile: String { path("ca.pem") }
    /// The server certificate (SAN IP:127.0.0.1, DNS:localhost) signed by the test CA.
    public var serverCertificateFile: String { path("server.pem") }
    /// The server certificate's private key.
    public var serverKeyFile: String { path("server.key") }
    /// A client certificate signed by the test CA.
    public var clientCertificateFile: String { path("client.pem") }
    /// The client certificate's private key.
    public var clientKeyFile: String { path("client.key") }
    /// Another CA, unknown to the test CA's holders.
    public var strangerCAFile: String { path("stranger-ca.pem") }
    /// A client certificate signed by the other CA.
    public var strangerCertificateFile: String { path("stranger.pem") }
    /// The stranger certificate's private key.
    public var strangerKeyFile: String { path("stranger.key") }

    /// The absolute path of `name` in ``directory``.
    public func path(_ name: String) -> String { directory + "/" + name }

    private static let cache = Mutex<TestCertificates?>(nil)

    /// One set of certificates for the whole test process, made on first use.
    public static func shared() throws -> TestCertificates {
        try cache.withLock { cached in
            if let cached { return cached }
            let made = try make()
            cached = made
            return made
        }
    }

    /// A fresh set in a new temporary directory.
    public static func make() throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("choreo-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let set = TestCertificates(directory: directory)
        try set.makeCA("ca", name: "Choreoscope Test CA")
        try set.makeLeaf(
            "server", name: "localhost", signer: "ca",
            extensions: "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n")
        try set.makeLeaf("client", name: "choreo-test-client", signer: "ca", extensions: "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n")
        try set.makeCA("stranger-ca", name: "Stranger CA")
        try set.makeLeaf(
            "stranger", name: "stranger", signer: "stranger-ca", extensions: "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n")
        return set
    }

    /// Writes `text` to `name` in the directory and returns its path (for hostile files in tests).
    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
        return path(name)
    }

    private func makeCA(_ stem: String, name: String) throws {
        try Self.openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", path("\(stem).key"), "-out", path("\(stem).pem"), "-days", "2", "-subj", "/CN=\(name)",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
    }

    private func makeLeaf(_ stem: String, name: String, signer: String, extensions: String) throws {
        try write("\(stem).ext", extensions)
        try Self.openssl([
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", path("\(stem).key"), "-out", path("\(stem).csr"), "-subj", "/CN=\(name)",
        ])
        try Self.openssl([
            "x509", "-req", "-in", path("\(stem).csr"), "-CA", path("\(signer).pem"), "-CAkey", path("\(signer).key"),
            "-set_serial", "\(UInt32.random(in: 1...UInt32.max))", "-days", "2", "-extfile", path("\(stem).ext"), "-out", path("\(stem).pem"),
        ])
    }

    /// Runs `/usr/bin/openssl` (it starts no daemon, so waiting for it is safe) and fails with its
    /// output when it exits non-zero.
    private static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw OpenSSLFailure(arguments: arguments, status: process.terminationStatus, output: text)
        }
    }

    /// The `openssl` command failed.
    public struct OpenSSLFailure: Error, CustomStringConvertible {
        public var arguments: [String]
        public var status: Int32
        public var output: String
        public var description: String { "openssl \(arguments.joined(separator: " ")) exited \(status): \(output)" }
    }
}

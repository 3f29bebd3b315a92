import Foundation
import NIOSSL

/// TLS for `https://` collector URLs: `--ca-file` (the CA trusted instead of the system's trust
/// store) and, for a collector that asks for client certificates, `--cert-file` and `--key-file`.
/// The files are read before any request, so a bad file is a usage error naming it.
enum CollectorTLS {
    /// The client configuration, or nil when no file is given (the system's trust store).
    static func configuration(caFile: String?, certificateFile: String?, keyFile: String?) throws(CLIError) -> TLSConfiguration? {
        guard caFile != nil || certificateFile != nil || keyFile != nil else { return nil }
        guard (certificateFile == nil) == (keyFile == nil) else {
            throw .usage("--cert-file and --key-file go together: give both or neither")
        }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let caFile {
            configuration.trustRoots = .certificates(try certificates(caFile, flag: "--ca-file"))
        }
        if let certificateFile, let keyFile {
            configuration.certificateChain = try certificates(certificateFile, flag: "--cert-file").map { .certificate($0) }
            let bytes = try read(keyFile, flag: "--key-file")
            do { configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: bytes, format: .pem)) } catch {
                throw .usage("--key-file \(keyFile): not an unencrypted PEM private key (\(error))")
            }
            do { _ = try NIOSSLContext(configuration: configuration) } catch {
                throw .usage("--key-file \(keyFile) cannot be used with --cert-file \(certificateFile): is it the key of that certificate? (\(error))")
            }
        }
        return configuration
    }

    private static func certificates(_ path: String, flag: String) throws(CLIError) -> [NIOSSLCertificate] {
        let bytes = try read(path, flag: flag)
        let certificates = try? NIOSSLCertificate.fromPEMBytes(bytes)
        guard let certificates, !certificates.isEmpty else {
            throw .usage("\(flag) \(path): the file holds no PEM certificate (a block starting -----BEGIN CERTIFICATE-----)")
        }
        return certificates
    }

    private static func read(_ path: String, flag: String) throws(CLIError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied, or not a file" : "no such file"
            throw .usage("\(flag) \(path): cannot read the file: \(reason)")
        }
        return [UInt8](data)
    }
}

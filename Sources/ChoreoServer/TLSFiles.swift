import Foundation
import NIOSSL

/// PEM certificate and key files named by flags, read at start-up so that a bad file stops the
/// daemon at once with a ``ConfigurationError`` naming the flag, the file and the reason, rather
/// than failing every handshake later.
public enum TLSFiles {
    /// Every certificate in the PEM file `path` (a chain, leaf first, or a bundle of CAs).
    ///
    /// - Throws: ``ConfigurationError`` `tlsFileUnreadable` when the file cannot be read,
    ///   `tlsFileInvalid` when it holds no PEM certificate or one that does not parse.
    public static func certificates(_ path: String, flag: String) throws(ConfigurationError) -> [NIOSSLCertificate] {
        let bytes = try read(path, flag: flag)
        guard String(decoding: bytes, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
            throw invalid(path, flag: flag, "holds no PEM certificate (a block starting -----BEGIN CERTIFICATE-----)")
        }
        let certificates: [NIOSSLCertificate]
        do { certificates = try NIOSSLCertificate.fromPEMBytes(bytes) } catch {
            throw invalid(path, flag: flag, "is not a valid PEM certificate (\(error))")
        }
        guard !certificates.isEmpty else { throw invalid(path, flag: flag, "holds no PEM certificate") }
        return certificates
    }

    /// The private key in the PEM file `path` (PKCS#8, PKCS#1 RSA or SEC1 EC, unencrypted).
    ///
    /// - Throws: ``ConfigurationError`` `tlsFileUnreadable` when the file cannot be read,
    ///   `tlsFileInvalid` when it holds no PEM private key, an encrypted one, or one that does not parse.
    public static func privateKey(_ path: String, flag: String) throws(ConfigurationError) -> NIOSSLPrivateKey {
        let bytes = try read(path, flag: flag)
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.contains("PRIVATE KEY-----") else {
            throw invalid(path, flag: flag, "holds no PEM private key (a block starting -----BEGIN PRIVATE KEY-----)")
        }
        guard !text.contains("ENCRYPTED") else {
            throw invalid(path, flag: flag, "holds an encrypted private key; give the key unencrypted (e.g. openssl pkey -in KEY -out PLAIN)")
        }
        do { return try NIOSSLPrivateKey(bytes: bytes, format: .pem) } catch {
            throw invalid(path, flag: flag, "is not a valid PEM private key (\(error))")
        }
    }

    /// Refuses a certificate that is not valid now (expired, or not valid yet), naming the dates.
    public static func checkValidity(
        _ certificate: NIOSSLCertificate, file path: String, flag: String, now: Date = Date()
    ) throws(ConfigurationError) {
        let notBefore = Date(timeIntervalSince1970: TimeInterval(certificate.notValidBefore))
        let notAfter = Date(timeIntervalSince1970: TimeInterval(certificate.notValidAfter))
        if now > notAfter {
            throw invalid(path, flag: flag, "holds a certificate that expired on \(notAfter.formatted(.iso8601))")
        }
        if now < notBefore {
            throw invalid(path, flag: flag, "holds a certificate that is not valid before \(notBefore.formatted(.iso8601))")
        }
    }

    /// Refuses a configuration the TLS library cannot use (above all a key that does not belong
    /// to the certificate), by building the context a listener or client would build.
    static func checkContext(_ configuration: TLSConfiguration, _ what: @autoclosure () -> String) throws(ConfigurationError) {
        do { _ = try NIOSSLContext(configuration: configuration) } catch {
            throw ConfigurationError(code: .tlsFileInvalid, message: "\(what()) (\(error))")
        }
    }

    /// The bytes of `path`, or `tlsFileUnreadable` naming the flag, the file and the reason.
    static func read(_ path: String, flag: String) throws(ConfigurationError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw unreadable(path, flag: flag, "no such file")
        }
        guard !isDirectory.boolValue else { throw unreadable(path, flag: flag, "it is a directory, not a file") }
        guard FileManager.default.isReadableFile(atPath: path) else { throw unreadable(path, flag: flag, "permission denied") }
        guard let data = FileManager.default.contents(atPath: path) else { throw unreadable(path, flag: flag, "the file could not be read") }
        return [UInt8](data)
    }

    private static func unreadable(_ path: String, flag: String, _ reason: String) -> ConfigurationError {
        ConfigurationError(code: .tlsFileUnreadable, message: "\(flag) \(path): cannot read the file: \(reason)")
    }

    private static func invalid(_ path: String, flag: String, _ reason: String) -> ConfigurationError {
        ConfigurationError(code: .tlsFileInvalid, message: "\(flag) \(path): the file \(reason)")
    }
}

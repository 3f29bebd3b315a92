import ChoreoCollector
import ChoreoServer
import ChoreoTestSupport
import Foundation
import Testing

/// `--tls-*` files are read at start-up: a bad one is a ``ConfigurationError`` naming the flag,
/// the file and the reason; and tokens beyond loopback without TLS give a warning.
@Suite("TLS configuration")
struct TLSConfigurationTests {
    /// The error `load` throws, or a recorded issue when it throws none.
    func loadError(cert: String, key: String, clientCA: String? = nil) -> ConfigurationError? {
        do {
            _ = try ServerTLS.load(certificateFile: cert, keyFile: key, clientCAFile: clientCA)
            Issue.record("loaded \(cert) and \(key) without an error")
            return nil
        } catch {
            return error
        }
    }

    @Test("the test CA's server certificate and key load, with and without a client CA")
    func goodFilesLoad() throws {
        let pki = try TestCertificates.shared()
        let plain = try ServerTLS.load(certificateFile: pki.serverCertificateFile, keyFile: pki.serverKeyFile)
        #expect(!plain.requiresClientCertificate)
        let mutual = try ServerTLS.load(certificateFile: pki.serverCertificateFile, keyFile: pki.serverKeyFile, clientCAFile: pki.caFile)
        #expect(mutual.requiresClientCertificate)
    }

    @Test("a missing certificate file is named with its flag and 'no such file'")
    func missingCertificate() throws {
        let pki = try TestCertificates.shared()
        let missing = pki.path("nope.pem")
        let error = try #require(loadError(cert: missing, key: pki.serverKeyFile))
        #expect(error.code == .tlsFileUnreadable)
        #expect(error.message.contains("--tls-cert-file \(missing)") && error.message.contains("no such file"), "\(error.message)")
    }

    @Test("a directory given as a key file is refused as unreadable")
    func directoryAsKey() throws {
        let pki = try TestCertificates.shared()
        let error = try #require(loadError(cert: pki.serverCertificateFile, key: pki.directory))
        #expect(error.code == .tlsFileUnreadable)
        #expect(error.message.contains("--tls-key-file") && error.message.contains("directory"), "\(error.message)")
    }

    @Test("a key file given as the certificate holds no PEM certificate")
    func keyAsCertificate() throws {
        let pki = try TestCertificates.shared()
        let error = try #require(loadError(cert: pki.serverKeyFile, key: pki.serverKeyFile))
        #expect(error.code == .tlsFileInvalid)
        #expect(error.message.contains("--tls-cert-file \(pki.serverKeyFile)") && error.message.contains("no PEM certificate"), "\(error.message)")
    }

    @Test("a damaged PEM certificate is refused as not valid")
    func damagedCertificate() throws {
        let pki = try TestCertificates.shared()
        let damaged = try pki.write("damaged.pem", "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n")
        let error = try #require(loadError(cert: damaged, key: pki.serverKeyFile))
        #expect(error.code == .tlsFileInvalid)
        #expect(error.message.contains(damaged), "\(error.message)")
    }

    @Test("a certificate given as the key holds no PEM private key")
    func certificateAsKey() throws {
        let pki = try TestCertificates.shared()
        let error = try #require(loadError(cert: pki.serverCertificateFile, key: pki.serverCertificateFile))
        #expect(error.code == .tlsFileInvalid)
        #expect(error.message.contains("--tls-key-file") && error.message.contains("no PEM private key"), "\(error.message)")
    }

    @Test("an encrypted key is refused with how to decrypt it")
    func encryptedKey() throws {
        let pki = try TestCertificates.shared()
        let encrypted = try pki.write("encrypted.key", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n")
        let error = try #require(loadError(cert: pki.serverCertificateFile, key: encrypted))
        #expect(error.code == .tlsFileInvalid)
        #expect(error.message.contains("encrypted") && error.message.contains("openssl pkey"), "\(error.message)")
    }

    @Test("a key that belongs to another certificate is refused, naming both files")
    func mismatchedKey() throws {
        let pki = try TestCertificates.shared()
        let error = try #require(loadError(cert: pki.serverCertificateFile, key: pki.clientKeyFile))
        #expect(error.code == .tlsFileInvalid)
        #expect(error.message.contains(pki.clientKeyFile) && error.message.contains(pki.serverCertificateFile), "\(error.message)")
    }

    @Test("a missing client CA file is named with --tls-client-ca-file")
    func missingClientCA() throws {
        let pki = try TestCertificates.shared()
        let error = try #require(loadError(cert: pki.serverCertificateFile, key: pki.serverKeyFile, clientCA: pki.path("none-ca.pem")))
        #expect(error.code == .tlsFileUnreadable)
        #expect(error.message.contains("--tls-client-ca-file"), "\(error.message)")
    }

    @Test("a certificate past its end date is refused as expired; one before its start date as not valid yet")
    func validityWindow() throws {
        let pki = try TestCertificates.shared()
        let certificate = try TLSFiles.certificates(pki.serverCertificateFile, flag: "--tls-cert-file")[0]
        try TLSFiles.checkValidity(certificate, file: pki.serverCertificateFile, flag: "--tls-cert-file")
        let expired = #expect(throws: ConfigurationError.self) {
            try TLSFiles.checkValidity(
                certificate, file: pki.serverCertificateFile, flag: "--tls-cert-file", now: Date().addingTimeInterval(3 * 86_400))
        }
        #expect(expired?.message.contains("expired on") == true, "\(expired?.message ?? "")")
        let early = #expect(throws: ConfigurationError.self) {
            try TLSFiles.checkValidity(
                certificate, file: pki.serverCertificateFile, flag: "--tls-cert-file", now: Date().addingTimeInterval(-86_400))
        }
        #expect(early?.message.contains("not valid before") == true, "\(early?.message ?? "")")
    }

    @Test("a client certificate without its key is refused, naming both flags")
    func clientCertificateWithoutKey() throws {
        let pki = try TestCertificates.shared()
        let error = #expect(throws: ConfigurationError.self) {
            try ClientTLS.configuration(
                caFile: pki.caFile, certificateFile: pki.clientCertificateFile, keyFile: nil, flags: ("--ca", "--cert", "--key"))
        }
        #expect(error?.message.contains("--cert") == true && error?.message.contains("--key") == true)
        #expect(try ClientTLS.configuration(caFile: nil, certificateFile: nil, keyFile: nil, flags: ("--ca", "--cert", "--key")) == nil)
    }

    @Test("tokens beyond loopback over plain HTTP warn, naming the token flags; with TLS, on loopback or without tokens they do not")
    func cleartextTokenWarning() throws {
        let pki = try TestCertificates.shared()
        var configuration = CollectorConfiguration(host: "0.0.0.0", port: 4320)
        configuration.ingestToken = try AccessToken("ingest-secret")
        configuration.queryToken = try AccessToken("query-secret")
        let warning = try #require(configuration.cleartextTokenWarning(isLoopback: false))
        #expect(warning.contains("--ingest-token-file") && warning.contains("--query-token-file") && warning.contains("clear text"))
        #expect(warning.contains("--tls-cert-file"))
        #expect(!warning.contains("ingest-secret") && !warning.contains("query-secret"), "never prints a token")
        #expect(configuration.cleartextTokenWarning(isLoopback: true) == nil)
        configuration.tls = try ServerTLS.load(certificateFile: pki.serverCertificateFile, keyFile: pki.serverKeyFile)
        #expect(configuration.cleartextTokenWarning(isLoopback: false) == nil)
        configuration.tls = nil
        configuration.ingestToken = nil
        configuration.queryToken = nil
        #expect(configuration.cleartextTokenWarning(isLoopback: false) == nil)
    }
}

import Foundation
import NIOSSL

extension OTLPHTTPExporterConfiguration {
    /// The TLS of an `https` endpoint from ``certificateFile``, ``clientCertificateFile`` and
    /// ``clientKeyFile``, the files read now; nil when none is set (the system's trust store).
    ///
    /// - Throws: ``ChoreoTracerError`` (`invalid_configuration`) naming the variable, the file and
    ///   the reason: unreadable, no PEM certificate or key, a key that is not the certificate's,
    ///   or a client certificate without its key.
    func makeTLSConfiguration() throws -> TLSConfiguration? {
        guard certificateFile != nil || clientCertificateFile != nil || clientKeyFile != nil else { return nil }
        guard (clientCertificateFile == nil) == (clientKeyFile == nil) else {
            throw ChoreoTracerError.invalidConfiguration(
                "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE and OTEL_EXPORTER_OTLP_CLIENT_KEY go together: set both or neither"
            )
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let certificateFile {
            tls.trustRoots = .certificates(try Self.certificates(certificateFile, variable: "OTEL_EXPORTER_OTLP_CERTIFICATE"))
        }
        if let clientCertificateFile, let clientKeyFile {
            tls.certificateChain = try Self.certificates(clientCertificateFile, variable: "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE").map {
                .certificate($0)
            }
            let bytes = try Self.read(clientKeyFile, variable: "OTEL_EXPORTER_OTLP_CLIENT_KEY")
            do { tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: bytes, format: .pem)) } catch {
                throw ChoreoTracerError.invalidConfiguration(
                    "OTEL_EXPORTER_OTLP_CLIENT_KEY \(clientKeyFile): not an unencrypted PEM private key (\(error))"
                )
            }
            do { _ = try NIOSSLContext(configuration: tls) } catch {
                throw ChoreoTracerError.invalidConfiguration(
                    "OTEL_EXPORTER_OTLP_CLIENT_KEY \(clientKeyFile) cannot be used with OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE \(clientCertificateFile): is it the key of that certificate? (\(error))"
                )
            }
        }
        return tls
    }

    private static func certificates(_ path: String, variable: String) throws -> [NIOSSLCertificate] {
        let bytes = try read(path, variable: variable)
        guard let certificates = try? NIOSSLCertificate.fromPEMBytes(bytes), !certificates.isEmpty else {
            throw ChoreoTracerError.invalidConfiguration(
                "\(variable) \(path): the file holds no PEM certificate (a block starting -----BEGIN CERTIFICATE-----)"
            )
        }
        return certificates
    }

    private static func read(_ path: String, variable: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied, or not a file" : "no such file"
            throw ChoreoTracerError.invalidConfiguration("\(variable) \(path): cannot read the file: \(reason)")
        }
        return [UInt8](data)
    }
}

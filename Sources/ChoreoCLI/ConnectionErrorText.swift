/// A short, readable reason for a failed request, instead of a networking library's dump.
enum ConnectionErrorText {
    /// Known failures by name; anything else as the error describes itself.
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        let lower = text.lowercased()
        let known: [(String, String)] = [
            ("connection refused", "connection refused (is choreo-collector running?)"),
            ("connecttimeout", "timed out connecting"),
            ("deadlineexceeded", "no answer in time"),
            ("readtimeout", "no answer in time"),
            ("remoteconnectionclosed", "the connection closed before an answer came"),
            ("no address", "the host name did not resolve"),
            ("unknown host", "the host name did not resolve"),
            ("name or service not known", "the host name did not resolve"),
            ("toomanybytes", "the answer is larger than \(CollectorClient.maxBodyBytes >> 20) MiB"),
            (
                "certificate_verify_failed",
                "the collector's TLS certificate is not trusted (give --ca-file with the CA that signed it) or does not name this host"
            ),
            ("certificate_required", "the collector requires a client certificate: give --cert-file and --key-file"),
            ("alert_unknown_ca", "the collector does not trust the client certificate (--cert-file is not signed by its --tls-client-ca-file)"),
            ("wrong_version_number", "the collector does not speak TLS on this port: use an http:// URL"),
        ]
        for (marker, message) in known where lower.contains(marker) {
            return message
        }
        return text
    }
}

import Foundation

/// Typed reading of environment variables, with errors that name the variable at fault.
///
/// Follows the OpenTelemetry rules: an empty value counts as unset; lists are `key=value`
/// pairs separated by commas, with URL-encoded keys and values.
struct EnvironmentReader {
    let environment: [String: String]

    init(_ environment: [String: String]) {
        self.environment = environment
    }

    /// The trimmed value of `name`, or `nil` when unset or empty.
    subscript(name: String) -> String? {
        guard let value = environment[name]?.trimmingSpacesAndTabs(), !value.isEmpty else { return nil }
        return value
    }

    /// `OTEL_EXPORTER_OTLP_TRACES_<suffix>` when set, else `OTEL_EXPORTER_OTLP_<suffix>`.
    func tracesName(_ suffix: String) -> String {
        let specific = "OTEL_EXPORTER_OTLP_TRACES_\(suffix)"
        return self[specific] != nil ? specific : "OTEL_EXPORTER_OTLP_\(suffix)"
    }

    /// The value of the traces-specific variable, else of the general one.
    func traces(_ suffix: String) -> String? {
        self[tracesName(suffix)]
    }

    /// A positive integer.
    func integer(_ name: String) throws -> Int? {
        guard let text = self[name] else { return nil }
        guard let value = Int(text), value > 0 else {
            throw ChoreoTracerError.invalidConfiguration("\(name) must be a positive integer (got '\(text)')")
        }
        return value
    }

    /// A positive integer number of milliseconds.
    func milliseconds(_ name: String) throws -> Duration? {
        try integer(name).map { .milliseconds($0) }
    }

    /// A `key=value,key=value` list; keys and values are URL-decoded and trimmed.
    func keyValueList(_ name: String) throws -> [String: String] {
        guard let text = self[name] else { return [:] }
        var result: [String: String] = [:]
        for entry in text.split(separator: ",", omittingEmptySubsequences: true) {
            let pair = String(entry).trimmingSpacesAndTabs()
            if pair.isEmpty { continue }
            guard let eq = pair.firstIndex(of: "="),
                let key = String(pair[..<eq]).removingPercentEncoding?.trimmingSpacesAndTabs(),
                let value = String(pair[pair.index(after: eq)...]).removingPercentEncoding?.trimmingSpacesAndTabs(),
                !key.isEmpty
            else {
                throw ChoreoTracerError.invalidConfiguration(
                    "\(name) has an invalid entry '\(pair)'; expected comma-separated key=value pairs, URL-encoded"
                )
            }
            result[key] = value
        }
        return result
    }
}

/// A parsed Prometheus text exposition: sample values by series (`name{labels}`), plus the
/// `# HELP` and `# TYPE` lines by metric name.
public struct Exposition: Sendable {
    public var samples: [String: Double] = [:]
    public var help: [String: String] = [:]
    public var types: [String: String] = [:]

    public init(_ text: String) {
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ", maxSplits: 1)
                guard parts.count == 2 else { continue }
                if line.hasPrefix("# HELP ") { help[String(parts[0])] = String(parts[1]) } else { types[String(parts[0])] = String(parts[1]) }
            } else if let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) {
                samples[String(line[..<space])] = value
            }
        }
    }

    /// The value of one series, e.g. `choreo_collector_rejected_total{reason="malformed"}`.
    public subscript(_ series: String) -> Double? { samples[series] }
}
